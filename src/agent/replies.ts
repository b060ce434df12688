/**
 * The reply shapes of the agent function, which are its contract with callers.
 */
import type { Message, ToolResultStatus } from '@aws-sdk/client-bedrock-runtime';

/** Token counts summed over every Converse call of one invocation. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** One tool call that the agent ran, in the order the model requested them. */
export interface ToolCallSummary {
  readonly name: string;
  readonly status: ToolResultStatus;
}

/** The reply to a valid request whose Converse calls succeeded. */
export interface AgentAnswer {
  /**
   * The text of the model's last message, or an explanation when that message has no usable text.
   * Never empty. `stop-reasons.ts` lists the outcome of each stop reason.
   */
  readonly answer: string;
  /** The stop reason of the last Converse response, or `max_tool_rounds` when the tool-round limit ended the loop. */
  readonly stopReason: string;
  readonly usage: TokenUsage;
  readonly toolCalls: ToolCallSummary[];
  /**
   * The conversation including this turn, in the Converse message form, to send back as
   * `messages` with the next prompt. It ends with an assistant message whose one text block is
   * `answer`. The oldest turns are left out when the history would exceed its limits
   * (see `history.ts`).
   */
  readonly messages: Message[];
}

/**
 * The kind of failure in an error reply.
 *
 * - `ValidationError`: the request is invalid, and Amazon Bedrock was not called.
 * - `ConfigurationError`: an environment variable of the function is invalid, and Amazon Bedrock was not called.
 * - `ModelInvocationError`: a Converse call failed after the SDK's retries, or its response could not be used.
 * - `TimeoutError`: the invocation reached its deadline, shortly before the function's timeout,
 *   before the model returned its final response.
 * - `InternalError`: the handler failed unexpectedly. The function's logs have the details.
 *
 * An error reply carries no `messages`: the client keeps the history it sent and may send it again.
 */
export type AgentErrorType = 'ValidationError' | 'ConfigurationError' | 'ModelInvocationError' | 'TimeoutError' | 'InternalError';

/** The reply to a request that failed. */
export interface AgentErrorReply {
  readonly error: {
    readonly type: AgentErrorType;
    readonly message: string;
  };
}

export type AgentReply = AgentAnswer | AgentErrorReply;

export function errorReply(type: AgentErrorType, message: string): AgentErrorReply {
  return { error: { type, message } };
}
