/**
 * Turns an error from a Converse call into a short reply message for the caller and details for the logs.
 */
import { DEADLINE_SAFETY_MARGIN_MS, DeadlineExceededError, MIN_CONVERSE_CALL_MS } from './deadline';

/** The page that lists each model's lifecycle state and end-of-life date. */
export const MODEL_LIFECYCLE_URL = 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html';

/** Thrown when a Converse response lacks what the loop needs, such as the ID of a tool request. */
export class InvalidModelResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelResponse';
  }
}

/** A failed Converse call, described for the reply and for the logs. */
export interface ModelInvocationFailure {
  /** The reply's error type: `TimeoutError` when the invocation deadline stopped the agent. */
  readonly replyType: 'ModelInvocationError' | 'TimeoutError';
  /** The SDK error name, such as `AccessDeniedException`, or a Node.js error code such as `ECONNREFUSED`. */
  readonly errorName: string;
  /** The message for the caller: the error name and what to do. It leaves out the service's own message. */
  readonly replyMessage: string;
  /** The error message, for the logs only, because it may name roles and accounts. */
  readonly errorMessage: string;
  /** HTTP status code of the Amazon Bedrock response, when one was received. */
  readonly httpStatusCode?: number;
  /** Request ID that Amazon Bedrock assigned, when a response was received. */
  readonly bedrockRequestId?: string;
  /** HTTP attempts of the failed call, including the SDK's retries, when the SDK recorded them. */
  readonly attempts?: number;
}

const RETRY_LATER = 'Retry later.';
const RAISE_QUOTA = 'Retry later, or request a higher Amazon Bedrock quota for the model.';

const HINTS: ReadonlyMap<string, string> = new Map([
  ['AccessDeniedException', "Check that the function's IAM role allows bedrock:InvokeModel on the inference profile and on its foundation model, " +
    'and that access to the model is enabled in the Amazon Bedrock console.'],
  ['ValidationException', 'Check that BEDROCK_MODEL_ID is an inference profile in this region whose model supports tool use in Converse, ' +
    "and that maxOutputTokens (MAX_OUTPUT_TOKENS) is within the model's output limit."],
  ['ResourceNotFoundException', 'Check that the inference profile in BEDROCK_MODEL_ID exists in this account and region. ' +
    `If it does, its model may have passed its end-of-life date: see ${MODEL_LIFECYCLE_URL}.`],
  ['ThrottlingException', RAISE_QUOTA],
  ['ServiceQuotaExceededException', RAISE_QUOTA],
  ['ModelTimeoutException', 'Retry later, or ask a shorter question.'],
  ['ModelNotReadyException', RETRY_LATER],
  ['ModelErrorException', RETRY_LATER],
  ['ServiceUnavailableException', RETRY_LATER],
  ['InternalServerException', RETRY_LATER],
  ['InvalidModelResponse', 'Retry. If the error persists, check that FOUNDATION_MODEL_ID is a model that supports tool use in Converse.'],
]);

/**
 * Part of the ValidationException message that Amazon Bedrock returns for a model ID it does not
 * serve, "The provided model identifier is invalid.", which it returns once a model has passed its
 * end-of-life date. Seen in public reports such as
 * https://github.com/aws-samples/amazon-bedrock-workshop/issues/315.
 */
const INVALID_MODEL_IDENTIFIER = /model identifier is invalid/i;

/**
 * A word of the AccessDeniedException that Amazon Bedrock returns when the AWS Marketplace
 * subscription to a third-party model is missing or not complete: "Model access is denied due to
 * IAM user or service role is not authorized to perform the required AWS Marketplace actions
 * (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) ...", as quoted in
 * https://github.com/aws-samples/anthropic-on-aws/pull/252. The prerequisites are in
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html.
 */
const MARKETPLACE_ACCESS = /marketplace/i;

/** Describes an error thrown by a Converse call or by the loop around it. */
export function describeModelInvocationError(error: unknown): ModelInvocationFailure {
  const errorName = nameOf(error);
  const errorMessage = isErrorLike(error) ? error.message : String(error);
  const metadata = serviceMetadataOf(error);
  const details = {
    errorName,
    errorMessage,
    httpStatusCode: metadata?.httpStatusCode,
    bedrockRequestId: metadata?.requestId,
    attempts: metadata?.attempts,
  };

  if (error instanceof DeadlineExceededError) {
    return { ...details, replyType: 'TimeoutError', replyMessage: deadlineMessage(error) };
  }

  const attempts = metadata?.attempts !== undefined && metadata.attempts > 1 ? ` after ${metadata.attempts} attempts` : '';
  const replyMessage = `The Converse call to Amazon Bedrock failed with ${errorName}${attempts}. ${hintFor(errorName, errorMessage, error, metadata)}`;
  return { ...details, replyType: 'ModelInvocationError', replyMessage };
}

function hintFor(errorName: string, errorMessage: string, error: unknown, metadata: ServiceMetadata | undefined): string {
  if ((errorName === 'ValidationException' || errorName === 'ResourceNotFoundException') && INVALID_MODEL_IDENTIFIER.test(errorMessage)) {
    return 'Amazon Bedrock rejected the model identifier as invalid, which it does once a model has passed its end-of-life date. ' +
      `Check the model's lifecycle state at ${MODEL_LIFECYCLE_URL}, and move the inference profile to an active model.`;
  }
  if (errorName === 'AccessDeniedException' && MARKETPLACE_ACCESS.test(errorMessage)) {
    return 'The AWS Marketplace subscription to the model is missing or not complete. Have an administrator enable access to the model once ' +
      '(for Anthropic models, including the first-time-use form), or allow aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions, then retry in a few minutes.';
  }
  if (errorName === 'SyntaxError' && metadata?.httpStatusCode !== undefined) {
    return 'Amazon Bedrock returned a response body that is not valid JSON. Retry. If the error persists, check the function\'s logs.';
  }

  // Without an HTTP status, the request never got a response, as with a refused connection or a DNS failure.
  return HINTS.get(errorName) ??
    (metadata?.httpStatusCode === undefined && !(error instanceof InvalidModelResponseError)
      ? 'Check that the function can reach the Amazon Bedrock runtime endpoint, then retry.'
      : "Check the function's logs for details.");
}

function deadlineMessage(error: DeadlineExceededError): string {
  const fix = "Raise the function's timeout, or ask a narrower question.";
  if (error.phase === 'beforeCall') {
    return `The agent stopped before the function's timeout: ${error.remainingMs} ms remained, ` +
      `less than the ${MIN_CONVERSE_CALL_MS} ms needed to start another Converse call. ${fix}`;
  }
  return 'The Converse call to Amazon Bedrock, with its retries, did not finish before the function\'s timeout ' +
    `(less a ${DEADLINE_SAFETY_MARGIN_MS} ms safety margin), so it was canceled. ${fix}`;
}

function nameOf(error: unknown): string {
  if (!isErrorLike(error)) {
    return 'UnknownError';
  }
  // Node.js system errors are plain Errors whose code, such as ECONNREFUSED, identifies the failure. The SDK
  // wraps some of them, as ERR_HTTP2_STREAM_CANCEL around ECONNREFUSED, so the innermost code is the most specific.
  const code = innermostCode(error);
  if (error.name === 'Error' && code !== undefined) {
    return code;
  }
  return error.name;
}

function innermostCode(error: ErrorLike): string | undefined {
  let code: string | undefined;
  let current: unknown = error;
  // The depth bound guards against a cause chain that loops.
  for (let depth = 0; depth < 5 && isErrorLike(current); depth++) {
    const currentCode = (current as { code?: unknown }).code;
    code = typeof currentCode === 'string' ? currentCode : code;
    current = current.cause;
  }
  return code;
}

interface ErrorLike {
  readonly name: string;
  readonly message: string;
  readonly cause?: unknown;
}

/**
 * Checks the shape rather than `instanceof Error`, because an error created in another realm,
 * such as a Node.js error seen from a Jest test, is not an instance of this realm's Error.
 */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string';
}

interface ServiceMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts?: number;
}

/** Reads the `$metadata` that the SDK adds to service exceptions and to the errors of failed attempts. */
function serviceMetadataOf(error: unknown): ServiceMetadata | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) {
    return undefined;
  }
  const metadata = (error as { $metadata: unknown }).$metadata;
  if (typeof metadata !== 'object' || metadata === null) {
    return undefined;
  }
  const { httpStatusCode, requestId, attempts } = metadata as { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  return {
    httpStatusCode: typeof httpStatusCode === 'number' ? httpStatusCode : undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
    attempts: typeof attempts === 'number' ? attempts : undefined,
  };
}
