/**
 * Validates the event of a direct invocation:
 *
 * ```json
 * {"prompt": "question", "caller": "tenant-42", "messages": [...]}
 * ```
 *
 * - `prompt` (required): the new question, 1 to {@link MAX_PROMPT_LENGTH} characters with at
 *   least one that is not white space.
 * - `caller` (optional): the ID of the user or tenant that sends the prompt. It is sent to Amazon
 *   Bedrock as request metadata under the key `caller`, so it follows the request-metadata rules
 *   in `request-metadata.ts`.
 * - `messages` (optional): the conversation so far, as the `messages` of the previous reply
 *   returned it. `history.ts` has the rules.
 *
 * Other fields are ignored. Messages name the field, the type or length of the value received and
 * the fix. They never quote the prompt, the caller or the history, because the handler logs them.
 */
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { describeValue, LONE_SURROGATE, validateHistory } from './history';
import { hasRequestMetadataCharacters, MAX_REQUEST_METADATA_LENGTH, REQUEST_METADATA_CHARACTERS_TEXT } from './request-metadata';

/**
 * Maximum length of `prompt`, in UTF-16 code units as `String.length` counts them.
 *
 * It bounds the input tokens that one question can cost: at an estimated four characters a token,
 * 20,000 characters are about 5,000 tokens, which every Converse call of the invocation sends again.
 */
export const MAX_PROMPT_LENGTH = 20_000;

/** A valid request. */
export interface AgentRequest {
  readonly prompt: string;
  /** The caller for request metadata, or undefined when the request names none. */
  readonly caller?: string;
  /** The conversation before the prompt, empty when the request has none. */
  readonly history: Message[];
}

/** The result of {@link parseRequest}: the request, or a message that describes what is invalid. */
export type RequestResult =
  | { readonly request: AgentRequest }
  | { readonly error: string };

const EXAMPLE_REQUEST = '{"prompt": "Where does the cost of this application appear?"}';

/** Validates an invocation event and returns the request it contains. */
export function parseRequest(event: unknown): RequestResult {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { error: `The request must be a JSON object such as ${EXAMPLE_REQUEST}, but received ${describeValue(event)}.` };
  }
  const fields = event as Record<string, unknown>;

  const promptError = promptProblem(fields.prompt);
  if (promptError !== undefined) {
    return { error: promptError };
  }

  const callerError = callerProblem(fields.caller);
  if (callerError !== undefined) {
    return { error: callerError };
  }

  const history = validateHistory(fields.messages);
  if ('error' in history) {
    return { error: history.error };
  }

  return {
    request: {
      prompt: fields.prompt as string,
      ...(fields.caller !== undefined ? { caller: fields.caller as string } : {}),
      history: history.messages,
    },
  };
}

function promptProblem(prompt: unknown): string | undefined {
  if (prompt === undefined) {
    return `The request has no "prompt" field. Send a JSON object such as ${EXAMPLE_REQUEST}.`;
  }
  if (typeof prompt !== 'string') {
    return `The "prompt" field must be a string, but received ${describeValue(prompt)}. Send the question as a JSON string.`;
  }
  if (prompt.length === 0) {
    return `The "prompt" field is empty. Send a question of 1 to ${MAX_PROMPT_LENGTH} characters.`;
  }
  if (prompt.trim().length === 0) {
    return `The "prompt" field contains only whitespace (${prompt.length} characters). Send a question with visible text.`;
  }
  if (prompt.length > MAX_PROMPT_LENGTH) {
    return `The "prompt" field is ${prompt.length} characters long, over the maximum of ${MAX_PROMPT_LENGTH}. Shorten the question.`;
  }
  const surrogate = LONE_SURROGATE.exec(prompt);
  if (surrogate !== null) {
    return `The "prompt" field contains an unpaired UTF-16 surrogate at index ${surrogate.index}, which is not valid Unicode. Send the question as valid UTF-8 text.`;
  }
  return undefined;
}

function callerProblem(caller: unknown): string | undefined {
  if (caller === undefined) {
    return undefined;
  }
  const rule = `Send a caller ID of 1 to ${MAX_REQUEST_METADATA_LENGTH} characters from ${REQUEST_METADATA_CHARACTERS_TEXT}, ` +
    'with at least one that is not white space, or leave "caller" out.';
  if (typeof caller !== 'string') {
    return `The "caller" field must be a string, but received ${describeValue(caller)}. ${rule}`;
  }
  if (caller.trim().length === 0) {
    return `The "caller" field is empty or contains only white space (${caller.length} characters). ${rule}`;
  }
  if (caller.length > MAX_REQUEST_METADATA_LENGTH) {
    return `The "caller" field is ${caller.length} characters long, over the maximum of ${MAX_REQUEST_METADATA_LENGTH} for Amazon Bedrock request metadata. ${rule}`;
  }
  if (!hasRequestMetadataCharacters(caller)) {
    return `The "caller" field contains characters that Amazon Bedrock does not accept in request metadata. ${rule}`;
  }
  return undefined;
}
