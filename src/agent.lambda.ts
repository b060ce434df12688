/**
 * Lambda entry point of the cost agent. It runs a Converse tool-use loop on the application inference
 * profile for a request such as `{"prompt": "...", "caller": "...", "messages": [...]}` and always
 * returns a reply, never an exception. The request rules are in `agent/request.ts`, and the reply
 * shapes in `agent/replies.ts`.
 *
 * The logger, the configuration and the Bedrock client are set up once per execution environment.
 * The logs carry IDs, counts and error names. They carry the prompt and the answer only when
 * LOG_CONVERSATION_TEXT is true, and then in a line of their own.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { CONVERSE_MAX_ATTEMPTS, createBedrockClient } from './agent/bedrock-client';
import { configResult } from './agent/config';
import type { AgentConfig } from './agent/config';
import { runConverseLoop } from './agent/converse-loop';
import { Deadline } from './agent/deadline';
import { describeModelInvocationError } from './agent/model-errors';
import { errorReply } from './agent/replies';
import type { AgentErrorType, AgentReply } from './agent/replies';
import { parseRequest } from './agent/request';

const DEFAULT_SERVICE_NAME = 'bedrock-cost-agent';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME });

if ('error' in configResult) {
  logger.error('Invalid configuration, so every invocation replies with ConfigurationError', { errorMessage: configResult.error });
} else {
  const { config } = configResult;
  logger.appendPersistentKeys({ foundationModelId: config.foundationModelId });
  logger.info('Configuration loaded', {
    modelId: config.modelId,
    maxToolRounds: config.maxToolRounds,
    inferenceConfig: config.inference.inferenceConfig,
    maxAttempts: CONVERSE_MAX_ATTEMPTS,
    logConversationText: config.logConversationText,
  });
  for (const omitted of config.inference.omitted) {
    logger.warn('Inference parameter not sent, because the model rejects it', { parameter: omitted.name, reason: omitted.reason });
  }
}

const client = createBedrockClient('config' in configResult ? configResult.config.region : undefined);

/** The fields of the one summary log line of an invocation. */
interface InvocationSummary {
  readonly outcome: 'Answer' | AgentErrorType;
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
}

/** The prompt and the answer, logged only when LOG_CONVERSATION_TEXT is true. */
interface ConversationText {
  readonly prompt: string;
  readonly answer?: string;
}

export const handler = async (event: unknown, context: Context): Promise<AgentReply> => {
  const startTime = performance.now();
  try {
    logger.addContext(context);
    const deadline = Deadline.fromRemainingTime(context.getRemainingTimeInMillis());
    const { reply, summary, conversation } = await handleEvent(event, deadline);
    logger[summary.level]('Invocation finished', { outcome: summary.outcome, ...summary.fields, latencyMs: elapsedMs(startTime) });
    if (conversation !== undefined) {
      logger.info('Conversation text', { ...conversation });
    }
    return reply;
  } catch (error) {
    logger.error('Invocation failed unexpectedly', { outcome: 'InternalError', latencyMs: elapsedMs(startTime), error });
    const where = context?.awsRequestId ? `the function's logs for request ID ${context.awsRequestId}` : "the function's logs";
    return errorReply('InternalError', `The agent failed unexpectedly. Check ${where}.`);
  }
};

/** The reply to an event, its summary log line, and the text to log when LOG_CONVERSATION_TEXT is true. */
interface HandledEvent {
  readonly reply: AgentReply;
  readonly summary: InvocationSummary;
  readonly conversation?: ConversationText;
}

async function handleEvent(event: unknown, deadline: Deadline): Promise<HandledEvent> {
  if ('error' in configResult) {
    // The configuration error itself was logged once, when the module loaded.
    return { reply: errorReply('ConfigurationError', configResult.error), summary: { outcome: 'ConfigurationError', level: 'error', fields: {} } };
  }
  const { config } = configResult;

  const parsed = parseRequest(event);
  if ('error' in parsed) {
    // The validation message names fields, types and lengths only, so it is safe to log.
    return {
      reply: errorReply('ValidationError', parsed.error),
      summary: { outcome: 'ValidationError', level: 'warn', fields: { validationError: parsed.error } },
    };
  }
  const { request } = parsed;

  const outcome = await runConverseLoop(
    { prompt: request.prompt, history: request.history, caller: request.caller },
    { client, config, logger, now: () => new Date(), deadline },
  );
  const { progress } = outcome;
  const usage = { inputTokens: progress.inputTokens, outputTokens: progress.outputTokens };
  const progressFields = {
    ...(request.caller !== undefined ? { caller: request.caller } : {}),
    historyMessages: request.history.length,
    converseCalls: progress.converseCalls,
    converseAttempts: progress.converseAttempts,
    toolRounds: progress.toolRounds,
    ...usage,
    toolCalls: progress.toolCalls.map((call) => `${call.name}:${call.status}`),
    toolRequestsNotRun: progress.toolRequestsNotRun,
  };

  if ('error' in outcome) {
    const failure = describeModelInvocationError(outcome.error);
    return {
      reply: errorReply(failure.replyType, failure.replyMessage),
      summary: {
        outcome: failure.replyType,
        level: 'error',
        fields: {
          ...progressFields,
          errorName: failure.errorName,
          errorMessage: failure.errorMessage,
          httpStatusCode: failure.httpStatusCode,
          bedrockRequestId: failure.bedrockRequestId,
          attempts: failure.attempts,
        },
      },
      conversation: conversationText(config, request.prompt),
    };
  }

  return {
    reply: { answer: outcome.answer, stopReason: outcome.stopReason, usage, toolCalls: progress.toolCalls, messages: outcome.messages },
    summary: {
      outcome: 'Answer',
      level: outcome.logLevel,
      fields: {
        ...progressFields,
        stopReason: outcome.stopReason,
        returnedMessages: outcome.messages.length,
        droppedMessages: outcome.droppedMessages,
      },
    },
    conversation: conversationText(config, request.prompt, outcome.answer),
  };
}

function conversationText(config: AgentConfig, prompt: string, answer?: string): ConversationText | undefined {
  if (!config.logConversationText) {
    return undefined;
  }
  return answer === undefined ? { prompt } : { prompt, answer };
}

function elapsedMs(startTime: number): number {
  return Math.round(performance.now() - startTime);
}
