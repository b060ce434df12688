/**
 * Runs get_cost_summary with the real Cost Explorer client against moto's server, which returns the
 * GetCostAndUsage results that a test queues. Moto does not validate requests, so the request
 * itself is checked in agent-cost-explorer.test.ts against the local Cost Explorer server.
 */
import { TestEnvironment } from './support/agent-environment';
import { costExplorerEnvironment, resultsByTime } from './support/cost-explorer-server';
import type { ScriptedPeriod } from './support/cost-explorer-server';
import { MotoServer } from './support/moto-server';
import { clearCostExplorerCache } from '../src/agent/cost-explorer';
import { COST_SUMMARY_TOOL, runTool } from '../src/agent/tools';
import type { ToolContext, ToolRun } from '../src/agent/tools';

const CONTEXT: ToolContext = {
  tags: { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' },
  region: 'ap-southeast-2',
  now: () => new Date('2025-03-15T10:30:00Z'),
};

let moto: MotoServer;
let environment: TestEnvironment;

beforeAll(async () => {
  // No skip: when moto cannot start, every test here fails with the reason.
  moto = await MotoServer.start();
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  clearCostExplorerCache();
  environment = new TestEnvironment();
  environment.set(costExplorerEnvironment(moto.endpoint));
});

afterEach(() => {
  clearCostExplorerCache();
  environment?.restore();
});

async function runCostSummary(input: unknown = {}): Promise<ToolRun> {
  return runTool({ toolUseId: 'tool-1', name: COST_SUMMARY_TOOL, input: input as any }, CONTEXT);
}

function textOf(run: ToolRun): string {
  return run.resultBlock.content?.[0]?.text ?? '';
}

/** Builds one queued moto result, a GetCostAndUsage response body. */
function motoResult(periods: readonly ScriptedPeriod[], nextPageToken?: string): Record<string, unknown> {
  return {
    ResultsByTime: resultsByTime(periods),
    DimensionValueAttributes: [],
    ...(nextPageToken !== undefined ? { NextPageToken: nextPageToken } : {}),
  };
}

test('figures from queued result', async () => {
  await moto.setCostAndUsageResults([motoResult([{
    start: '2025-03-01',
    end: '2025-03-16',
    estimated: true,
    services: [
      { service: 'Amazon Bedrock', amount: '3.1' },
      { service: 'Claude 3.7 Sonnet (Amazon Bedrock Edition)', amount: '17.2049' },
    ],
  }])]);

  const run = await runCostSummary();

  expect(run.status).toBe('success');
  const lines = textOf(run).split('\n');
  expect(lines).toContain('Total: 20.30 USD');
  expect(lines.filter((line) => line.startsWith('- '))).toEqual([
    '- Claude 3.7 Sonnet (Amazon Bedrock Edition): 17.20 USD',
    '- Amazon Bedrock: 3.10 USD',
  ]);
  expect(textOf(run)).toContain('estimated');
});

test('empty result means no data', async () => {
  const run = await runCostSummary();

  expect(run.status).toBe('success');
  expect(textOf(run)).toContain('returned no cost for these tags in this period');
  expect(textOf(run)).not.toContain('Total:');
});

test('months summed per service', async () => {
  await moto.setCostAndUsageResults([motoResult([
    { start: '2025-01-15', end: '2025-02-01', services: [{ service: 'Amazon Bedrock', amount: '1.00' }] },
    { start: '2025-02-01', end: '2025-03-01', services: [{ service: 'Amazon Bedrock', amount: '2.00' }] },
    { start: '2025-03-01', end: '2025-03-16', services: [{ service: 'Amazon Bedrock', amount: '0.50' }] },
  ])]);

  const text = textOf(await runCostSummary({ period: 'last_n_days', days: 60 }));

  expect(text).toContain('- Amazon Bedrock: 3.50 USD');
  expect(text).toContain('2025-01-15 to 2025-03-15 inclusive');
});

test('different periods, separate results', async () => {
  await moto.setCostAndUsageResults([
    motoResult([{ start: '2025-02-01', end: '2025-03-01', services: [{ service: 'Amazon Bedrock', amount: '40' }] }]),
    motoResult([{ start: '2025-01-01', end: '2025-02-01', services: [{ service: 'Amazon Bedrock', amount: '25' }] }]),
  ]);

  const february = textOf(await runCostSummary({ period: 'month', month: '2025-02' }));
  const january = textOf(await runCostSummary({ period: 'month', month: '2025-01' }));

  expect(february).toContain('Total: 40.00 USD');
  expect(january).toContain('Total: 25.00 USD');
});

test('pages summed', async () => {
  // The second page's request carries the token in its body, so moto returns the next queued result for it.
  await moto.setCostAndUsageResults([
    motoResult([{ start: '2025-03-01', end: '2025-03-16', services: [{ service: 'Amazon Bedrock', amount: '1.50' }] }], 'page-2'),
    motoResult([{ start: '2025-03-01', end: '2025-03-16', services: [{ service: 'AWS Lambda', amount: '0.25' }] }]),
  ]);

  const run = await runCostSummary();

  expect(textOf(run)).toContain('Total: 1.75 USD');
  expect(run.costExplorer).toEqual({ requests: 2, cacheHit: false });
});
