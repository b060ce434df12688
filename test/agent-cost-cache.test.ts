/**
 * The cache of Cost Explorer results, which spares the billed requests of repeated queries, and the
 * lazy loading of the Cost Explorer client. Runs the real client against a local server.
 */
import * as path from 'node:path';
import { TestEnvironment } from './support/agent-environment';
import { costAndUsageResponse, costExplorerEnvironment, costExplorerError, CostExplorerServer } from './support/cost-explorer-server';
import { CACHE_TTL_MS, clearCostExplorerCache, MAX_CACHE_ENTRIES } from '../src/agent/cost-explorer';
import { COST_EXPLORER_LINK_TOOL, COST_SUMMARY_TOOL, runTool } from '../src/agent/tools';
import type { ToolContext, ToolRun } from '../src/agent/tools';

const TAGS = { Application: 'CloudEngineer', Environment: 'Production' };
const START = new Date('2025-03-15T10:30:00Z').getTime();

let server: CostExplorerServer;
let environment: TestEnvironment;
let nowMs: number;

beforeEach(async () => {
  clearCostExplorerCache();
  nowMs = START;
  server = await CostExplorerServer.start();
  environment = new TestEnvironment();
  environment.set({ ...costExplorerEnvironment(server.endpoint), AWS_MAX_ATTEMPTS: '1' });
});

afterEach(async () => {
  clearCostExplorerCache();
  environment.restore();
  await server.stop();
});

/** A context whose clock reads `nowMs`, which a test moves forward. */
function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tags: TAGS, region: 'eu-west-1', now: () => new Date(nowMs), ...overrides };
}

async function runCostSummary(input: unknown = {}, context: ToolContext = toolContext()): Promise<ToolRun> {
  return runTool({ toolUseId: 'tool-1', name: COST_SUMMARY_TOOL, input: input as any }, context);
}

function bedrockCost(amount: string) {
  return costAndUsageResponse([{ start: '2025-03-01', end: '2025-03-16', services: [{ service: 'Amazon Bedrock', amount }] }]);
}

describe('query cache', () => {
  test('identical query, one request', async () => {
    server.enqueue(bedrockCost('4.20'), bedrockCost('9.99'));

    const first = await runCostSummary({ period: 'month_to_date' });
    const second = await runCostSummary({ period: 'month_to_date' });

    expect(server.requests).toHaveLength(1);
    expect(second.resultBlock.content).toEqual(first.resultBlock.content);
    expect(first.costExplorer).toEqual({ requests: 1, cacheHit: false });
    expect(second.costExplorer).toEqual({ requests: 0, cacheHit: true });
  });

  test('same dates share an entry', async () => {
    await runCostSummary({});
    await runCostSummary({ period: 'month', month: '2025-03' });

    expect(server.requests).toHaveLength(1);
  });

  test('different period, two requests', async () => {
    await runCostSummary({ period: 'month_to_date' });
    await runCostSummary({ period: 'last_n_days', days: 7 });

    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((request) => request.body.TimePeriod.Start)).toEqual(['2025-03-01', '2025-03-09']);
  });

  test('different tags, two requests', async () => {
    await runCostSummary({}, toolContext({ tags: { Application: 'CloudEngineer' } }));
    await runCostSummary({}, toolContext({ tags: { Application: 'Billing' } }));

    expect(server.requests).toHaveLength(2);
  });

  test('kept until TTL', async () => {
    await runCostSummary();
    nowMs = START + CACHE_TTL_MS - 1;
    await runCostSummary();

    expect(server.requests).toHaveLength(1);
  });

  test('expires at TTL', async () => {
    server.enqueue(bedrockCost('4.20'), bedrockCost('9.99'));

    await runCostSummary();
    nowMs = START + CACHE_TTL_MS;
    const refreshed = await runCostSummary();

    expect(server.requests).toHaveLength(2);
    expect(refreshed.resultBlock.content?.[0]?.text).toContain('Total: 9.99 USD');
  });

  test('clock set back expires', async () => {
    await runCostSummary();
    nowMs = START - 1000;
    await runCostSummary();

    expect(server.requests).toHaveLength(2);
  });

  test('errors are not cached', async () => {
    server.enqueue(costExplorerError(400, 'DataUnavailableException', 'Data is not available.'), bedrockCost('1.00'));

    const failed = await runCostSummary();
    const retried = await runCostSummary();

    expect(failed.status).toBe('error');
    expect(retried.status).toBe('success');
    expect(server.requests).toHaveLength(2);
  });

  test('size is bounded', async () => {
    for (let days = 1; days <= MAX_CACHE_ENTRIES + 1; days++) {
      await runCostSummary({ period: 'last_n_days', days });
    }
    expect(server.requests).toHaveLength(MAX_CACHE_ENTRIES + 1);

    // The oldest entry was evicted, and the newest is still cached.
    await runCostSummary({ period: 'last_n_days', days: MAX_CACHE_ENTRIES + 1 });
    expect(server.requests).toHaveLength(MAX_CACHE_ENTRIES + 1);
    await runCostSummary({ period: 'last_n_days', days: 1 });
    expect(server.requests).toHaveLength(MAX_CACHE_ENTRIES + 2);
  });

  test('clear empties the cache', async () => {
    await runCostSummary();
    clearCostExplorerCache();
    await runCostSummary();

    expect(server.requests).toHaveLength(2);
  });

  test('invalid input not cached', async () => {
    const invalid = await runCostSummary({ period: 'last_n_days', days: 0 });
    await runCostSummary({ period: 'last_n_days', days: 1 });

    expect(invalid.status).toBe('error');
    expect(server.requests).toHaveLength(1);
  });
});

describe('client loading', () => {
  const toolsModule = path.join(__dirname, '..', 'src', 'agent', 'tools.ts');

  afterEach(() => {
    jest.dontMock('@aws-sdk/client-cost-explorer');
  });

  test('SDK loaded on first query', async () => {
    let loads = 0;
    jest.doMock('@aws-sdk/client-cost-explorer', () => {
      loads += 1;
      return jest.requireActual('@aws-sdk/client-cost-explorer');
    });
    let tools: typeof import('../src/agent/tools') | undefined;
    jest.isolateModules(() => {
      tools = jest.requireActual<typeof import('../src/agent/tools')>(toolsModule);
    });
    expect(loads).toBe(0);

    await tools!.runTool({ toolUseId: 'tool-1', name: COST_EXPLORER_LINK_TOOL, input: {} }, toolContext());
    expect(loads).toBe(0);

    await tools!.runTool({ toolUseId: 'tool-2', name: COST_SUMMARY_TOOL, input: {} }, toolContext());
    expect(loads).toBe(1);
    expect(server.requests).toHaveLength(1);
  });
});
