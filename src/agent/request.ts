/**
 * Validates the event of a direct invocation, which must be `{"prompt": string}`.
 *
 * Messages name the field, the type or length of the value received and the fix. They never
 * quote the prompt itself, because the handler logs them.
 */

/**
 * Maximum length of `prompt`, in UTF-16 code units as `String.length` counts them.
 *
 * It bounds the input tokens that one question can cost: at an estimated four characters a token,
 * 20,000 characters are about 5,000 tokens, which every Converse call of the invocation sends again.
 */
export const MAX_PROMPT_LENGTH = 20_000;

/** A valid request. Fields other than `prompt` are ignored. */
export interface AgentRequest {
  readonly prompt: string;
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

  const prompt: unknown = (event as Record<string, unknown>).prompt;
  if (prompt === undefined) {
    return { error: `The request has no "prompt" field. Send a JSON object such as ${EXAMPLE_REQUEST}.` };
  }
  if (typeof prompt !== 'string') {
    return { error: `The "prompt" field must be a string, but received ${describeValue(prompt)}. Send the question as a JSON string.` };
  }
  if (prompt.length === 0) {
    return { error: `The "prompt" field is empty. Send a question of 1 to ${MAX_PROMPT_LENGTH} characters.` };
  }
  if (prompt.trim().length === 0) {
    return { error: `The "prompt" field contains only whitespace (${prompt.length} characters). Send a question with visible text.` };
  }
  if (prompt.length > MAX_PROMPT_LENGTH) {
    return {
      error: `The "prompt" field is ${prompt.length} characters long, over the maximum of ${MAX_PROMPT_LENGTH}. Shorten the question.`,
    };
  }

  return { request: { prompt } };
}

/** Describes a value by its type, and a string or array also by its length, never by its content. */
function describeValue(value: unknown): string {
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
