import { describeModelInvocationError, InvalidModelResponseError } from '../src/agent/model-errors';

/** Builds an error shaped like an SDK service exception. */
function serviceError(name: string, httpStatusCode: number): Error {
  const error = new Error('User: arn:aws:sts::123456789012:assumed-role/agent is not authorized');
  error.name = name;
  Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode, requestId: 'bedrock-request-1', attempts: 1 } });
  return error;
}

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

  test('looping cause chain ends', () => {
    const error = Object.assign(new Error('outer'), { code: 'EOUTER' });
    Object.assign(error, { cause: error });

    expect(describeModelInvocationError(error).errorName).toBe('EOUTER');
  });
});
