/**
 * Runs the tag activation handler with the real Cost Explorer client against a local server that
 * speaks the AWS JSON 1.1 protocol.
 */
import * as path from 'node:path';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import {
  EnvironmentOverride,
  errorResponse,
  handlerEnvironment,
  hangingResponse,
  loadFreshHandler,
  OutputCapture,
  TagActivationServer,
  testContext,
  updateResponse,
} from './support/tag-activation-server';
import { activateTagKeys } from '../src/tag-activation/activate';

const HANDLER_MODULE = path.join(__dirname, '..', 'src', 'tag-activation.lambda.ts');
const TAG_KEYS = ['Application', 'Environment', 'CostCenter'];
const NOT_FOUND_MESSAGE = 'Failed to update Cost Allocation Tag: Tag keys not found: Environment,CostCenter';

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

function event(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown> = { TagKeys: TAG_KEYS }): any {
  return {
    RequestType: requestType,
    RequestId: 'request-0001',
    ResponseURL: 'https://example.com/response',
    ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:framework',
    StackId: 'arn:aws:cloudformation:ap-southeast-2:123456789012:stack/Governed/guid',
    LogicalResourceId: 'TagActivation',
    ResourceType: 'Custom::CostAllocationTagActivation',
    ResourceProperties: { ServiceToken: 'token', ...properties },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'cost-allocation-tag-activation-request-0000', OldResourceProperties: {} }),
  };
}

async function invoke(requestEvent: any): Promise<any> {
  const handler = loadFreshHandler(HANDLER_MODULE);
  return handler(requestEvent, testContext('lambda-request-0001'));
}

function newClient(): CostExplorerClient {
  return new CostExplorerClient({ region: 'us-east-1', endpoint: server.endpoint, maxAttempts: 1 });
}

describe('request', () => {
  test('calls UpdateCostAllocationTagsStatus', async () => {
    server.enqueue(updateResponse());

    await invoke(event('Create'));

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].operation).toBe('UpdateCostAllocationTagsStatus');
    expect(server.requests[0].contentType).toBe('application/x-amz-json-1.1');
  });

  test('activates every key', async () => {
    server.enqueue(updateResponse());

    await invoke(event('Create'));

    expect(server.requests[0].body).toEqual({
      CostAllocationTagsStatus: TAG_KEYS.map((tagKey) => ({ TagKey: tagKey, Status: 'Active' })),
    });
  });

  test('update activates again', async () => {
    server.enqueue(updateResponse());

    await invoke(event('Update'));

    expect(server.requestedTagKeys).toEqual([TAG_KEYS]);
  });

  test('delete sends no request', async () => {
    const response = await invoke(event('Delete'));

    expect(server.requests).toHaveLength(0);
    expect(response).toEqual({ PhysicalResourceId: 'cost-allocation-tag-activation-request-0000' });
  });
});

describe('physical resource id', () => {
  test('create derives it from the request', async () => {
    server.enqueue(updateResponse());

    const response = await invoke(event('Create'));

    expect(response.PhysicalResourceId).toBe('cost-allocation-tag-activation-request-0001');
  });

  test('update keeps it', async () => {
    server.enqueue(updateResponse());

    const response = await invoke(event('Update'));

    expect(response.PhysicalResourceId).toBe('cost-allocation-tag-activation-request-0000');
  });
});

describe('reported state', () => {
  test('all keys active', async () => {
    server.enqueue(updateResponse());

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('ACTIVE');
    expect(Data.ActiveTagKeys).toBe('Application,Environment,CostCenter');
    expect(Data.PendingTagKeys).toBe('');
    expect(Data.Message).toMatch(/^Active cost allocation tag keys: Application, Environment, CostCenter\./);
  });

  test('per-key errors are pending', async () => {
    server.enqueue(updateResponse([{ TagKey: 'CostCenter', Code: 'TagKeyNotFound', Message: 'not in billing data' }]));

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('PENDING');
    expect(Data.ActiveTagKeys).toBe('Application,Environment');
    expect(Data.PendingTagKeys).toBe('CostCenter');
    expect(Data.Message).toContain('CostCenter (TagKeyNotFound: not in billing data)');
  });

  test('keys not found are retried without', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', NOT_FOUND_MESSAGE), updateResponse());

    const { Data } = await invoke(event('Create'));

    expect(server.requestedTagKeys).toEqual([TAG_KEYS, ['Application']]);
    expect(Data.Status).toBe('PENDING');
    expect(Data.ActiveTagKeys).toBe('Application');
    expect(Data.PendingTagKeys).toBe('Environment,CostCenter');
  });

  test('pending message explains the delay', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', NOT_FOUND_MESSAGE), updateResponse());

    const { Data } = await invoke(event('Create'));

    expect(Data.Message).toContain('up to 24 hours after it first appears on a cost');
    expect(Data.Message).toContain('change the retryToken property and deploy again');
  });

  test('no key found sends one request', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', 'Failed to update Cost Allocation Tag: Tag keys not found: Application,Environment,CostCenter'));

    const { Data } = await invoke(event('Create'));

    expect(server.requests).toHaveLength(1);
    expect(Data.Status).toBe('PENDING');
    expect(Data.ActiveTagKeys).toBe('');
    expect(Data.Message).toMatch(/^No key was activated\. Pending: /);
  });

  test('unnamed keys not found are all pending', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', 'Failed to update Cost Allocation Tag: Tag keys not found: Other'));

    const { Data } = await invoke(event('Create'));

    expect(server.requests).toHaveLength(1);
    expect(Data.PendingTagKeys).toBe('Application,Environment,CostCenter');
  });

  test('access denied is reported', async () => {
    server.enqueue(errorResponse(400, 'AccessDeniedException', 'User is not authorized to perform ce:UpdateCostAllocationTagsStatus'));

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('ACCESS_DENIED');
    expect(Data.PendingTagKeys).toBe('Application,Environment,CostCenter');
    expect(Data.Message).toContain('Only the management account of an organization or a standalone account');
  });

  test('other validation error is reported', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', 'Invalid tag key'));

    const { Data } = await invoke(event('Create'));

    expect(server.requests).toHaveLength(1);
    expect(Data.Status).toBe('ERROR');
    expect(Data.Message).toContain('ValidationException (Invalid tag key)');
  });

  test('server error is reported', async () => {
    server.enqueue(errorResponse(500, 'InternalServerException', 'Internal error'));

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('ERROR');
    expect(Data.Message).toContain('failed with InternalServerException');
  });

  test('throttling is reported', async () => {
    server.enqueue(errorResponse(400, 'LimitExceededException', 'Rate exceeded'));

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('ERROR');
    expect(Data.Message).toContain('LimitExceededException');
  });

  test('second failure keeps not-found reason', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', NOT_FOUND_MESSAGE), errorResponse(400, 'LimitExceededException', 'Rate exceeded'));

    const { Data } = await invoke(event('Create'));

    expect(Data.Status).toBe('ERROR');
    expect(Data.PendingTagKeys).toBe('Application,Environment,CostCenter');
  });

  test('invalid TagKeys are reported', async () => {
    const { Data } = await invoke(event('Create', { TagKeys: 'Application' }));

    expect(server.requests).toHaveLength(0);
    expect(Data.Status).toBe('ERROR');
    expect(Data.Message).toContain('the TagKeys property is not a list of non-empty strings');
  });

  test('too many TagKeys are reported', async () => {
    const tagKeys = Array.from({ length: 21 }, (_, index) => `Key${index}`);

    const { Data } = await invoke(event('Create', { TagKeys: tagKeys }));

    expect(server.requests).toHaveLength(0);
    expect(Data.Message).toContain('has 21 keys');
  });
});

describe('logs', () => {
  test('pending state logs a warning', async () => {
    server.enqueue(errorResponse(400, 'ValidationException', NOT_FOUND_MESSAGE), updateResponse());

    await invoke(event('Create'));

    const warning = output.records.find((record) => record.level === 'WARN');
    expect(warning?.message).toBe('Cost allocation tag keys not all activated, and the deployment continues');
    expect(warning?.statusMessage).toContain('Pending: Environment');
    expect(warning?.status).toBe('PENDING');
    expect(warning?.logicalResourceId).toBe('TagActivation');
  });

  test('activation logs info', async () => {
    server.enqueue(updateResponse());

    await invoke(event('Create'));

    const messages = output.records.filter((record) => record.level === 'INFO').map((record) => record.message);
    expect(messages).toContain('Cost allocation tag keys activated');
  });
});

describe('activateTagKeys', () => {
  test('times out a hanging request', async () => {
    server.enqueue(hangingResponse());

    const report = await activateTagKeys(newClient(), ['Application'], { requestTimeoutMs: 200 });

    expect(report.status).toBe('ERROR');
    expect(report.pendingTagKeys).toEqual([{ tagKey: 'Application', reason: expect.any(String) }]);
  });

  test('second not-found stops retrying', async () => {
    server.enqueue(
      errorResponse(400, 'ValidationException', 'Tag keys not found: Environment'),
      errorResponse(400, 'ValidationException', 'Tag keys not found: Application'),
    );

    const report = await activateTagKeys(newClient(), ['Application', 'Environment', 'CostCenter']);

    expect(server.requests).toHaveLength(2);
    expect(report.status).toBe('PENDING');
    expect(report.activeTagKeys).toEqual([]);
    expect(report.pendingTagKeys.map(({ tagKey }) => tagKey)).toEqual(['Application', 'Environment', 'CostCenter']);
  });
});
