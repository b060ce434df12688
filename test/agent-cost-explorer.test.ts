/**
 * Runs get_cost_summary with the real Cost Explorer client against a local Cost Explorer server:
 * the exact request, the result text, pagination, error results and the region per partition.
 */
import * as net from 'node:net';
import { TestEnvironment } from './support/agent-environment';
import {
  costAndUsageResponse,
  costExplorerEnvironment,
  costExplorerError,
  CostExplorerServer,
  GET_COST_AND_USAGE_TARGET,
} from './support/cost-explorer-server';
import { describeCostQueryError } from '../src/agent/cost-errors';
import { clearCostExplorerCache, costExplorerRegion, MAX_PAGES } from '../src/agent/cost-explorer';
import { COST_SUMMARY_TOOL, runTool } from '../src/agent/tools';
import type { ToolContext, ToolRun } from '../src/agent/tools';

const TAGS = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };
const NOW = new Date('2025-03-15T10:30:00Z');
const MARCH = { start: '2025-03-01', end: '2025-03-16' };

let server: CostExplorerServer;
let environment: TestEnvironment;

beforeEach(async () => {
  clearCostExplorerCache();
  server = await CostExplorerServer.start();
  environment = new TestEnvironment();
  environment.set(costExplorerEnvironment(server.endpoint));
});

afterEach(async () => {
  clearCostExplorerCache();
  environment.restore();
  await server.stop();
});

function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tags: TAGS, region: 'ap-southeast-2', now: () => NOW, ...overrides };
}

async function runCostSummary(input: unknown = {}, context: ToolContext = toolContext()): Promise<ToolRun> {
  return runTool({ toolUseId: 'tool-1', name: COST_SUMMARY_TOOL, input: input as any }, context);
}

function textOf(run: ToolRun): string {
  return run.resultBlock.content?.[0]?.text ?? '';
}

/** Returns the query parameters of the Cost Explorer link in a text, which the console reads from the URL fragment. */
function linkParameters(text: string): URLSearchParams {
  const url = new URL(/https:\S+/.exec(text)![0]);
  return new URLSearchParams(url.hash.split('?')[1]);
}

describe('GetCostAndUsage request', () => {
  test('filter uses plain tag keys', async () => {
    await runCostSummary();

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body.Filter).toEqual({
      And: [
        { Tags: { Key: 'Application', Values: ['CloudEngineer'], MatchOptions: ['EQUALS'] } },
        { Tags: { Key: 'CostCenter', Values: ['Engineering'], MatchOptions: ['EQUALS'] } },
        { Tags: { Key: 'Environment', Values: ['Production'], MatchOptions: ['EQUALS'] } },
      ],
    });
  });

  test('single tag without And', async () => {
    await runCostSummary({}, toolContext({ tags: { Application: 'CloudEngineer' } }));

    expect(server.requests[0].body.Filter).toEqual({ Tags: { Key: 'Application', Values: ['CloudEngineer'], MatchOptions: ['EQUALS'] } });
  });

  test('no service filter', async () => {
    await runCostSummary();

    const filter = JSON.stringify(server.requests[0].body.Filter);
    expect(filter).not.toContain('Dimensions');
    expect(filter).not.toContain('SERVICE');
    expect(filter).not.toContain('user:');
  });

  test('grouped by service, unblended, monthly', async () => {
    await runCostSummary();

    const body = server.requests[0].body;
    expect(body.GroupBy).toEqual([{ Type: 'DIMENSION', Key: 'SERVICE' }]);
    expect(body.Metrics).toEqual(['UnblendedCost']);
    expect(body.Granularity).toBe('MONTHLY');
    expect(body.NextPageToken).toBeUndefined();
  });

  test('no tags, no query', async () => {
    const run = await runCostSummary({}, toolContext({ tags: {} }));

    expect(run.status).toBe('error');
    expect(run.errorName).toBe('NoCostAllocationTags');
    expect(textOf(run)).toContain('Set COST_ALLOCATION_TAGS');
    expect(server.requests).toHaveLength(0);
  });

  test('TimePeriod from chosen period', async () => {
    await runCostSummary({ period: 'last_n_days', days: 7 });

    expect(server.requests[0].body.TimePeriod).toEqual({ Start: '2025-03-09', End: '2025-03-16' });
  });

  test('operation and signing service', async () => {
    await runCostSummary();

    expect(server.requests[0].target).toBe(GET_COST_AND_USAGE_TARGET);
    expect(server.requests[0].signedService).toBe('ce');
  });

  test('generic endpoint variable honoured', async () => {
    environment.set({ AWS_ENDPOINT_URL_COST_EXPLORER: undefined, AWS_ENDPOINT_URL: server.endpoint });

    const run = await runCostSummary();

    expect(run.status).toBe('success');
    expect(server.requests).toHaveLength(1);
  });
});

describe('result text', () => {
  test('total and services, largest first', async () => {
    server.enqueue(costAndUsageResponse([{
      ...MARCH,
      services: [
        { service: 'Amazon Bedrock', amount: '2.345' },
        { service: 'Claude Sonnet 4 (Amazon Bedrock Edition)', amount: '10.004' },
        { service: 'AWS Lambda', amount: '0.0042' },
      ],
    }]));

    const run = await runCostSummary();

    expect(run.status).toBe('success');
    const lines = textOf(run).split('\n');
    expect(lines).toContain('Total: 12.35 USD');
    const services = lines.filter((line) => line.startsWith('- '));
    expect(services).toEqual([
      '- Claude Sonnet 4 (Amazon Bedrock Edition): 10.00 USD',
      '- Amazon Bedrock: 2.35 USD',
      '- AWS Lambda: 0.0042 USD',
    ]);
  });

  test('months summed per service', async () => {
    server.enqueue(costAndUsageResponse([
      { start: '2025-02-14', end: '2025-03-01', services: [{ service: 'Amazon Bedrock', amount: '1.50' }] },
      { start: '2025-03-01', end: '2025-03-16', services: [{ service: 'Amazon Bedrock', amount: '2.25' }, { service: 'AWS Lambda', amount: '0.10' }] },
    ]));

    const text = textOf(await runCostSummary({ period: 'last_n_days', days: 30 }));

    expect(text).toContain('Total: 3.85 USD');
    expect(text).toContain('- Amazon Bedrock: 3.75 USD');
    expect(text).toContain('- AWS Lambda: 0.10 USD');
  });

  test('currency taken from result', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '88.8', unit: 'CNY' }] }]));

    const text = textOf(await runCostSummary());

    expect(text).toContain('Total: 88.80 CNY');
    expect(text).not.toContain('USD');
  });

  test('period stated exactly', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1' }] }]));

    const text = textOf(await runCostSummary());

    expect(text).toContain('for month to date: 2025-03-01 to 2025-03-15 inclusive');
    expect(text).toContain('Start 2025-03-01 inclusive, End 2025-03-16 exclusive');
    expect(text).toContain('UTC');
    expect(text).toContain('UnblendedCost');
    expect(text).toContain('Application=CloudEngineer, CostCenter=Engineering, Environment=Production');
  });

  test('delay note and link', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1' }] }]));

    const text = textOf(await runCostSummary({ period: 'last_n_days', days: 7 }));

    expect(text).toContain('delay of up to 24 hours');
    const parameters = linkParameters(text);
    expect(parameters.get('startDate')).toBe('2025-03-09');
    expect(parameters.get('endDate')).toBe('2025-03-15');
    expect(JSON.parse(parameters.get('groupBy')!)).toEqual(['Service']);
  });

  test('estimated figures noted', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, estimated: true, services: [{ service: 'Amazon Bedrock', amount: '1' }] }]));

    expect(textOf(await runCostSummary())).toContain('marks part of these figures as estimated');
  });

  test('final figures not marked estimated', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1' }] }]));

    expect(textOf(await runCostSummary())).not.toContain('estimated');
  });

  test('zero amounts get a caveat', async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '0' }] }]));

    const text = textOf(await runCostSummary());

    expect(text).toContain('Total: 0.00 USD');
    expect(text).toContain('Every amount is zero');
  });

  test('usage reported for logs', async () => {
    const run = await runCostSummary();

    expect(run.costExplorer).toEqual({ requests: 1, cacheHit: false });
  });
});

describe('no data', () => {
  let run: ToolRun;

  beforeEach(async () => {
    server.enqueue(costAndUsageResponse([{ ...MARCH, services: [] }]));
    run = await runCostSummary();
  });

  test('succeeds without figures', () => {
    expect(run.status).toBe('success');
    expect(textOf(run)).not.toContain('Total:');
    expect(textOf(run)).not.toMatch(/\b0\.00\b|\$0/);
  });

  test.each([
    ['no cost returned', 'returned no cost for these tags in this period'],
    ['zero not stated', 'does not show that the cost is zero'],
    ['tag keys to activate', 'The tag keys Application, CostCenter, Environment are not activated as cost allocation tags'],
    ['where to activate', 'Billing and Cost Management console of the management (payer) account, under Cost allocation tags'],
    ['activation delay', 'up to 24 hours after it is first applied'],
    ['billing delay', 'delay of up to 24 hours'],
    ['Marketplace billing', 'AWS Marketplace service names'],
    ['link', 'https://console.aws.amazon.com/costmanagement/home#/cost-explorer?'],
  ])('mentions %s', (_name, expected) => {
    expect(textOf(run)).toContain(expected);
  });
});

describe('pagination', () => {
  test('follows NextPageToken', async () => {
    server.enqueue(
      costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1.25' }] }], 'page-2'),
      costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '0.75' }, { service: 'AWS Lambda', amount: '0.5' }] }]),
    );

    const run = await runCostSummary();

    expect(server.requests.map((request) => request.body.NextPageToken)).toEqual([undefined, 'page-2']);
    expect(server.requests[1].body.Filter).toEqual(server.requests[0].body.Filter);
    expect(textOf(run)).toContain('- Amazon Bedrock: 2.00 USD');
    expect(textOf(run)).toContain('Total: 2.50 USD');
    expect(run.costExplorer).toEqual({ requests: 2, cacheHit: false });
  });

  test('stops at the page limit', async () => {
    for (let page = 1; page <= MAX_PAGES + 1; page++) {
      server.enqueue(costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1' }] }], `page-${page + 1}`));
    }

    const run = await runCostSummary();

    expect(server.requests).toHaveLength(MAX_PAGES);
    expect(run.status).toBe('error');
    expect(run.errorName).toBe('TooManyPagesError');
    expect(textOf(run)).toContain('Choose a shorter period');
  });
});

describe('error results', () => {
  beforeEach(() => {
    // One attempt, so that each scripted error answers exactly one request.
    environment.set({ AWS_MAX_ATTEMPTS: '1' });
  });

  test.each([
    ['permission missing', costExplorerError(400, 'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/agent-role/fn is not authorized to perform: ce:GetCostAndUsage'),
    'AccessDeniedException', ['not allowed to call ce:GetCostAndUsage', 'resource "*"']],
    ['Cost Explorer not enabled', costExplorerError(400, 'AccessDeniedException', 'User not enabled for cost explorer access'),
      'AccessDeniedException', ['Cost Explorer is not enabled for this AWS account', 'Billing and Cost Management console', '24 hours']],
    ['data unavailable', costExplorerError(400, 'DataUnavailableException', 'Data is not available.'),
      'DataUnavailableException', ['no data for this request yet', 'Retry later']],
    ['request limit', costExplorerError(400, 'LimitExceededException', 'Rate exceeded'),
      'LimitExceededException', ['too many requests', 'Retry in a few minutes']],
    ['throttled', costExplorerError(400, 'ThrottlingException', 'Rate exceeded'),
      'ThrottlingException', ['throttled', 'Retry in a few minutes']],
    ['expired bill', costExplorerError(400, 'BillExpirationException', 'The bill expired.'),
      'BillExpirationException', ['older than the data that Cost Explorer keeps']],
    ['invalid request', costExplorerError(400, 'ValidationException', 'Start date must be before end date'),
      'ValidationException', ['rejected the query as invalid', 'Start date must be before end date']],
    ['server failure', costExplorerError(500, 'InternalServerException', 'Internal failure'),
      'InternalServerException', ['failed internally']],
    ['unmodelled error', costExplorerError(400, 'SomethingNewException', 'New failure'),
      'SomethingNewException', ['failed with SomethingNewException', "Check the function's logs"]],
  ])('%s', async (_name, response, errorName, expectedParts) => {
    server.enqueue(response);

    const run = await runCostSummary();

    expect(server.requests).toHaveLength(1);
    expect(run.status).toBe('error');
    expect(run.resultBlock.status).toBe('error');
    expect(run.errorName).toBe(errorName);
    const text = textOf(run);
    for (const part of expectedParts) {
      expect(text).toContain(part);
    }
    expect(text).toContain('Answer without live cost figures');
    expect(text).toContain('https://console.aws.amazon.com/costmanagement/home#/cost-explorer?');
  });

  test('role ARN not in text', async () => {
    server.enqueue(costExplorerError(400, 'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/agent-role/fn is not authorized to perform: ce:GetCostAndUsage'));

    const run = await runCostSummary();

    expect(textOf(run)).not.toContain('123456789012');
    expect(run.error).toBeDefined();
  });

  test('unreachable endpoint', async () => {
    environment.set({ AWS_ENDPOINT_URL_COST_EXPLORER: `http://127.0.0.1:${await closedPort()}` });

    const run = await runCostSummary();

    expect(run.status).toBe('error');
    // The SDK's retry middleware wraps a Node.js error from another realm, as under Jest, in a
    // plain Error without its code, so only Lambda's single realm shows ECONNREFUSED here.
    expect(run.errorName).toBe('Error');
    expect(textOf(run)).toContain('can reach the Cost Explorer endpoint in us-east-1');
  });

  test('system error named by code', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });

    const failure = describeCostQueryError(error, 'cn-northwest-1');

    expect(failure.errorName).toBe('ECONNREFUSED');
    expect(failure.text).toBe('The Cost Explorer query failed with ECONNREFUSED. ' +
      'Check that the function can reach the Cost Explorer endpoint in cn-northwest-1, then retry.');
  });

  test('non-error value described', () => {
    expect(describeCostQueryError('boom', 'us-east-1').errorName).toBe('UnknownError');
  });

  test('throttling retried by SDK', async () => {
    environment.set({ AWS_MAX_ATTEMPTS: '2' });
    server.enqueue(
      costExplorerError(400, 'LimitExceededException', 'Rate exceeded'),
      costAndUsageResponse([{ ...MARCH, services: [{ service: 'Amazon Bedrock', amount: '1' }] }]),
    );

    const run = await runCostSummary();

    expect(server.requests).toHaveLength(2);
    expect(run.status).toBe('success');
  });
});

describe('region per partition', () => {
  test.each([
    ['ap-southeast-2', 'us-east-1'],
    ['eu-central-1', 'us-east-1'],
    ['us-east-1', 'us-east-1'],
    ['cn-north-1', 'cn-northwest-1'],
    ['cn-northwest-1', 'cn-northwest-1'],
    ['us-gov-east-1', 'us-gov-west-1'],
    ['us-gov-west-1', 'us-gov-west-1'],
  ])('%s signs for %s', async (functionRegion, expected) => {
    environment.set({ AWS_REGION: functionRegion });

    await runCostSummary({}, toolContext({ region: functionRegion }));

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].signedRegion).toBe(expected);
  });

  test.each([
    ['us-iso-east-1'],
    ['eusc-de-east-1'],
  ])('%s left to SDK rules', (functionRegion) => {
    expect(costExplorerRegion(functionRegion)).toBe(functionRegion);
  });
});

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
