/**
 * Scans everything the agent handler writes to stdout and stderr, on every outcome it has, for
 * credentials and for conversation text. The credentials are recognisable markers in the standard
 * AWS environment variables, and the texts are markers in the prompt, the history and the answer.
 * With LOG_CONVERSATION_TEXT unset, none of them may appear.
 */
import * as path from 'node:path';
import { agentEnvironment, lambdaContext, loadHandler, LogCapture, TestEnvironment } from './support/agent-environment';
import { ConverseServer, connectionReset, errorResponse, malformedJsonResponse, noResponse, repeated, textResponse, toolUseResponse } from './support/converse-server';
import { costAndUsageResponse, costExplorerError, CostExplorerServer } from './support/cost-explorer-server';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');

const ACCESS_KEY_ID = 'AKIAMARKER7Q2W3E4R5T';
const SECRET_ACCESS_KEY = 'secret-marker-4f9a1c7e2b';
const SESSION_TOKEN = 'session-token-marker-8d3b6e0f1a';
const PROMPT = 'prompt-marker-3c5e What did this application cost?';
const HISTORY_PROMPT = 'history-prompt-marker-6a1f';
const HISTORY_ANSWER = 'history-answer-marker-2e9d';
const ANSWER = 'answer-marker-7b4c It cost 12 USD.';

/** Values that no log line may contain, whatever the outcome. */
const FORBIDDEN = [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, 'prompt-marker-3c5e', HISTORY_PROMPT, HISTORY_ANSWER, 'answer-marker-7b4c'];

let converse: ConverseServer;
let costExplorer: CostExplorerServer;
let environment: TestEnvironment;
let logs: LogCapture;

beforeEach(async () => {
  converse = await ConverseServer.start();
  costExplorer = await CostExplorerServer.start();
  environment = new TestEnvironment();
  environment.set({
    ...agentEnvironment(converse.endpoint),
    AWS_ENDPOINT_URL_COST_EXPLORER: costExplorer.endpoint,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    // TRACE is the lowest level of Powertools Logger, so no record is filtered out.
    POWERTOOLS_LOG_LEVEL: 'TRACE',
  });
  logs = LogCapture.start();
});

afterEach(async () => {
  logs.stop();
  environment.restore();
  await costExplorer.stop();
  await converse.stop();
});

/** Invokes a freshly loaded handler with a prompt and a one-turn history. */
async function invoke(remainingTimeMs = 30_000, event: unknown = undefined): Promise<any> {
  const handler = loadHandler(AGENT_MODULE);
  const request = event ?? {
    prompt: PROMPT,
    caller: 'tenant-42',
    messages: [
      { role: 'user', content: [{ text: HISTORY_PROMPT }] },
      { role: 'assistant', content: [{ text: HISTORY_ANSWER }] },
    ],
  };
  return handler(request, lambdaContext('logs-request', remainingTimeMs));
}

/** Checks that the captured output has log records and none of the forbidden values. */
function expectNothingForbiddenLogged(): void {
  const text = logs.text;
  expect(logs.records.length).toBeGreaterThan(0);
  for (const value of FORBIDDEN) {
    expect([value, text.includes(value)]).toEqual([value, false]);
  }
  // A SigV4 Authorization header or a presigned URL would carry a signature.
  expect(text).not.toMatch(/Signature=|X-Amz-Signature|X-Amz-Security-Token/i);
}

describe('no credentials or conversation text', () => {
  test('answer', async () => {
    converse.enqueue(textResponse(ANSWER));

    const reply = await invoke();

    expect(reply.answer).toBe(ANSWER);
    expectNothingForbiddenLogged();
  });

  test('cost tool succeeds', async () => {
    converse.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]), textResponse(ANSWER));
    costExplorer.enqueue(costAndUsageResponse([{ start: '2026-12-01', end: '2026-12-04', services: [{ service: 'Amazon Bedrock', amount: '12' }] }]));

    const reply = await invoke();

    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'success' }]);
    expectNothingForbiddenLogged();
  });

  test('cost tool access denied', async () => {
    converse.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]), textResponse(ANSWER));
    costExplorer.enqueue(costExplorerError(400, 'AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/agent is not authorized (${ACCESS_KEY_ID})`));

    const reply = await invoke();

    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'error' }]);
    // The error message that AWS returns is logged, so this checks the handler adds no credential
    // of its own. The marker that the fake service put in its message is the one allowed exception.
    const text = logs.text.split(`(${ACCESS_KEY_ID})`).join('');
    expect(text).not.toContain(SECRET_ACCESS_KEY);
    expect(text).not.toContain(SESSION_TOKEN);
    expect(text).not.toContain('prompt-marker-3c5e');
  });

  test('model access denied', async () => {
    converse.enqueue(errorResponse(403, 'AccessDeniedException', 'not authorized to perform bedrock:InvokeModel'));

    const reply = await invoke();

    expect(reply.error.type).toBe('ModelInvocationError');
    expectNothingForbiddenLogged();
  });

  test('model throttling storm', async () => {
    converse.enqueue(...repeated(errorResponse(429, 'ThrottlingException', 'Too many requests'), 10));

    const reply = await invoke();

    expect(reply.error.type).toBe('ModelInvocationError');
    expectNothingForbiddenLogged();
  });

  test('malformed model response', async () => {
    converse.enqueue(...repeated(malformedJsonResponse(), 5));

    await invoke();

    expectNothingForbiddenLogged();
  });

  test('connection resets', async () => {
    converse.enqueue(...repeated(connectionReset(), 5));

    await invoke();

    expectNothingForbiddenLogged();
  });

  test('deadline reached', async () => {
    converse.enqueue(noResponse());

    const reply = await invoke(4_000);

    expect(reply.error.type).toBe('TimeoutError');
    expectNothingForbiddenLogged();
  });

  test('invalid request', async () => {
    await invoke(30_000, { prompt: PROMPT, messages: [{ role: 'user', content: [{ text: HISTORY_PROMPT }] }] });

    expectNothingForbiddenLogged();
  });

  test('invalid configuration', async () => {
    environment.set({ MAX_TOOL_ROUNDS: 'many' });

    const reply = await invoke();

    expect(reply.error.type).toBe('ConfigurationError');
    expectNothingForbiddenLogged();
  });
});

describe('conversation text when enabled', () => {
  test('prompt logged only on request', async () => {
    // The control case: the scan above would see the markers if the handler logged them.
    environment.set({ LOG_CONVERSATION_TEXT: 'true' });
    converse.enqueue(textResponse(ANSWER));

    await invoke();

    expect(logs.text).toContain('prompt-marker-3c5e');
    expect(logs.text).not.toContain(SECRET_ACCESS_KEY);
    expect(logs.text).not.toContain(SESSION_TOKEN);
  });
});
