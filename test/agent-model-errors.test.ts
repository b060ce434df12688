import { DeadlineExceededError } from '../src/agent/deadline';
import { describeModelInvocationError, InvalidModelResponseError, MODEL_LIFECYCLE_URL } from '../src/agent/model-errors';

/** Builds an error shaped like an SDK service exception. */
function serviceError(
  name: string,
  httpStatusCode: number,
  message = 'User: arn:aws:sts::123456789012:assumed-role/agent is not authorized',
  attempts = 1,
): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode, requestId: 'bedrock-request-1', attempts } });
  return error;
}

const MARKETPLACE_MESSAGE = 'Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions ' +
  '(aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.';

/** Builds a Node.js system error wrapped the way the SDK's HTTP/2 handler wraps it. */
function refusedConnectionError(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  const error = Object.assign(new Error('The pending stream has been canceled'), { code: 'ERR_HTTP2_STREAM_CANCEL', cause });
  return Object.assign(error, { $metadata: { attempts: 3, totalRetryDelay: 300 } });
}

describe('describeModelInvocationError', () => {
  test.each([
    ['AccessDeniedException', 403, 'bedrock:InvokeModel'],
    ['ValidationException', 400, 'BEDROCK_MODEL_ID'],
    ['ResourceNotFoundException', 404, 'exists in this account and region'],
    ['ThrottlingException', 429, 'Retry later'],
    ['ServiceUnavailableException', 503, 'Retry later'],
  ])('%s gets its hint', (name, status, hint) => {
    const failure = describeModelInvocationError(serviceError(name, status));

    expect(failure.errorName).toBe(name);
    expect(failure.replyType).toBe('ModelInvocationError');
    expect(failure.replyMessage).toMatch(new RegExp(`^The Converse call to Amazon Bedrock failed with ${name}\\. `));
    expect(failure.replyMessage).toContain(hint);
    expect(failure.httpStatusCode).toBe(status);
    expect(failure.bedrockRequestId).toBe('bedrock-request-1');
  });

  test('reply omits service message', () => {
    const failure = describeModelInvocationError(serviceError('AccessDeniedException', 403));

    expect(failure.replyMessage).not.toContain('assumed-role');
    expect(failure.errorMessage).toContain('assumed-role');
  });

  test('unlisted service error points to logs', () => {
    const failure = describeModelInvocationError(serviceError('ConflictException', 409));

    expect(failure.replyMessage).toBe("The Converse call to Amazon Bedrock failed with ConflictException. Check the function's logs for details.");
  });

  test('refused connection names innermost code', () => {
    const failure = describeModelInvocationError(refusedConnectionError());

    expect(failure.errorName).toBe('ECONNREFUSED');
    expect(failure.replyMessage).toContain('reach the Amazon Bedrock runtime endpoint');
    expect(failure.httpStatusCode).toBeUndefined();
  });

  test('invalid response gets its hint', () => {
    const failure = describeModelInvocationError(new InvalidModelResponseError('no toolUseId'));

    expect(failure.errorName).toBe('InvalidModelResponse');
    expect(failure.replyMessage).toContain('FOUNDATION_MODEL_ID');
  });

  test('non-error value described', () => {
    const failure = describeModelInvocationError('boom');

    expect(failure.errorName).toBe('UnknownError');
    expect(failure.errorMessage).toBe('boom');
  });

  test('invalid model identifier points to lifecycle', () => {
    const failure = describeModelInvocationError(serviceError('ValidationException', 400, 'The provided model identifier is invalid.'));

    expect(failure.replyMessage).toContain('end-of-life date');
    expect(failure.replyMessage).toContain(MODEL_LIFECYCLE_URL);
    expect(failure.replyMessage).not.toContain('MAX_OUTPUT_TOKENS');
  });

  test('not found mentions lifecycle', () => {
    const failure = describeModelInvocationError(serviceError('ResourceNotFoundException', 404, 'Model not found.'));

    expect(failure.replyMessage).toContain('exists in this account and region');
    expect(failure.replyMessage).toContain(MODEL_LIFECYCLE_URL);
  });

  test('Marketplace denial gets subscription hint', () => {
    const failure = describeModelInvocationError(serviceError('AccessDeniedException', 403, MARKETPLACE_MESSAGE));

    expect(failure.replyMessage).toContain('AWS Marketplace subscription to the model is missing or not complete');
    expect(failure.replyMessage).toContain('aws-marketplace:Subscribe');
    expect(failure.replyMessage).not.toContain('bedrock:InvokeModel');
  });

  test('attempts named after retries', () => {
    const failure = describeModelInvocationError(serviceError('ThrottlingException', 429, 'Too many requests.', 4));

    expect(failure.replyMessage).toMatch(/^The Converse call to Amazon Bedrock failed with ThrottlingException after 4 attempts\. /);
    expect(failure.attempts).toBe(4);
  });

  test('unparsable body gets retry hint', () => {
    const failure = describeModelInvocationError(serviceError('SyntaxError', 200, 'Unexpected end of JSON input'));

    expect(failure.replyMessage).toContain('response body that is not valid JSON');
  });

  test('deadline before call is timeout', () => {
    const failure = describeModelInvocationError(new DeadlineExceededError('beforeCall', 1200));

    expect(failure.replyType).toBe('TimeoutError');
    expect(failure.errorName).toBe('DeadlineExceeded');
    expect(failure.replyMessage).toContain('1200 ms remained, less than the 2000 ms needed to start another Converse call');
  });

  test('deadline during call is timeout', () => {
    const failure = describeModelInvocationError(new DeadlineExceededError('duringCall', 0));

    expect(failure.replyType).toBe('TimeoutError');
    expect(failure.replyMessage).toContain("did not finish before the function's timeout (less a 1500 ms safety margin), so it was canceled");
  });

  test('looping cause chain ends', () => {
    const error = Object.assign(new Error('outer'), { code: 'EOUTER' });
    Object.assign(error, { cause: error });

    expect(describeModelInvocationError(error).errorName).toBe('EOUTER');
  });
});
