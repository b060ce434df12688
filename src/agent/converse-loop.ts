/**
 * The Converse tool-use loop: it sends the conversation to the model, runs the tools that the model
 * requests, sends their results back, and repeats until the model ends its turn or the tool-round limit is reached.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockRuntimeClient, ContentBlock, ConverseCommandInput, Message, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { AgentConfig } from './config';
import { InvalidModelResponseError } from './model-errors';
import type { ToolCallSummary } from './replies';
import { runTool, TOOL_SPECS } from './tools';
import type { ToolContext } from './tools';

/**
 * The stop reason of a reply that the tool-round limit ended. It is not a Converse stop reason:
 * the model's last response had stop reason `tool_use`, and its tool requests were not run.
 */
export const MAX_TOOL_ROUNDS_STOP_REASON = 'max_tool_rounds';

export interface ConverseLoopOptions {
  readonly client: BedrockRuntimeClient;
  readonly config: AgentConfig;
  /** Clock of the tools. */
  readonly now: () => Date;
  readonly logger: Logger;
}

/** Counts of the loop's work, for the reply and the summary log line. */
export interface LoopProgress {
  /** Converse calls made, including a last one that failed. */
  readonly converseCalls: number;
  /** Tool rounds run. A round runs every tool request of one model response. */
  readonly toolRounds: number;
  /** Token counts summed over the Converse responses received. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The tools run, in order. Tool requests left unrun at the tool-round limit are not listed. */
  readonly toolCalls: ToolCallSummary[];
}

/** The loop's result: the answer and the stop reason, or the error that ended it. */
export type ConverseLoopOutcome =
  | { readonly answer: string; readonly stopReason: string; readonly progress: LoopProgress }
  | { readonly error: unknown; readonly progress: LoopProgress };

/**
 * Runs the conversation for one prompt.
 *
 * Errors from Converse calls, and responses that the loop cannot use, are returned as `error`
 * rather than thrown, together with the progress made up to then.
 */
export async function runConverseLoop(prompt: string, options: ConverseLoopOptions): Promise<ConverseLoopOutcome> {
  const { client, config, logger } = options;
  const toolContext: ToolContext = { tags: config.costAllocationTags, region: config.region, now: options.now };
  const messages: Message[] = [{ role: 'user', content: [{ text: prompt }] }];
  const progress = { converseCalls: 0, toolRounds: 0, inputTokens: 0, outputTokens: 0, toolCalls: [] as ToolCallSummary[] };

  try {
    for (;;) {
      progress.converseCalls += 1;
      const response = await client.send(new ConverseCommand(buildConverseInput(config, messages)));
      progress.inputTokens += response.usage?.inputTokens ?? 0;
      progress.outputTokens += response.usage?.outputTokens ?? 0;

      const stopReason = response.stopReason ?? 'unknown';
      const message = response.output?.message;
      const content = message?.content ?? [];
      const toolUses = content.flatMap((block) => (block.toolUse ? [block.toolUse] : []));

      if (stopReason !== 'tool_use' || toolUses.length === 0) {
        return { answer: answerFromContent(content, stopReason), stopReason, progress };
      }

      // The limit is checked before running tools, so the history never ends with unanswered tool
      // requests that would need one more call, and no call is ever made without toolConfig.
      if (progress.toolRounds >= config.maxToolRounds) {
        return { answer: toolRoundLimitAnswer(config.maxToolRounds), stopReason: MAX_TOOL_ROUNDS_STOP_REASON, progress };
      }

      messages.push({ role: message?.role ?? 'assistant', content: withoutBlankText(content) });
      const toolResults: ContentBlock[] = [];
      for (const toolUse of toolUses) {
        const run = await runTool(withToolUseId(toolUse), toolContext);
        progress.toolCalls.push({ name: run.name, status: run.status });
        if (run.status === 'error') {
          logger.warn('Tool call failed', { tool: run.name, toolUseId: run.resultBlock.toolUseId, errorName: run.errorName, error: run.error });
        }
        toolResults.push({ toolResult: run.resultBlock });
      }
      // Every result of one round goes into one user message, so that user and assistant turns alternate.
      messages.push({ role: 'user', content: toolResults });
      progress.toolRounds += 1;
    }
  } catch (error) {
    return { error, progress };
  }
}

function buildConverseInput(config: AgentConfig, messages: Message[]): ConverseCommandInput {
  return {
    modelId: config.modelId,
    system: [{ text: config.systemPrompt }],
    messages: [...messages],
    toolConfig: { tools: [...TOOL_SPECS] },
    inferenceConfig: { maxTokens: config.maxOutputTokens },
  };
}

/**
 * Removes text blocks that are empty or whitespace-only from the model's message before it is sent
 * back, because Converse rejects such blocks in a request.
 */
function withoutBlankText(content: ContentBlock[]): ContentBlock[] {
  return content.filter((block) => block.text === undefined || block.text.trim() !== '');
}

function withToolUseId(toolUse: ToolUseBlock): ToolUseBlock & { toolUseId: string } {
  const toolUseId = toolUse.toolUseId;
  if (!toolUseId) {
    throw new InvalidModelResponseError(`The Converse response requested the tool ${JSON.stringify(toolUse.name)} without a toolUseId.`);
  }
  return { ...toolUse, toolUseId };
}

/** Joins the text blocks of the model's last message. When they hold no text, explains why instead. */
function answerFromContent(content: ContentBlock[], stopReason: string): string {
  const text = content.map((block) => block.text ?? '').join('');
  if (text.trim() !== '') {
    return text;
  }

  switch (stopReason) {
    case 'max_tokens':
      return 'The model returned no text (stop reason: max_tokens) because it reached the output token limit. ' +
        'Ask a narrower question, or raise MAX_OUTPUT_TOKENS.';
    case 'guardrail_intervened':
    case 'content_filtered':
      return `The model returned no text (stop reason: ${stopReason}) because content filtering blocked the request or the answer.`;
    default:
      return `The model returned no text (stop reason: ${stopReason}).`;
  }
}

function toolRoundLimitAnswer(maxToolRounds: number): string {
  return `No complete answer: the model still requested tools after ${maxToolRounds} tool rounds, ` +
    'the limit that MAX_TOOL_ROUNDS sets. Ask a narrower question, or raise MAX_TOOL_ROUNDS.';
}
