/**
 * The tools that the model can call through Converse, and their implementations.
 *
 * `get_cost_summary` queries Cost Explorer for the period that the model chooses (see cost-summary.ts).
 * `get_cost_explorer_link` takes no input. Both return their result as text content.
 */
import type { Tool, ToolInputSchema, ToolResultBlock, ToolResultStatus, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { formatTags } from './config';
import { COST_PERIOD_INPUT_SCHEMA } from './cost-period';
import { COST_SUMMARY_DESCRIPTION, runCostSummary } from './cost-summary';
import { buildCostExplorerUrl, monthToDate } from '../shared/cost-explorer-url';

export const COST_SUMMARY_TOOL = 'get_cost_summary';
export const COST_EXPLORER_LINK_TOOL = 'get_cost_explorer_link';

/** Application settings and the clock that the tools read. */
export interface ToolContext {
  /** Cost allocation tags of the inference profile, tag key to tag value. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * AWS region of the function. Its partition selects the console domain of the links and the
   * region of the Cost Explorer API.
   */
  readonly region: string;
  /** Returns the current time, which sets the dates of a period and the age of cached results. Tests pass a fixed date. */
  readonly now: () => Date;
  /**
   * Aborts the tool's AWS calls when the time that the invocation leaves for tools runs out.
   *
   * @default - no time limit
   */
  readonly abortSignal?: AbortSignal;
}

/** The outcome of one tool call, paired to the model's request by `resultBlock.toolUseId`. */
export interface ToolRun {
  /** The tool name that the model requested, which may be unknown. */
  readonly name: string;
  readonly status: ToolResultStatus;
  /** The `toolResult` content block to send back to the model. */
  readonly resultBlock: ToolResultBlock;
  /**
   * Why the call failed: `UnknownTool`, `InvalidToolInput`, the name of a Cost Explorer error such as
   * `DataUnavailableException`, or the name of the error that the tool threw.
   */
  readonly errorName?: string;
  /** The error that the tool threw or reported, if any. */
  readonly error?: unknown;
  /** The Cost Explorer requests of a `get_cost_summary` call that returned a result, for the logs. Absent when it failed. */
  readonly costExplorer?: CostExplorerUsage;
}

/** The Cost Explorer requests of one tool call. Each request is billed, see cost-explorer.ts. */
export interface CostExplorerUsage {
  /** GetCostAndUsage requests sent, one per page of results. Zero when the result came from the cache. */
  readonly requests: number;
  readonly cacheHit: boolean;
}

/** The return value of a tool. A result with `errorName` goes back to the model with status `error`. */
export interface ToolOutput {
  /** The text for the model, which explains a failure too. Never empty. */
  readonly text: string;
  /** The failure reason, such as `InvalidToolInput` or a Cost Explorer error name. */
  readonly errorName?: string;
  readonly error?: unknown;
  readonly costExplorer?: CostExplorerUsage;
}

interface ToolDefinition {
  readonly description: string;
  /** The JSON schema of the tool's input, which Converse passes to the model. */
  readonly inputSchema: ToolInputSchema.JsonMember['json'];
  /** Runs the tool. `input` is the model's `toolUse.input`, not validated yet. */
  readonly run: (input: unknown, context: ToolContext) => ToolOutput | Promise<ToolOutput>;
}

const TOOLS = new Map<string, ToolDefinition>([
  [COST_SUMMARY_TOOL, {
    description: COST_SUMMARY_DESCRIPTION,
    inputSchema: COST_PERIOD_INPUT_SCHEMA,
    run: runCostSummary,
  }],
  [COST_EXPLORER_LINK_TOOL, {
    description: 'Returns a link to the AWS Cost Explorer console that shows the cost of this application for the current month to date (UTC), ' +
      'filtered by its cost allocation tags and grouped by service.',
    // The tool takes no input, so its schema is an object without properties.
    inputSchema: { type: 'object', properties: {} },
    run: (_input, context) => ({ text: describeCostExplorerLink(context) }),
  }],
]);

/** The tool specifications for `toolConfig.tools` of a Converse request. */
export const TOOL_SPECS: readonly Tool[] = [...TOOLS.entries()].map(([name, definition]) => ({
  toolSpec: { name, description: definition.description, inputSchema: { json: definition.inputSchema } },
}));

/**
 * Runs the tool that a `toolUse` block requests and builds its `toolResult` block.
 *
 * A failed call gives a result with status `error` and a text that describes the failure to the
 * model, so the conversation can go on. A call fails on an unknown tool name, on input that the tool
 * rejects, on a failed Cost Explorer query and on an error that the tool throws.
 *
 * NOTE: the SDK documents the toolResult `status` field only for Amazon Nova and Anthropic Claude 3
 * and 4 models (client-bedrock-runtime 3.1178). Whether other models reject it is untested.
 */
export async function runTool(toolUse: ToolUseBlock & { toolUseId: string }, context: ToolContext): Promise<ToolRun> {
  const name = toolUse.name ?? '';
  const definition = TOOLS.get(name);
  if (definition === undefined) {
    const available = [...TOOLS.keys()].join(' and ');
    const text = `Unknown tool ${JSON.stringify(name)}. The available tools are ${available}.`;
    return { ...errorRun(toolUse.toolUseId, name, text), errorName: 'UnknownTool' };
  }

  try {
    const output = await definition.run(toolUse.input, context);
    const usage = output.costExplorer !== undefined ? { costExplorer: output.costExplorer } : {};
    if (output.errorName !== undefined) {
      return { ...errorRun(toolUse.toolUseId, name, output.text), errorName: output.errorName, error: output.error, ...usage };
    }
    return {
      name,
      status: 'success',
      resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: output.text }], status: 'success' },
      ...usage,
    };
  } catch (error) {
    const errorName = error instanceof Error ? error.name : 'UnknownError';
    return { ...errorRun(toolUse.toolUseId, name, `The tool ${name} failed with ${errorName}. Answer without its result.`), errorName, error };
  }
}

function errorRun(toolUseId: string, name: string, text: string): ToolRun {
  return { name, status: 'error', resultBlock: { toolUseId, content: [{ text }], status: 'error' } };
}

function describeCostExplorerLink(context: ToolContext): string {
  const now = context.now();
  const dateRange = monthToDate(now);
  const url = buildCostExplorerUrl({ tags: { ...context.tags }, region: context.region, dateRange });
  const today = now.toISOString().slice(0, 10);
  return `Cost Explorer link for ${dateRange.start} to ${today} (UTC, month to date), ` +
    `filtered by the tags ${formatTags(context.tags).join(', ')} and grouped by service: ${url}`;
}
