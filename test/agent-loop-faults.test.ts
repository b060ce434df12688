/**
 * Injects faults into the local Converse server and checks the agent handler's retries, deadline and
 * error replies, with the real AWS SDK client in adaptive retry mode.
 *
 * The throttling tests take seconds, because after a throttling error the SDK's adaptive rate
 * limiter waits about 2 seconds before the next attempt.
 */
import * as path from 'node:path';
import { agentEnvironment, lambdaContext, loadHandler, LogCapture, TestEnvironment } from './support/agent-environment';
import {
  connectionReset,
  ConverseServer,
  delayed,
  errorResponse,
  malformedJsonResponse,
  noResponse,
  repeated,
  streamReset,
  textResponse,
  toolUseResponse,
} from './support/converse-server';
import type { ScriptedReply } from './support/converse-server';
import { CONVERSE_MAX_ATTEMPTS } from '../src/agent/bedrock-client';
import { DEADLINE_SAFETY_MARGIN_MS } from '../src/agent/deadline';
import { MODEL_LIFECYCLE_URL } from '../src/agent/model-errors';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');
const PROMPT = 'What did we spend on Bedrock?';
const LINK_TOOL = 'get_cost_explorer_link';

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
});

afterEach(async () => {
  logs.stop();
  environment.restore();
  await server.stop();
});

/** Invokes a freshly loaded handler with `remainingTimeMs` before the function's timeout, and times it. */
async function invoke(remainingTimeMs = 30_000, event: unknown = { prompt: PROMPT }): Promise<{ reply: any; elapsedMs: number }> {
  const handler = loadHandler(AGENT_MODULE);
  const start = Date.now();
  const reply = await handler(event, lambdaContext('request-0001', remainingTimeMs));
  return { reply, elapsedMs: Date.now() - start };
}

function summary(): Record<string, any> {
  const record = logs.records.find((entry) => entry.message === 'Invocation finished');
  if (record === undefined) {
    throw new Error('no summary line was logged');
  }
  return record;
}

describe('retried faults', () => {
  const cases: Array<[string, ScriptedReply[], number]> = [
    ['429 ThrottlingException', [errorResponse(429, 'ThrottlingException', 'Too many requests, please wait before trying again.')], 2],
    ['500 InternalServerException', [errorResponse(500, 'InternalServerException', 'Internal failure.')], 2],
    ['503 ServiceUnavailableException twice', repeated(errorResponse(503, 'ServiceUnavailableException', 'Service unavailable.'), 2), 3],
    ['connection reset', [connectionReset()], 2],
  ];

  test.each(cases)('%s then success', async (_name, faults, expectedAttempts) => {
    server.enqueue(...faults, textResponse('Answer after retry.'));

    const { reply } = await invoke();

    expect(reply.answer).toBe('Answer after retry.');
    expect(server.requests).toHaveLength(expectedAttempts);
    expect(new Set(server.requests.map((request) => request.invocationId)).size).toBe(1);
    expect(summary()).toMatchObject({ outcome: 'Answer', converseCalls: 1, converseAttempts: expectedAttempts });
  });

  test('retry sends identical body', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]),
      errorResponse(500, 'InternalServerException', 'Internal failure.'),
      textResponse('Done.'),
    );

    const { reply } = await invoke();

    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].body).toEqual(server.requests[1].body);
    expect(server.requests[2].body.messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(reply.messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  test('retry logged with attempts', async () => {
    server.enqueue(errorResponse(500, 'InternalServerException', 'Internal failure.'), textResponse('Done.'));

    await invoke();

    const retries = logs.records.filter((record) => record.message === 'Converse call succeeded after retries');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempts: 2, function_request_id: 'request-0001' });
  });
});

describe('throttling storm', () => {
  test('attempts bounded, error before deadline', async () => {
    server.setFallback(errorResponse(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));

    const { reply, elapsedMs } = await invoke(30_000);

    expect(server.requests).toHaveLength(CONVERSE_MAX_ATTEMPTS);
    expect(server.requests.map((request) => request.attemptHeader)).toEqual(
      Array.from({ length: CONVERSE_MAX_ATTEMPTS }, (_, index) => `attempt=${index + 1}; max=${CONVERSE_MAX_ATTEMPTS}`));
    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toBe(`The Converse call to Amazon Bedrock failed with ThrottlingException after ${CONVERSE_MAX_ATTEMPTS} attempts. ` +
      'Retry later, or request a higher Amazon Bedrock quota for the model.');
    expect(elapsedMs).toBeLessThan(30_000 - DEADLINE_SAFETY_MARGIN_MS);
    expect(summary()).toMatchObject({ outcome: 'ModelInvocationError', errorName: 'ThrottlingException', attempts: CONVERSE_MAX_ATTEMPTS, httpStatusCode: 429 });
  });

  test('deadline cuts retries short', async () => {
    server.setFallback(errorResponse(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));

    const { reply, elapsedMs } = await invoke(4_500);

    expect(reply.error.type).toBe('TimeoutError');
    expect(reply.error.message).toContain('with its retries, did not finish before the function\'s timeout');
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(server.requests.length).toBeLessThan(CONVERSE_MAX_ATTEMPTS);
    expect(elapsedMs).toBeLessThan(4_500 - DEADLINE_SAFETY_MARGIN_MS + 500);
  });
});

describe('faults not retried', () => {
  const marketplaceMessage = 'Model access is denied due to IAM user or service role is not authorized to perform the required AWS Marketplace actions ' +
    '(aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to this model.';

  const cases: Array<[string, ScriptedReply, string]> = [
    ['400 ValidationException', errorResponse(400, 'ValidationException', 'Malformed input request.'), 'failed with ValidationException. Check that BEDROCK_MODEL_ID'],
    ['403 AccessDeniedException', errorResponse(403, 'AccessDeniedException', 'User is not authorized.'), "Check that the function's IAM role allows bedrock:InvokeModel"],
    ['403 Marketplace AccessDeniedException', errorResponse(403, 'AccessDeniedException', marketplaceMessage), 'AWS Marketplace subscription to the model is missing'],
    ['404 ResourceNotFoundException', errorResponse(404, 'ResourceNotFoundException', 'Inference profile not found.'), MODEL_LIFECYCLE_URL],
    ['invalid model identifier', errorResponse(400, 'ValidationException', 'The provided model identifier is invalid.'), 'which it does once a model has passed its end-of-life date'],
    ['malformed JSON body', malformedJsonResponse(), 'response body that is not valid JSON'],
    ['stream reset', streamReset(), 'Check that the function can reach the Amazon Bedrock runtime endpoint'],
  ];

  test.each(cases)('%s replied once', async (_name, fault, expectedMessage) => {
    server.enqueue(fault, textResponse('This response must not be requested.'));

    const { reply } = await invoke();

    expect(server.requests).toHaveLength(1);
    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toContain(expectedMessage);
    expect(reply).not.toHaveProperty('messages');
  });

  test('invalid model identifier names lifecycle page', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', 'The provided model identifier is invalid.'));

    const { reply } = await invoke();

    expect(reply.error.message).toContain(MODEL_LIFECYCLE_URL);
  });

  test('service message kept out of reply', async () => {
    server.enqueue(errorResponse(403, 'AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/internal is not authorized'));

    const { reply } = await invoke();

    expect(reply.error.message).not.toContain('assumed-role');
    expect(summary().errorMessage).toContain('assumed-role');
  });
});

describe('deadline', () => {
  test('slow response aborted at deadline', async () => {
    server.enqueue(delayed(textResponse('Too late.'), 10_000));

    const { reply, elapsedMs } = await invoke(3_800);

    expect(reply.error.type).toBe('TimeoutError');
    expect(elapsedMs).toBeGreaterThanOrEqual(3_800 - DEADLINE_SAFETY_MARGIN_MS - 50);
    expect(elapsedMs).toBeLessThan(3_800 - DEADLINE_SAFETY_MARGIN_MS + 500);
    expect(server.requests).toHaveLength(1);
    expect(summary()).toMatchObject({ outcome: 'TimeoutError', errorName: 'DeadlineExceeded', converseCalls: 1 });
  });

  test('hung response aborted at deadline', async () => {
    server.enqueue(noResponse());

    const { reply, elapsedMs } = await invoke(3_600);

    expect(reply.error.type).toBe('TimeoutError');
    expect(elapsedMs).toBeLessThan(3_600 - DEADLINE_SAFETY_MARGIN_MS + 500);
  });

  test('no call without enough time', async () => {
    const { reply } = await invoke(3_000);

    expect(server.requests).toHaveLength(0);
    expect(reply.error.type).toBe('TimeoutError');
    expect(reply.error.message).toMatch(/^The agent stopped before the function's timeout: \d+ ms remained, less than the 2000 ms needed/);
  });

  test('no new call after slow round', async () => {
    server.enqueue(delayed(toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]), 1_200), textResponse('Must not be requested.'));

    const { reply } = await invoke(4_200);

    expect(server.requests).toHaveLength(1);
    expect(reply.error.type).toBe('TimeoutError');
    expect(reply.error.message).toContain('less than the 2000 ms needed to start another Converse call');
    expect(summary()).toMatchObject({ toolRounds: 1, converseCalls: 1 });
  });
});
