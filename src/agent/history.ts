/**
 * Validates the conversation history that a request may send in `messages`, and trims the
 * history that a reply returns, so that a reply's `messages` is always valid in the next request.
 *
 * The history uses the Converse message form, and the rules are those that the agent's own
 * requests follow:
 *
 * - At most {@link MAX_HISTORY_MESSAGES} messages, and at most {@link MAX_HISTORY_LENGTH} characters
 *   in its JSON form. An empty array is the same as no history.
 * - Messages are objects with only `role` and `content`. Roles alternate, starting with `user` and
 *   ending with `assistant`, because the new prompt follows as a user message.
 * - `content` is a non-empty array of content blocks, each an object with exactly one field:
 *   `text` in either role, `toolUse` only in assistant messages, `toolResult` only in user messages.
 * - A text block is a string with at least one character that is not white space.
 * - A `toolUse` has exactly `toolUseId`, `name` and `input` (any JSON value but null). A `toolResult`
 *   has `toolUseId`, a non-empty `content` array of `{"text": ...}` or `{"json": ...}` blocks, and an
 *   optional `status` of `success` or `error`. Tool use IDs and tool names have 1 to 64 characters
 *   from A-Z, a-z, 0-9, `_` and `-`, as the Converse API's ToolUseId and ToolName shapes require.
 * - A user message contains either text blocks only (a prompt) or toolResult blocks only. The
 *   message after an assistant message with toolUse blocks contains exactly one toolResult block
 *   for each of them, and no other block. Tool use IDs are unique in the whole history. The last
 *   message has no toolUse block.
 */
import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';

/** Maximum number of messages in `messages`. */
export const MAX_HISTORY_MESSAGES = 200;

/**
 * Maximum length of `messages` in its JSON form, in UTF-16 code units as `String.length` counts them.
 *
 * Every Converse call of an invocation sends the whole history again. At an estimated four
 * characters a token, 200,000 characters are about 50,000 input tokens a call. The JSON form is at
 * most about 600 KB in UTF-8, well within the 6 MB payload limit of a synchronous Lambda invocation.
 */
export const MAX_HISTORY_LENGTH = 200_000;

/** Tool use IDs and tool names: the pattern and lengths of the Converse ToolUseId and ToolName shapes. */
export const TOOL_IDENTIFIER_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** The result of {@link validateHistory}: the messages, or a message that names the invalid index or field. */
export type HistoryResult =
  | { readonly messages: Message[] }
  | { readonly error: string };

const FIX = 'Send back the "messages" array of the previous reply unchanged, or leave "messages" out to start a new conversation.';
const IDENTIFIER_RULE = '1 to 64 characters from A-Z, a-z, 0-9, "_" and "-"';

/** Validates the `messages` field of a request. `undefined` is no history. */
export function validateHistory(value: unknown): HistoryResult {
  if (value === undefined) {
    return { messages: [] };
  }
  try {
    return { messages: checkHistory(value) };
  } catch (error) {
    if (error instanceof HistoryError) {
      return { error: `The "messages" field is invalid: ${error.message}. ${FIX}` };
    }
    throw error;
  }
}

/** Returns true if `text` is empty or contains only white space, which Converse rejects in a text block. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** Returns the length of `messages` in its JSON form, as {@link MAX_HISTORY_LENGTH} measures it. */
export function historyLength(messages: readonly Message[]): number {
  return JSON.stringify(messages).length;
}

/**
 * Shortens a history that a reply returns until it fits the limits above, so that the client can
 * send it back. It drops the oldest turns first, where a turn is a user prompt with every message
 * up to the next prompt. When the last turn alone is too long, it keeps only that turn's prompt and
 * final answer, without its tool rounds. `messages` must be valid history.
 */
export function trimHistory(messages: readonly Message[]): { readonly messages: Message[]; readonly droppedMessages: number } {
  const fits = (candidate: readonly Message[]) => candidate.length <= MAX_HISTORY_MESSAGES && historyLength(candidate) <= MAX_HISTORY_LENGTH;
  const turnStarts = messages.flatMap((message, index) => (isPrompt(message) ? [index] : []));

  for (const start of turnStarts) {
    const candidate = messages.slice(start);
    if (fits(candidate)) {
      return { messages: candidate, droppedMessages: start };
    }
  }

  // The last turn alone does not fit. Its prompt has at most MAX_PROMPT_LENGTH characters and its
  // answer at most MAX_OUTPUT_TOKENS tokens, so the two messages fit.
  const lastStart = turnStarts[turnStarts.length - 1] ?? 0;
  const compact = [messages[lastStart], messages[messages.length - 1]];
  return { messages: compact, droppedMessages: messages.length - compact.length };
}

class HistoryError extends Error {}

/** Matches a UTF-16 surrogate that is not part of a pair: with the u flag, a pair is one code point. */
export const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Returns the length of `value` as JSON, and rejects a value that JSON.stringify cannot serialize
 * (nesting deep enough to overflow the stack) or whose strings are not valid Unicode.
 */
function serializedLength(value: unknown[]): number {
  let invalidText = false;
  let json: string;
  try {
    json = JSON.stringify(value, (_key, item: unknown) => {
      invalidText ||= typeof item === 'string' && LONE_SURROGATE.test(item);
      return item;
    });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new HistoryError('it is nested too deeply to read');
    }
    throw error;
  }
  if (invalidText) {
    throw new HistoryError('it contains a string with an unpaired UTF-16 surrogate, which is not valid Unicode');
  }
  return json.length;
}

function checkHistory(value: unknown): Message[] {
  if (!Array.isArray(value)) {
    throw new HistoryError(`it must be an array of messages, but received ${describeValue(value)}`);
  }
  if (value.length > MAX_HISTORY_MESSAGES) {
    throw new HistoryError(`it has ${value.length} messages, over the maximum of ${MAX_HISTORY_MESSAGES}. Start a new conversation, or send only the latest turns`);
  }
  const length = serializedLength(value);
  if (length > MAX_HISTORY_LENGTH) {
    throw new HistoryError(`it is ${length} characters long as JSON, over the maximum of ${MAX_HISTORY_LENGTH}. Start a new conversation, or send only the latest turns`);
  }

  const seenToolUseIds = new Set<string>();
  let pendingToolUseIds: string[] = [];
  value.forEach((message, index) => {
    const path = `messages[${index}]`;
    const expectedRole = index % 2 === 0 ? 'user' : 'assistant';
    const content = checkMessage(message, path, expectedRole);

    if (expectedRole === 'assistant') {
      pendingToolUseIds = checkAssistantContent(content, path, seenToolUseIds);
    } else {
      checkUserContent(content, path, pendingToolUseIds);
      pendingToolUseIds = [];
    }
  });

  if (value.length % 2 === 1) {
    throw new HistoryError(`it ends with a user message at messages[${value.length - 1}], but it must end with an assistant message, because the new prompt follows it`);
  }
  if (pendingToolUseIds.length > 0) {
    throw new HistoryError(`the last message, messages[${value.length - 1}], requests tools, but no later message contains their results`);
  }
  return value as Message[];
}

/** Checks the fields and role of one message and returns its content blocks. */
function checkMessage(message: unknown, path: string, expectedRole: 'user' | 'assistant'): unknown[] {
  const fields = checkObject(message, path, ['role', 'content']);
  if (fields.role !== 'user' && fields.role !== 'assistant') {
    throw new HistoryError(`${path}.role must be "user" or "assistant", but received ${describeValue(fields.role)}`);
  }
  if (fields.role !== expectedRole) {
    throw new HistoryError(`${path}.role is "${fields.role}", but it must be "${expectedRole}": roles alternate, starting with "user"`);
  }
  if (!Array.isArray(fields.content) || fields.content.length === 0) {
    throw new HistoryError(`${path}.content must be a non-empty array of content blocks, but received ${describeValue(fields.content)}`);
  }
  return fields.content;
}

/** Checks the blocks of an assistant message and returns the IDs of its tool requests. */
function checkAssistantContent(content: unknown[], path: string, seenToolUseIds: Set<string>): string[] {
  const toolUseIds: string[] = [];
  content.forEach((block, index) => {
    const blockPath = `${path}.content[${index}]`;
    const [kind, body] = checkBlock(block, blockPath, ['text', 'toolUse']);
    if (kind === 'text') {
      checkText(body, `${blockPath}.text`);
      return;
    }

    const toolUse = checkObject(body, `${blockPath}.toolUse`, ['toolUseId', 'name', 'input']);
    const toolUseId = checkIdentifier(toolUse.toolUseId, `${blockPath}.toolUse.toolUseId`);
    checkIdentifier(toolUse.name, `${blockPath}.toolUse.name`);
    if (toolUse.input === undefined || toolUse.input === null) {
      throw new HistoryError(`${blockPath}.toolUse.input is missing or null. Send the tool input that the model requested, such as {}`);
    }
    if (seenToolUseIds.has(toolUseId)) {
      throw new HistoryError(`${blockPath}.toolUse.toolUseId repeats an earlier tool use ID, but each must be unique`);
    }
    seenToolUseIds.add(toolUseId);
    toolUseIds.push(toolUseId);
  });
  return toolUseIds;
}

/** Checks the blocks of a user message against the tool requests of the assistant message before it. */
function checkUserContent(content: unknown[], path: string, pendingToolUseIds: readonly string[]): void {
  const blocks = content.map((block, index) => checkBlock(block, `${path}.content[${index}]`, ['text', 'toolResult']));

  if (pendingToolUseIds.length === 0) {
    blocks.forEach(([kind, body], index) => {
      if (kind !== 'text') {
        throw new HistoryError(`${path}.content[${index}] is a toolResult, but the message before requests no tool`);
      }
      checkText(body, `${path}.content[${index}].text`);
    });
    return;
  }

  const unanswered = new Set(pendingToolUseIds);
  blocks.forEach(([kind, body], index) => {
    const blockPath = `${path}.content[${index}]`;
    if (kind !== 'toolResult') {
      throw new HistoryError(`${blockPath} is a text block, but this message must contain only the toolResult blocks for the tool requests of the message before`);
    }
    const toolUseId = checkToolResult(body, `${blockPath}.toolResult`);
    if (!unanswered.delete(toolUseId)) {
      throw new HistoryError(`${blockPath}.toolResult.toolUseId matches no tool request of the message before, or one that already has a result`);
    }
  });
  if (unanswered.size > 0) {
    throw new HistoryError(`${path} contains results for ${pendingToolUseIds.length - unanswered.size} of the ${pendingToolUseIds.length} tool requests ` +
      'of the message before, but it must contain a result for each');
  }
}

/** Checks a toolResult block and returns its tool use ID. */
function checkToolResult(body: unknown, path: string): string {
  const toolResult = checkObject(body, path, ['toolUseId', 'content', 'status']);
  const toolUseId = checkIdentifier(toolResult.toolUseId, `${path}.toolUseId`);
  if (toolResult.status !== undefined && toolResult.status !== 'success' && toolResult.status !== 'error') {
    throw new HistoryError(`${path}.status must be "success" or "error" when present, but received ${describeValue(toolResult.status)}`);
  }
  if (!Array.isArray(toolResult.content) || toolResult.content.length === 0) {
    throw new HistoryError(`${path}.content must be a non-empty array, but received ${describeValue(toolResult.content)}`);
  }
  toolResult.content.forEach((block, index) => {
    const [kind, value] = checkBlock(block, `${path}.content[${index}]`, ['text', 'json']);
    if (kind === 'text') {
      checkText(value, `${path}.content[${index}].text`);
    } else if (value === undefined || value === null) {
      throw new HistoryError(`${path}.content[${index}].json is missing or null`);
    }
  });
  return toolUseId;
}

/** Checks that `block` is an object with exactly one field, one of `kinds`, and returns that field's name and value. */
function checkBlock(block: unknown, path: string, kinds: readonly string[]): [string, unknown] {
  const fields = checkObject(block, path, kinds);
  const present = Object.keys(fields);
  if (present.length !== 1) {
    throw new HistoryError(`${path} must have exactly one of the fields ${kinds.map((kind) => `"${kind}"`).join(', ')}, but has ${present.length}`);
  }
  return [present[0], fields[present[0]]];
}

/** Checks that `value` is a plain object whose fields are all in `allowed`, and returns it. */
function checkObject(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HistoryError(`${path} must be an object, but received ${describeValue(value)}`);
  }
  const unknownFields = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknownFields.length > 0) {
    throw new HistoryError(`${path} has ${unknownFields.length} field(s) other than ${allowed.map((field) => `"${field}"`).join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function checkText(value: unknown, path: string): void {
  if (typeof value !== 'string') {
    throw new HistoryError(`${path} must be a string, but received ${describeValue(value)}`);
  }
  if (isBlank(value)) {
    throw new HistoryError(`${path} is empty or contains only white space (${value.length} characters)`);
  }
}

function checkIdentifier(value: unknown, path: string): string {
  if (typeof value !== 'string' || !TOOL_IDENTIFIER_PATTERN.test(value)) {
    throw new HistoryError(`${path} must have ${IDENTIFIER_RULE}, but received ${describeValue(value)}`);
  }
  return value;
}

function isPrompt(message: Message): boolean {
  return message.role === 'user' && (message.content ?? []).every((block: ContentBlock) => block.text !== undefined);
}

/** Describes a value by its type, and a string or array also by its length, never by its content. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `an array of length ${value.length}`;
  }
  if (typeof value === 'string') {
    return `a string of ${value.length} characters`;
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return `a ${typeof value}`;
}
