/**
 * Runs the bundled tag activation handler, the file that the Lambda function deploys, against a
 * local Cost Explorer server. The test task builds the bundle before Jest runs; alone, run
 * `npx projen bundle` first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EnvironmentOverride,
  handlerEnvironment,
  loadFreshHandler,
  OutputCapture,
  TagActivationServer,
  testContext,
  updateResponse,
} from './support/tag-activation-server';

const BUNDLE = path.join(__dirname, '..', 'assets', 'tag-activation.lambda', 'index.js');

let server: TagActivationServer;
let environment: EnvironmentOverride;
let output: OutputCapture;

beforeEach(async () => {
  server = await TagActivationServer.start();
  environment = new EnvironmentOverride();
  environment.set(handlerEnvironment(server.endpoint));
  output = OutputCapture.start();
});

afterEach(async () => {
  output.stop();
  environment.restore();
  await server.stop();
});

test('bundle activates the keys', async () => {
  expect(fs.existsSync(BUNDLE)).toBe(true);
  server.enqueue(updateResponse());

  const handler = loadFreshHandler(BUNDLE);
  const response = await handler({
    RequestType: 'Create',
    RequestId: 'request-0001',
    LogicalResourceId: 'TagActivation',
    ResourceProperties: { ServiceToken: 'token', TagKeys: ['Application'] },
  }, testContext('lambda-request-0001'));

  expect(server.requestedTagKeys).toEqual([['Application']]);
  expect(response.Data.Status).toBe('ACTIVE');
});
