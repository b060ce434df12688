/**
 * Runs the Converse loop with an injected clock, the real AWS SDK client and a local Converse server.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { agentEnvironment, FOUNDATION_MODEL_ID, LogCapture, PROFILE_ARN, REGION, TAGS, TestEnvironment } from './support/agent-environment';
import { ConverseServer, textResponse, toolUseResponse } from './support/converse-server';
import type { AgentConfig } from '../src/agent/config';
import { runConverseLoop } from '../src/agent/converse-loop';

const CONFIG: AgentConfig = {
  modelId: PROFILE_ARN,
  foundationModelId: FOUNDATION_MODEL_ID,
  costAllocationTags: TAGS,
  systemPrompt: 'You are a cost assistant.',
  maxToolRounds: 5,
  maxOutputTokens: 1024,
  region: REGION,
};

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;
let client: BedrockRuntimeClient;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
  client = new BedrockRuntimeClient({ region: REGION });
});

afterEach(async () => {
  client.destroy();
  logs.stop();
  environment.restore();
  await server.stop();
});

function loopOptions(now: () => Date) {
  return { client, config: CONFIG, now, logger: new Logger({ serviceName: 'converse-loop-test' }) };
}

test('link dates from injected clock', async () => {
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-link', name: 'get_cost_explorer_link' }]),
    textResponse('Here is the link.'),
  );

  const outcome = await runConverseLoop('Link, please.', loopOptions(() => new Date('2024-02-29T23:59:00Z')));

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

  const outcome = await runConverseLoop('Link, please.', loopOptions(() => new Date(Number.NaN)));

  expect(outcome.progress.toolCalls).toEqual([{ name: 'get_cost_explorer_link', status: 'error' }]);
  expect(server.requests[1].body.messages[2].content[0].toolResult.status).toBe('error');
  const warnings = logs.records.filter((record) => record.message === 'Tool call failed');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ level: 'WARN', tool: 'get_cost_explorer_link', toolUseId: 'tool-link', errorName: 'RangeError' });
});

test('progress counts calls and rounds', async () => {
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]),
    toolUseResponse([{ toolUseId: 'tool-2', name: 'get_cost_summary' }, { toolUseId: 'tool-3', name: 'get_cost_explorer_link' }]),
    textResponse('Done.'),
  );

  const outcome = await runConverseLoop('Question.', loopOptions(() => new Date('2025-03-15T00:00:00Z')));

  expect(outcome.progress).toMatchObject({ converseCalls: 3, toolRounds: 2, inputTokens: 30, outputTokens: 15 });
  expect(outcome.progress.toolCalls).toHaveLength(3);
});

test('SDK error returned with progress', async () => {
  server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]));
  // The second request finds the queue empty, and the server replies with ValidationException.

  const outcome = await runConverseLoop('Question.', loopOptions(() => new Date('2025-03-15T00:00:00Z')));

  expect('error' in outcome).toBe(true);
  expect((outcome as { error: Error }).error.name).toBe('ValidationException');
  expect(outcome.progress).toMatchObject({ converseCalls: 2, toolRounds: 1, inputTokens: 10, outputTokens: 5 });
});
