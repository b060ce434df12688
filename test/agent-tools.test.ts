import { TestEnvironment } from './support/agent-environment';
import { costAndUsageResponse, costExplorerEnvironment, CostExplorerServer } from './support/cost-explorer-server';
import { clearCostExplorerCache } from '../src/agent/cost-explorer';
import { COST_PERIOD_INPUT_SCHEMA } from '../src/agent/cost-period';
import { COST_EXPLORER_LINK_TOOL, COST_SUMMARY_TOOL, runTool, TOOL_SPECS } from '../src/agent/tools';
import type { ToolContext } from '../src/agent/tools';

const TAGS = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };

function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tags: TAGS, region: 'ap-southeast-2', now: () => new Date('2025-03-15T10:30:00Z'), ...overrides };
}

async function resultText(name: string, context: ToolContext = toolContext()): Promise<string> {
  const run = await runTool({ toolUseId: 'tool-1', name, input: {} }, context);
  const content = run.resultBlock.content ?? [];
  return content[0]?.text ?? '';
}

/** Returns the query parameters of a Cost Explorer link, which the console reads from the URL fragment. */
function linkParameters(text: string): URLSearchParams {
  const url = new URL(/https:\S+/.exec(text)![0]);
  return new URLSearchParams(url.hash.split('?')[1]);
}

describe('tool specs', () => {
  test('both tools offered', () => {
    expect(TOOL_SPECS.map((tool) => tool.toolSpec?.name)).toEqual([COST_SUMMARY_TOOL, COST_EXPLORER_LINK_TOOL]);
  });

  test('summary takes a period', () => {
    const spec = TOOL_SPECS.find((tool) => tool.toolSpec?.name === COST_SUMMARY_TOOL);

    expect(spec?.toolSpec?.inputSchema?.json).toEqual(COST_PERIOD_INPUT_SCHEMA);
    expect(spec?.toolSpec?.description).toContain('live cost');
  });

  test('link takes no input', () => {
    const spec = TOOL_SPECS.find((tool) => tool.toolSpec?.name === COST_EXPLORER_LINK_TOOL);

    expect(spec?.toolSpec?.inputSchema?.json).toEqual({ type: 'object', properties: {} });
  });
});

describe('get_cost_explorer_link', () => {
  test('dates follow injected clock', async () => {
    const parameters = linkParameters(await resultText(COST_EXPLORER_LINK_TOOL));

    expect(parameters.get('startDate')).toBe('2025-03-01');
    expect(parameters.get('endDate')).toBe('2025-03-15');
  });

  test('first day of month', async () => {
    const context = toolContext({ now: () => new Date('2025-04-01T00:00:00Z') });

    const parameters = linkParameters(await resultText(COST_EXPLORER_LINK_TOOL, context));

    expect(parameters.get('startDate')).toBe('2025-04-01');
    expect(parameters.get('endDate')).toBe('2025-04-01');
  });

  test('text states UTC range', async () => {
    expect(await resultText(COST_EXPLORER_LINK_TOOL)).toContain('2025-03-01 to 2025-03-15 (UTC, month to date)');
  });

  test('filter has every tag', async () => {
    const filter = JSON.parse(linkParameters(await resultText(COST_EXPLORER_LINK_TOOL)).get('filter')!);

    expect(Object.fromEntries(filter.map((entry: any) => [entry.tagKey, entry.values[0].value]))).toEqual(TAGS);
  });

  test('grouped by service', async () => {
    expect(JSON.parse(linkParameters(await resultText(COST_EXPLORER_LINK_TOOL)).get('groupBy')!)).toEqual(['Service']);
  });

  test('China region uses its console', async () => {
    const text = await resultText(COST_EXPLORER_LINK_TOOL, toolContext({ region: 'cn-north-1' }));

    expect(text).toContain('https://console.amazonaws.cn/costmanagement/home#/cost-explorer?');
  });
});

describe('get_cost_summary', () => {
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

  test('returns success status', async () => {
    server.enqueue(costAndUsageResponse([{ start: '2025-03-01', end: '2025-03-16', services: [{ service: 'Amazon Bedrock', amount: '5' }] }]));

    const run = await runTool({ toolUseId: 'tool-1', name: COST_SUMMARY_TOOL, input: {} }, toolContext());

    expect(run.status).toBe('success');
    expect(run.resultBlock.status).toBe('success');
    expect(run.resultBlock.toolUseId).toBe('tool-1');
    expect(run.resultBlock.content?.[0]?.text).toContain('Total: 5.00 USD');
    expect(server.requests).toHaveLength(1);
  });

  test.each([
    ['unknown period', { period: 'quarter' }, '"period"'],
    ['days out of range', { period: 'last_n_days', days: 400 }, '"days"'],
    ['malformed month', { period: 'month', month: 'March' }, '"month"'],
    ['wrong input type', 'last week', 'JSON object'],
  ])('%s rejected without query', async (_name, input, field) => {
    const run = await runTool({ toolUseId: 'tool-4', name: COST_SUMMARY_TOOL, input: input as any }, toolContext());

    expect(run.status).toBe('error');
    expect(run.resultBlock.status).toBe('error');
    expect(run.errorName).toBe('InvalidToolInput');
    const text = run.resultBlock.content?.[0]?.text ?? '';
    expect(text).toContain('Invalid input for get_cost_summary.');
    expect(text).toContain(field);
    expect(text).toContain('Cost Explorer was not called.');
    expect(server.requests).toHaveLength(0);
  });

  test('invalid clock gets error', async () => {
    const context = toolContext({ now: () => new Date(Number.NaN) });

    const run = await runTool({ toolUseId: 'tool-5', name: COST_SUMMARY_TOOL, input: {} }, context);

    expect(run.status).toBe('error');
    expect(run.errorName).toBe('RangeError');
    expect(server.requests).toHaveLength(0);
  });
});

describe('failed tool calls', () => {
  test('unknown tool gets error', async () => {
    const run = await runTool({ toolUseId: 'tool-9', name: 'get_weather', input: {} }, toolContext());

    expect(run.status).toBe('error');
    expect(run.errorName).toBe('UnknownTool');
    expect(run.resultBlock).toEqual({
      toolUseId: 'tool-9',
      status: 'error',
      content: [{ text: 'Unknown tool "get_weather". The available tools are get_cost_summary and get_cost_explorer_link.' }],
    });
  });

  test('prototype name is unknown', async () => {
    const run = await runTool({ toolUseId: 'tool-9', name: 'constructor', input: {} }, toolContext());

    expect(run.status).toBe('error');
    expect(run.errorName).toBe('UnknownTool');
  });

  test('missing name is unknown', async () => {
    const run = await runTool({ toolUseId: 'tool-9', name: undefined, input: {} }, toolContext());

    expect(run.status).toBe('error');
    expect(run.resultBlock.content?.[0]?.text).toContain('Unknown tool ""');
  });

  test('throwing tool gets error', async () => {
    // An invalid date makes the date formatting throw RangeError.
    const context = toolContext({ now: () => new Date(Number.NaN) });

    const run = await runTool({ toolUseId: 'tool-3', name: COST_EXPLORER_LINK_TOOL, input: {} }, context);

    expect(run.status).toBe('error');
    expect(run.errorName).toBe('RangeError');
    expect(run.error).toBeInstanceOf(RangeError);
    expect(run.resultBlock.toolUseId).toBe('tool-3');
    expect(run.resultBlock.status).toBe('error');
    expect(run.resultBlock.content?.[0]?.text).toBe('The tool get_cost_explorer_link failed with RangeError. Answer without its result.');
  });
});
