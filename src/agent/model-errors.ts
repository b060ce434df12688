/**
 * Turns an error from a Converse call into a short reply message for the caller and details for the logs.
 */

/** Thrown when a Converse response lacks what the loop needs, such as the ID of a tool request. */
export class InvalidModelResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelResponse';
  }
}

/** A failed Converse call, described for the reply and for the logs. */
export interface ModelInvocationFailure {
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
}

const RETRY_LATER = 'Retry later.';
const RAISE_QUOTA = 'Retry later, or request a higher Amazon Bedrock quota for the model.';

const HINTS: ReadonlyMap<string, string> = new Map([
  ['AccessDeniedException', "Check that the function's IAM role allows bedrock:InvokeModel on the inference profile and on its foundation model, " +
    'and that access to the model is enabled in the Amazon Bedrock console.'],
  ['ValidationException', 'Check that BEDROCK_MODEL_ID is an inference profile in this region whose model supports tool use in Converse, ' +
    "and that MAX_OUTPUT_TOKENS is within the model's output limit."],
  ['ResourceNotFoundException', 'Check that the inference profile in BEDROCK_MODEL_ID exists in this account and region.'],
  ['ThrottlingException', RAISE_QUOTA],
  ['ServiceQuotaExceededException', RAISE_QUOTA],
  ['ModelTimeoutException', 'Retry later, or ask a shorter question.'],
  ['ModelNotReadyException', RETRY_LATER],
  ['ModelErrorException', RETRY_LATER],
  ['ServiceUnavailableException', RETRY_LATER],
  ['InternalServerException', RETRY_LATER],
  ['InvalidModelResponse', 'Retry. If the error persists, check that FOUNDATION_MODEL_ID is a model that supports tool use in Converse.'],
]);

/** Describes an error thrown by a Converse call or by the loop around it. */
export function describeModelInvocationError(error: unknown): ModelInvocationFailure {
  const errorName = nameOf(error);
  const errorMessage = isErrorLike(error) ? error.message : String(error);
  const metadata = serviceMetadataOf(error);

  // Without an HTTP status, the request never got a response, as with a refused connection or a DNS failure.
  const hint = HINTS.get(errorName) ??
    (metadata?.httpStatusCode === undefined && !(error instanceof InvalidModelResponseError)
      ? 'Check that the function can reach the Amazon Bedrock runtime endpoint, then retry.'
      : "Check the function's logs for details.");

  return {
    errorName,
    replyMessage: `The Converse call to Amazon Bedrock failed with ${errorName}. ${hint}`,
    errorMessage,
    httpStatusCode: metadata?.httpStatusCode,
    bedrockRequestId: metadata?.requestId,
  };
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

/** Reads the `$metadata` that SDK service exceptions carry. */
function serviceMetadataOf(error: unknown): { httpStatusCode?: number; requestId?: string } | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) {
    return undefined;
  }
  const metadata = (error as { $metadata: unknown }).$metadata;
  if (typeof metadata !== 'object' || metadata === null) {
    return undefined;
  }
  const { httpStatusCode, requestId } = metadata as { httpStatusCode?: unknown; requestId?: unknown };
  return {
    httpStatusCode: typeof httpStatusCode === 'number' ? httpStatusCode : undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}
