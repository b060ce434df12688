/**
 * The reply shapes of the agent function, which are its contract with callers.
 */
import type { ToolResultStatus } from '@aws-sdk/client-bedrock-runtime';

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
  /** The text of the model's last message, or an explanation when that message has no text. Never empty. */
  readonly answer: string;
  /** The stop reason of the last Converse response, or `max_tool_rounds` when the tool-round limit ended the loop. */
  readonly stopReason: string;
  readonly usage: TokenUsage;
  readonly toolCalls: ToolCallSummary[];
}

/**
 * The kind of failure in an error reply.
 *
 * - `ValidationError`: the request is invalid, and Amazon Bedrock was not called.
 * - `ConfigurationError`: an environment variable of the function is invalid, and Amazon Bedrock was not called.
 * - `ModelInvocationError`: a Converse call failed, or its response could not be used.
 * - `InternalError`: the handler failed unexpectedly. The function's logs have the details.
 */
export type AgentErrorType = 'ValidationError' | 'ConfigurationError' | 'ModelInvocationError' | 'InternalError';

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
