/**
 * One tool round of the Converse loop: it checks the model's tool requests, runs them, and builds the
 * two messages that the history gains. Every toolUse block that Bedrock receives then has exactly
 * one toolResult block in the next message, and no text block is empty.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ContentBlock, Message, ToolResultBlock, ToolResultContentBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { isBlank, TOOL_IDENTIFIER_PATTERN } from './history';
import { InvalidModelResponseError } from './model-errors';
import type { ToolCallSummary } from './replies';
import type { ToolContext, ToolRun } from './tools';

/** Runs one tool request. The loop passes `runTool` from tools.ts, and tests a stand-in. */
export type ToolRunner = (toolUse: ToolUseBlock & { toolUseId: string }, context: ToolContext) => Promise<ToolRun>;

/** A tool request whose fields were checked, so it can be sent back to Bedrock as it is. */
export interface ToolRequest {
  readonly toolUseId: string;
  readonly name: string;
  readonly input: NonNullable<ToolUseBlock['input']>;
}

/** The text of a tool result whose content was empty, because Converse rejects an empty text block. */
export const EMPTY_TOOL_RESULT_TEXT = 'The tool returned no output.';

/**
 * Checks the toolUse blocks of a response before any of them runs.
 *
 * Each needs a toolUseId and a name that fit the Converse ToolUseId and ToolName shapes, and an
 * input. A toolUseId must differ from every other one in the conversation, because a toolResult
 * refers to its request by that ID. `seenToolUseIds` contains the IDs so far and gains the new ones.
 *
 * @throws InvalidModelResponseError when a block breaks a rule, so that no request is sent that
 * Bedrock would reject.
 */
export function checkToolRequests(toolUses: readonly ToolUseBlock[], seenToolUseIds: Set<string>): ToolRequest[] {
  const requests = toolUses.map((toolUse) => {
    const { toolUseId, name, input } = toolUse;
    if (typeof toolUseId !== 'string' || !TOOL_IDENTIFIER_PATTERN.test(toolUseId)) {
      throw new InvalidModelResponseError('The Converse response requested a tool without a valid toolUseId (1 to 64 characters from A-Z, a-z, 0-9, "_" and "-").');
    }
    if (typeof name !== 'string' || !TOOL_IDENTIFIER_PATTERN.test(name)) {
      throw new InvalidModelResponseError(`The Converse response requested a tool without a valid name, in the toolUse block ${toolUseId}.`);
    }
    if (input === undefined || input === null) {
      throw new InvalidModelResponseError(`The Converse response requested the tool ${name} without input, in the toolUse block ${toolUseId}.`);
    }
    if (seenToolUseIds.has(toolUseId)) {
      throw new InvalidModelResponseError(`The Converse response reused the toolUseId ${toolUseId}, which another tool request of this conversation has.`);
    }
    seenToolUseIds.add(toolUseId);
    return { toolUseId, name, input };
  });
  return requests;
}

/**
 * Builds the assistant message that the history keeps for a response with tool requests: its text
 * blocks that are not blank, and the checked tool requests.
 *
 * Other block kinds, such as reasoningContent, are left out, because `messages` does not accept
 * them. NOTE: a model with extended thinking needs its reasoning blocks sent back with tool
 * results. The agent does not turn thinking on, so it has not needed them.
 */
export function assistantToolMessage(content: readonly ContentBlock[], requests: readonly ToolRequest[]): Message {
  const textBlocks: ContentBlock[] = content.flatMap((block) => (block.text !== undefined && !isBlank(block.text) ? [{ text: block.text }] : []));
  const toolUseBlocks: ContentBlock[] = requests.map((request) => ({ toolUse: { ...request } }));
  return { role: 'assistant', content: [...textBlocks, ...toolUseBlocks] };
}

/** The dependencies of a tool round, besides the requests. */
export interface ToolRoundOptions {
  readonly runTool: ToolRunner;
  readonly context: ToolContext;
  readonly logger: Logger;
  /** Receives one summary per tool call, in order. */
  readonly toolCalls: ToolCallSummary[];
}

/**
 * Runs the requests one after the other and returns the user message with their results, one
 * toolResult block per request, in the order of the requests.
 *
 * A runner that throws gives an error result, so a request never stays unanswered.
 */
export async function runToolRound(requests: readonly ToolRequest[], options: ToolRoundOptions): Promise<Message> {
  const content: ContentBlock[] = [];
  for (const request of requests) {
    const run = await runOneTool(request, options);
    options.toolCalls.push({ name: request.name, status: run.status });
    if (run.status === 'error') {
      options.logger.warn('Tool call failed', { tool: request.name, toolUseId: request.toolUseId, errorName: run.errorName, error: run.error });
    }
    content.push({ toolResult: sendableToolResult(run.resultBlock, request.toolUseId) });
  }
  return { role: 'user', content };
}

async function runOneTool(request: ToolRequest, options: ToolRoundOptions): Promise<ToolRun> {
  try {
    return await options.runTool({ ...request }, options.context);
  } catch (error) {
    const errorName = error instanceof Error ? error.name : 'UnknownError';
    const text = `The tool ${request.name} failed with ${errorName}. Answer without its result.`;
    return {
      name: request.name,
      status: 'error',
      resultBlock: { toolUseId: request.toolUseId, content: [{ text }], status: 'error' },
      errorName,
      error,
    };
  }
}

/**
 * Returns a copy of a tool result, for the request `toolUseId`, that Bedrock accepts: only text and
 * JSON content, no blank text, at least one content block, and a status of `success` or `error`.
 */
export function sendableToolResult(block: ToolResultBlock, toolUseId: string): ToolResultBlock {
  const content = (block.content ?? []).flatMap((item): ToolResultContentBlock[] => {
    if (item.text !== undefined) {
      return isBlank(item.text) ? [] : [{ text: item.text }];
    }
    if (item.json !== undefined && item.json !== null) {
      return [{ json: item.json }];
    }
    return [];
  });
  return {
    toolUseId,
    content: content.length > 0 ? content : [{ text: EMPTY_TOOL_RESULT_TEXT }],
    ...(block.status === 'success' || block.status === 'error' ? { status: block.status } : {}),
  };
}
