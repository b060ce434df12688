/**
 * The Converse tool-use loop: it sends the conversation to the model, runs the tools that the model
 * requests, sends their results back, and repeats until a response ends the loop. `stop-reasons.ts`
 * lists what each stop reason does.
 *
 * Every request carries `toolConfig`, the application's request metadata, and a history whose roles
 * alternate, whose toolUse blocks each have exactly one toolResult block in the next message, and
 * whose text blocks are never blank. The loop ends after at most `maxToolRounds + 1` Converse calls.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, ConverseCommandInput, ConverseCommandOutput, Message } from '@aws-sdk/client-bedrock-runtime';
import type { AgentConfig } from './config';
import { Deadline, DeadlineExceededError, MIN_CONVERSE_CALL_MS } from './deadline';
import { isBlank, trimHistory } from './history';
import type { ToolCallSummary } from './replies';
import { buildRequestMetadata } from './request-metadata';
import { MAX_TOOL_ROUNDS_STOP_REASON, MISSING_STOP_REASON, stopReasonOutcome, toolRoundLimitAnswer } from './stop-reasons';
import { assistantToolMessage, checkToolRequests, runToolRound } from './tool-round';
import type { ToolRequest, ToolRoundOptions, ToolRunner } from './tool-round';
import { runTool, TOOL_SPECS } from './tools';
import type { ToolContext } from './tools';

/** The part of the Bedrock runtime client that the loop uses, so that tests can pass a stand-in. */
export interface ConverseClient {
  send(command: ConverseCommand, options?: { abortSignal?: AbortSignal }): Promise<ConverseCommandOutput>;
}

export interface ConverseLoopOptions {
  readonly client: ConverseClient;
  readonly config: AgentConfig;
  /** Clock of the tools. */
  readonly now: () => Date;
  readonly logger: Logger;
  /** The invocation's deadline, which aborts a Converse call and stops the loop from starting one. */
  readonly deadline: Deadline;
  /** Runs one tool request. Defaults to `runTool` from tools.ts. */
  readonly runTool?: ToolRunner;
}

/** One turn of the conversation: the new prompt, the history before it and the caller for request metadata. */
export interface ConversationTurn {
  readonly prompt: string;
  /** Valid history, as `validateHistory` returns it. */
  readonly history: readonly Message[];
  readonly caller?: string;
}

/** Counts of the loop's work, for the reply and the summary log line. */
export interface LoopProgress {
  /** Converse calls made, including a last one that failed. */
  readonly converseCalls: number;
  /** HTTP attempts of those calls, including the SDK's retries. */
  readonly converseAttempts: number;
  /** Tool rounds run. A round runs every tool request of one model response. */
  readonly toolRounds: number;
  /** Token counts summed over the Converse responses received. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The tools run, in order. */
  readonly toolCalls: ToolCallSummary[];
  /** Tool requests of the last response that were not run, because its stop reason or the tool-round limit ended the loop. */
  readonly toolRequestsNotRun: number;
}

/** The loop's result: the answer, its stop reason and the updated history, or the error that ended it. */
export type ConverseLoopOutcome =
  | {
    readonly answer: string;
    readonly stopReason: string;
    /** The history to return, which `trimHistory` fitted to the limits of `messages`. */
    readonly messages: Message[];
    /** Messages left out of the returned history by `trimHistory`. */
    readonly droppedMessages: number;
    /** Level of the summary log line, from `stop-reasons.ts`. */
    readonly logLevel: 'info' | 'warn';
    readonly progress: LoopProgress;
  }
  | { readonly error: unknown; readonly progress: LoopProgress };

/**
 * Runs the conversation for one turn.
 *
 * Errors from Converse calls, responses that the loop cannot use and the deadline are returned as
 * `error` rather than thrown, together with the progress made up to then.
 */
export async function runConverseLoop(turn: ConversationTurn, options: ConverseLoopOptions): Promise<ConverseLoopOutcome> {
  const { config, logger } = options;
  const toolContext: ToolContext = { tags: config.costAllocationTags, region: config.region, now: options.now };
  const requestMetadata = buildRequestMetadata(config.costAllocationTags, turn.caller);
  const messages: Message[] = [...turn.history, { role: 'user', content: [{ text: turn.prompt }] }];
  const seenToolUseIds = new Set(toolUseIdsOf(turn.history));
  const progress = {
    converseCalls: 0,
    converseAttempts: 0,
    toolRounds: 0,
    inputTokens: 0,
    outputTokens: 0,
    toolCalls: [] as ToolCallSummary[],
    toolRequestsNotRun: 0,
  };

  try {
    for (;;) {
      const input = buildConverseInput(config, messages, requestMetadata);
      const response = await callConverse(options.client, input, options.deadline, progress, logger);
      progress.inputTokens += response.usage?.inputTokens ?? 0;
      progress.outputTokens += response.usage?.outputTokens ?? 0;

      const stopReason = response.stopReason ?? MISSING_STOP_REASON;
      const content = response.output?.message?.content ?? [];
      const toolUses = content.flatMap((block) => (block.toolUse ? [block.toolUse] : []));

      if (stopReason !== 'tool_use' || toolUses.length === 0) {
        progress.toolRequestsNotRun = toolUses.length;
        const outcome = stopReasonOutcome(stopReason);
        const text = outcome.discardText ? '' : content.map((block) => block.text ?? '').join('');
        return finish(messages, isBlank(text) ? outcome.emptyAnswer : text, stopReason, outcome.logLevel, progress);
      }

      // The limit is checked before running tools, so no tool runs whose result would never be sent,
      // and the returned history ends with the limit answer rather than with unanswered tool requests.
      if (progress.toolRounds >= config.maxToolRounds) {
        progress.toolRequestsNotRun = toolUses.length;
        return finish(messages, toolRoundLimitAnswer(config.maxToolRounds), MAX_TOOL_ROUNDS_STOP_REASON, 'warn', progress);
      }

      const requests = checkToolRequests(toolUses, seenToolUseIds);
      messages.push(assistantToolMessage(content, requests));
      // Every result of one round goes into one user message, so that user and assistant turns alternate.
      messages.push(await runToolRoundBeforeDeadline(requests, {
        runTool: options.runTool ?? runTool,
        context: toolContext,
        logger,
        toolCalls: progress.toolCalls,
      }, options.deadline));
      progress.toolRounds += 1;
    }
  } catch (error) {
    return { error, progress };
  }
}

/**
 * Time before the deadline at which a tool round's AWS calls are aborted: enough to start the
 * Converse call that reports the failure (MIN_CONVERSE_CALL_MS), plus one second for the aborted
 * call to unwind and the next request to be built.
 */
const TOOL_ROUND_RESERVE_MS = MIN_CONVERSE_CALL_MS + 1_000;

/**
 * Runs a tool round whose AWS calls are aborted TOOL_ROUND_RESERVE_MS before the deadline, so that
 * a slow or hung tool leaves time for the Converse call that reports its failure.
 */
async function runToolRoundBeforeDeadline(requests: ToolRequest[], roundOptions: ToolRoundOptions, deadline: Deadline): Promise<Message> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, deadline.remainingMs() - TOOL_ROUND_RESERVE_MS));
  try {
    return await runToolRound(requests, { ...roundOptions, context: { ...roundOptions.context, abortSignal: controller.signal } });
  } finally {
    clearTimeout(timer);
  }
}

function buildConverseInput(config: AgentConfig, messages: readonly Message[], requestMetadata: Record<string, string>): ConverseCommandInput {
  return {
    modelId: config.modelId,
    system: [{ text: config.systemPrompt }],
    messages: [...messages],
    toolConfig: { tools: [...TOOL_SPECS] },
    inferenceConfig: { ...config.inference.inferenceConfig },
    requestMetadata: { ...requestMetadata },
  };
}

/**
 * Sends one Converse request, aborted at the deadline. The SDK retries inside `send`, and every
 * attempt sends the same serialized request, so a retry never adds a message to the history.
 *
 * @throws DeadlineExceededError when less than MIN_CONVERSE_CALL_MS remain, or when the deadline aborted the call
 */
async function callConverse(
  client: ConverseClient,
  input: ConverseCommandInput,
  deadline: Deadline,
  progress: { converseCalls: number; converseAttempts: number },
  logger: Logger,
): Promise<ConverseCommandOutput> {
  const remainingMs = deadline.remainingMs();
  if (remainingMs < MIN_CONVERSE_CALL_MS) {
    throw new DeadlineExceededError('beforeCall', remainingMs);
  }

  progress.converseCalls += 1;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), remainingMs);
  try {
    const response = await client.send(new ConverseCommand(input), { abortSignal: controller.signal });
    const attempts = response.$metadata?.attempts ?? 1;
    progress.converseAttempts += attempts;
    if (attempts > 1) {
      logger.info('Converse call succeeded after retries', { attempts, totalRetryDelayMs: response.$metadata.totalRetryDelay });
    }
    return response;
  } catch (error) {
    progress.converseAttempts += attemptsOf(error);
    if (controller.signal.aborted) {
      throw new DeadlineExceededError('duringCall', deadline.remainingMs(), { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the loop: the history gains one assistant message whose one text block is the answer. */
function finish(messages: readonly Message[], answer: string, stopReason: string, logLevel: 'info' | 'warn', progress: LoopProgress): ConverseLoopOutcome {
  const trimmed = trimHistory([...messages, { role: 'assistant', content: [{ text: answer }] }]);
  return { answer, stopReason, messages: trimmed.messages, droppedMessages: trimmed.droppedMessages, logLevel, progress };
}

function toolUseIdsOf(messages: readonly Message[]): string[] {
  const blocks: ContentBlock[] = messages.flatMap((message) => message.content ?? []);
  return blocks.flatMap((block) => (block.toolUse?.toolUseId ? [block.toolUse.toolUseId] : []));
}

/** Reads the attempts that the SDK records in an error's `$metadata`, or 1 when it recorded none. */
function attemptsOf(error: unknown): number {
  const attempts = (error as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}
