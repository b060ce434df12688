/**
 * Runs the bundled handler, the file that the Lambda function deploys, against a local Converse server.
 * The test task builds the bundle before Jest runs; alone, run `npx projen bundle` first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentEnvironment, lambdaContext, loadHandler, LogCapture, PROFILE_ARN, TestEnvironment } from './support/agent-environment';
import { ConverseServer, textResponse, toolUseResponse } from './support/converse-server';

const BUNDLE = path.join(__dirname, '..', 'assets', 'agent.lambda', 'index.js');

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

test('bundle calls configured endpoint', async () => {
  expect(fs.existsSync(BUNDLE)).toBe(true);
  // The link tool needs no AWS call, so this test does not depend on Cost Explorer.
  server.enqueue(
    toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_explorer_link' }], { inputTokens: 50, outputTokens: 10 }),
    textResponse('Filter Cost Explorer by your tags.', { inputTokens: 70, outputTokens: 20 }),
  );

  const handler = loadHandler(BUNDLE);
  const reply = await handler({ prompt: 'Where does our Bedrock cost appear?' }, lambdaContext('bundle-request-1'));

  expect(reply).toMatchObject({
    answer: 'Filter Cost Explorer by your tags.',
    stopReason: 'end_turn',
    usage: { inputTokens: 120, outputTokens: 30 },
    toolCalls: [{ name: 'get_cost_explorer_link', status: 'success' }],
  });
  expect(reply.messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(server.requests[1].body.requestMetadata.Application).toBe('CloudEngineer');
  expect(server.requests.map((request) => request.path)).toEqual([`/model/${PROFILE_ARN}/converse`, `/model/${PROFILE_ARN}/converse`]);
  expect(server.requests[1].body.messages[2].content[0].toolResult.content[0].text).toContain('Application=CloudEngineer');
});
