/**
 * What the agent does for each stop reason of a Converse response. This table is the one place
 * that decides it.
 *
 * The stop reasons are those of the `StopReason` enum of @aws-sdk/client-bedrock-runtime 3.1178.
 * Only `tool_use` with at least one toolUse block continues the loop. Every other response ends it,
 * and its toolUse blocks, such as a tool call cut off by the output token limit, are never run.
 *
 * The reply's `answer` is the text of the response's text blocks joined together, or, when they
 * hold no text that is not white space, the explanation below. The reply's `stopReason` is the
 * response's stop reason, `max_tool_rounds` at the tool-round limit, or `unknown` when the response
 * has none. For `malformed_model_output` and `malformed_tool_use` the answer is always the
 * explanation, because the model's output is unusable.
 *
 * | Stop reason | Outcome | Summary log level |
 * | --- | --- | --- |
 * | `end_turn` | answer | INFO |
 * | `stop_sequence` | answer | INFO |
 * | `tool_use` with toolUse blocks | run the tools and call the model again; at the tool-round limit, the limit answer with stop reason `max_tool_rounds` | INFO, WARN at the limit |
 * | `tool_use` without toolUse blocks | answer | WARN |
 * | `max_tokens` | answer, which may be cut off | WARN |
 * | `guardrail_intervened` | answer, usually the guardrail's message | WARN |
 * | `content_filtered` | answer | WARN |
 * | `malformed_model_output` | explanation | WARN |
 * | `malformed_tool_use` | explanation | WARN |
 * | `model_context_window_exceeded` | answer, which may be cut off | WARN |
 * | any other value, or none | answer | WARN |
 */

/** The reply's stop reason when the tool-round limit ended the loop. It is not a Converse stop reason. */
export const MAX_TOOL_ROUNDS_STOP_REASON = 'max_tool_rounds';

/** The reply's stop reason when a Converse response has none. */
export const MISSING_STOP_REASON = 'unknown';

/** The outcome of a response that ends the loop. */
export interface StopReasonOutcome {
  /** The answer when the response has no usable text. */
  readonly emptyAnswer: string;
  /** True when the model's text is discarded and the answer is always `emptyAnswer`. */
  readonly discardText: boolean;
  readonly logLevel: 'info' | 'warn';
}

const NO_TEXT = 'The model returned no text';

const OUTCOMES: ReadonlyMap<string, StopReasonOutcome> = new Map([
  ['end_turn', { emptyAnswer: `${NO_TEXT} (stop reason: end_turn). Ask the question again, or rephrase it.`, discardText: false, logLevel: 'info' }],
  ['stop_sequence', { emptyAnswer: `${NO_TEXT} (stop reason: stop_sequence) before it reached a stop sequence.`, discardText: false, logLevel: 'info' }],
  ['tool_use', {
    emptyAnswer: `${NO_TEXT} (stop reason: tool_use), and it requested no tool. Ask the question again, or rephrase it.`,
    discardText: false,
    logLevel: 'warn',
  }],
  ['max_tokens', {
    emptyAnswer: `${NO_TEXT} (stop reason: max_tokens) because it reached the output token limit. Ask a narrower question, or raise maxOutputTokens (MAX_OUTPUT_TOKENS).`,
    discardText: false,
    logLevel: 'warn',
  }],
  ['guardrail_intervened', {
    emptyAnswer: `${NO_TEXT} (stop reason: guardrail_intervened) because a guardrail blocked the request or the answer.`,
    discardText: false,
    logLevel: 'warn',
  }],
  ['content_filtered', {
    emptyAnswer: `${NO_TEXT} (stop reason: content_filtered) because content filtering blocked the request or the answer.`,
    discardText: false,
    logLevel: 'warn',
  }],
  ['malformed_model_output', {
    emptyAnswer: 'The model returned malformed output (stop reason: malformed_model_output), so it was discarded. Ask the question again.',
    discardText: true,
    logLevel: 'warn',
  }],
  ['malformed_tool_use', {
    emptyAnswer: 'The model requested a tool with malformed input (stop reason: malformed_tool_use), so no tool was run. Ask the question again.',
    discardText: true,
    logLevel: 'warn',
  }],
  ['model_context_window_exceeded', {
    emptyAnswer: `${NO_TEXT} (stop reason: model_context_window_exceeded) because the conversation filled the model's context window. ` +
      'Start a new conversation by leaving "messages" out, or send fewer messages.',
    discardText: false,
    logLevel: 'warn',
  }],
]);

/** Returns the outcome of a response with `stopReason` that ends the loop. */
export function stopReasonOutcome(stopReason: string): StopReasonOutcome {
  return OUTCOMES.get(stopReason) ?? {
    emptyAnswer: `${NO_TEXT}, and its stop reason ${JSON.stringify(stopReason)} is not one that this agent knows.`,
    discardText: false,
    logLevel: 'warn',
  };
}

/** Builds the answer at the tool-round limit. */
export function toolRoundLimitAnswer(maxToolRounds: number): string {
  return `No complete answer: the model still requested tools after ${maxToolRounds} tool rounds, ` +
    'the limit that maxToolRounds (MAX_TOOL_ROUNDS) sets, so those requests were not run. Ask a narrower question, or raise maxToolRounds.';
}
