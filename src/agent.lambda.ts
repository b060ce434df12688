/**
 * Lambda entry point of the cost agent. It runs a Converse tool-use loop on the application inference
 * profile for a `{"prompt": string}` request and always returns a reply, never an exception.
 * The reply shapes are in `agent/replies.ts`.
 *
 * The logger, the configuration and the Bedrock client are set up once per execution environment.
 * The logs carry ids, counts and error names, never the prompt or the answer.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Context } from 'aws-lambda';
import { configResult } from './agent/config';
import { runConverseLoop } from './agent/converse-loop';
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
  logger.info('Configuration loaded', { modelId: config.modelId, maxToolRounds: config.maxToolRounds, maxOutputTokens: config.maxOutputTokens });
}

// No endpoint is set here because the SDK reads AWS_ENDPOINT_URL_BEDROCK_RUNTIME and AWS_ENDPOINT_URL itself.
const client = new BedrockRuntimeClient({ region: 'config' in configResult ? configResult.config.region : undefined });

/** The fields of the one summary log line of an invocation. */
interface InvocationSummary {
  readonly outcome: 'Answer' | AgentErrorType;
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
}

export const handler = async (event: unknown, context: Context): Promise<AgentReply> => {
  const startTime = performance.now();
  try {
    logger.addContext(context);
    const { reply, summary } = await handleEvent(event);
    logger[summary.level]('Invocation finished', { outcome: summary.outcome, ...summary.fields, latencyMs: elapsedMs(startTime) });
    return reply;
  } catch (error) {
    logger.error('Invocation failed unexpectedly', { outcome: 'InternalError', latencyMs: elapsedMs(startTime), error });
    const where = context?.awsRequestId ? `the function's logs for request ID ${context.awsRequestId}` : "the function's logs";
    return errorReply('InternalError', `The agent failed unexpectedly. Check ${where}.`);
  }
};

async function handleEvent(event: unknown): Promise<{ reply: AgentReply; summary: InvocationSummary }> {
  if ('error' in configResult) {
    // The configuration error itself was logged once, when the module loaded.
    return { reply: errorReply('ConfigurationError', configResult.error), summary: { outcome: 'ConfigurationError', level: 'error', fields: {} } };
  }

  const parsed = parseRequest(event);
  if ('error' in parsed) {
    // The validation message names types and lengths only, so it is safe to log.
    return {
      reply: errorReply('ValidationError', parsed.error),
      summary: { outcome: 'ValidationError', level: 'warn', fields: { validationError: parsed.error } },
    };
  }

  const outcome = await runConverseLoop(parsed.request.prompt, { client, config: configResult.config, logger, now: () => new Date() });
  const { progress } = outcome;
  const usage = { inputTokens: progress.inputTokens, outputTokens: progress.outputTokens };
  const progressFields = {
    converseCalls: progress.converseCalls,
    toolRounds: progress.toolRounds,
    ...usage,
    toolCalls: progress.toolCalls.map((call) => `${call.name}:${call.status}`),
  };

  if ('error' in outcome) {
    const failure = describeModelInvocationError(outcome.error);
    return {
      reply: errorReply('ModelInvocationError', failure.replyMessage),
      summary: {
        outcome: 'ModelInvocationError',
        level: 'error',
        fields: {
          ...progressFields,
          errorName: failure.errorName,
          errorMessage: failure.errorMessage,
          httpStatusCode: failure.httpStatusCode,
          bedrockRequestId: failure.bedrockRequestId,
        },
      },
    };
  }

  return {
    reply: { answer: outcome.answer, stopReason: outcome.stopReason, usage, toolCalls: progress.toolCalls },
    summary: { outcome: 'Answer', level: 'info', fields: { ...progressFields, stopReason: outcome.stopReason } },
  };
}

function elapsedMs(startTime: number): number {
  return Math.round(performance.now() - startTime);
}
