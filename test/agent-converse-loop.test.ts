/**
 * Runs the Converse loop with an injected clock, the real AWS SDK client and a local Converse server.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { agentConfig, agentEnvironment, LogCapture, REGION, TAGS, TestEnvironment } from './support/agent-environment';
import { converseResponse, ConverseServer, errorResponse, textResponse, toolUseResponse } from './support/converse-server';
import { CONVERSE_MAX_ATTEMPTS, createBedrockClient } from '../src/agent/bedrock-client';
import type { AgentConfig } from '../src/agent/config';
import { runConverseLoop } from '../src/agent/converse-loop';
import type { ConversationTurn } from '../src/agent/converse-loop';
import { Deadline } from '../src/agent/deadline';

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;
let client: BedrockRuntimeClient;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
  client = createBedrockClient(REGION);
});

afterEach(async () => {
  client.destroy();
  logs.stop();
  environment.restore();
  await server.stop();
});

const CONFIG: AgentConfig = agentConfig({ SYSTEM_PROMPT: 'You are a cost assistant.', MAX_OUTPUT_TOKENS: '1024' });

function loopOptions(now: () => Date, config: AgentConfig = CONFIG) {
  return { client, config, now, logger: new Logger({ serviceName: 'converse-loop-test' }), deadline: new Deadline(Date.now() + 30_000) };
}

function turn(prompt: string, extra: Partial<ConversationTurn> = {}): ConversationTurn {
  return { prompt, history: [], ...extra };
}

const FIXED_CLOCK = () => new Date('2025-03-15T00:00:00Z');

test('link dates from injected clock', async () => {
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-link', name: 'get_cost_explorer_link' }]),
    textResponse('Here is the link.'),
  );

  const outcome = await runConverseLoop(turn('Link, please.'), loopOptions(() => new Date('2024-02-29T23:59:00Z')));

  expect(outcome).toMatchObject({ answer: 'Here is the link.', stopReason: 'end_turn' });
  const text: string = server.requests[1].body.messages[2].content[0].toolResult.content[0].text;
  expect(text).toContain('2024-02-01 to 2024-02-29 (UTC, month to date)');
  expect(text).toContain('startDate=2024-02-01&endDate=2024-02-29');
});

test('tool failure logged and returned', async () => {
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-link', name: 'get_cost_explorer_link' }]),
    textResponse('The link is unavailable.'),
  );

  const outcome = await runConverseLoop(turn('Link, please.'), loopOptions(() => new Date(Number.NaN)));

  expect(outcome.progress.toolCalls).toEqual([{ name: 'get_cost_explorer_link', status: 'error' }]);
  expect(server.requests[1].body.messages[2].content[0].toolResult.status).toBe('error');
  const warnings = logs.records.filter((record) => record.message === 'Tool call failed');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ level: 'WARN', tool: 'get_cost_explorer_link', toolUseId: 'tool-link', errorName: 'RangeError' });
});

test('progress counts calls and rounds', async () => {
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_explorer_link' }]),
    toolUseResponse([{ toolUseId: 'tool-2', name: 'get_cost_explorer_link' }, { toolUseId: 'tool-3', name: 'get_cost_explorer_link' }]),
    textResponse('Done.'),
  );

  const outcome = await runConverseLoop(turn('Question.'), loopOptions(FIXED_CLOCK));

  expect(outcome.progress).toMatchObject({ converseCalls: 3, converseAttempts: 3, toolRounds: 2, inputTokens: 30, outputTokens: 15 });
  expect(outcome.progress.toolCalls).toHaveLength(3);
});

test('SDK error returned with progress', async () => {
  server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_explorer_link' }]));
  // The second request finds the queue empty, and the server replies with ValidationException.

  const outcome = await runConverseLoop(turn('Question.'), loopOptions(FIXED_CLOCK));

  expect('error' in outcome).toBe(true);
  expect((outcome as { error: Error }).error.name).toBe('ValidationException');
  expect(outcome.progress).toMatchObject({ converseCalls: 2, toolRounds: 1, inputTokens: 10, outputTokens: 5 });
});

test('history precedes the new prompt', async () => {
  const history = [
    { role: 'user' as const, content: [{ text: 'Earlier question.' }] },
    { role: 'assistant' as const, content: [{ text: 'Earlier answer.' }] },
  ];
  server.enqueue(textResponse('New answer.'));

  const outcome = await runConverseLoop(turn('New question.', { history }), loopOptions(FIXED_CLOCK));

  expect(server.requests[0].body.messages).toEqual([...history, { role: 'user', content: [{ text: 'New question.' }] }]);
  expect(outcome).toMatchObject({
    messages: [...history, { role: 'user', content: [{ text: 'New question.' }] }, { role: 'assistant', content: [{ text: 'New answer.' }] }],
  });
});

test('tool round kept in history', async () => {
  server.enqueue(
    converseResponse([{ text: 'Let me look.' }, { toolUse: { toolUseId: 'tool-1', name: 'get_cost_explorer_link', input: {} } }], 'tool_use'),
    textResponse('Here it is.'),
  );

  const outcome = await runConverseLoop(turn('Link?'), loopOptions(FIXED_CLOCK));

  if (!('messages' in outcome)) {
    throw new Error('expected an answer');
  }
  expect(outcome.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(outcome.messages[1].content).toEqual([{ text: 'Let me look.' }, { toolUse: { toolUseId: 'tool-1', name: 'get_cost_explorer_link', input: {} } }]);
  expect(outcome.messages[2].content?.[0].toolResult?.toolUseId).toBe('tool-1');
  expect(outcome.messages[3]).toEqual({ role: 'assistant', content: [{ text: 'Here it is.' }] });
});

test('request metadata carries tags and caller', async () => {
  server.enqueue(textResponse('Answer.'));

  await runConverseLoop(turn('Question.', { caller: 'tenant-42' }), loopOptions(FIXED_CLOCK));

  expect(server.requests[0].body.requestMetadata).toEqual({ ...TAGS, caller: 'tenant-42' });
});

test('client uses adaptive retries', async () => {
  const strategy = await client.config.retryStrategy();

  expect(strategy).toHaveProperty('mode', 'adaptive');
  expect(await client.config.maxAttempts()).toBe(CONVERSE_MAX_ATTEMPTS);
});

test('explicit attempts override environment', async () => {
  environment.set({ AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' });
  const overridden = createBedrockClient(REGION);
  server.enqueue(errorResponse(500, 'InternalServerException', 'Try again.'), textResponse('Answer.'));

  const outcome = await runConverseLoop(turn('Question.'), { ...loopOptions(FIXED_CLOCK), client: overridden });
  overridden.destroy();

  expect(outcome).toMatchObject({ answer: 'Answer.' });
  expect(server.requests.map((request) => request.attemptHeader)).toEqual([`attempt=1; max=${CONVERSE_MAX_ATTEMPTS}`, `attempt=2; max=${CONVERSE_MAX_ATTEMPTS}`]);
});
