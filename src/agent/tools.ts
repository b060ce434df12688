/**
 * The tools that the model can call through Converse, and their implementations.
 *
 * Both tools take no input and return their result as text content.
 */
import type { Tool, ToolResultBlock, ToolResultStatus, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { formatTags } from './config';
import { buildCostExplorerUrl, monthToDate } from '../shared/cost-explorer-url';

export const COST_SUMMARY_TOOL = 'get_cost_summary';
export const COST_EXPLORER_LINK_TOOL = 'get_cost_explorer_link';

/** Application settings and the clock that the tools read. */
export interface ToolContext {
  /** Cost allocation tags of the inference profile, tag key to tag value. */
  readonly tags: Readonly<Record<string, string>>;
  /** AWS region of the function, which selects the console domain of the link. */
  readonly region: string;
  /** Returns the current time. Tests pass a fixed date. */
  readonly now: () => Date;
}

/** The outcome of one tool call, paired to the model's request by `resultBlock.toolUseId`. */
export interface ToolRun {
  /** The tool name that the model requested, which may be unknown. */
  readonly name: string;
  readonly status: ToolResultStatus;
  /** The `toolResult` content block to send back to the model. */
  readonly resultBlock: ToolResultBlock;
  /** Why the call failed: `UnknownTool`, or the name of the error that the tool threw. */
  readonly errorName?: string;
  /** The error that the tool threw, if it did. */
  readonly error?: unknown;
}

interface ToolDefinition {
  readonly description: string;
  readonly run: (context: ToolContext) => string | Promise<string>;
}

// Both tools take no input, so their input schema is an object without properties.
const NO_INPUT_SCHEMA = { type: 'object', properties: {} };

const TOOLS = new Map<string, ToolDefinition>([
  [COST_SUMMARY_TOOL, {
    description: 'Explains where the Amazon Bedrock cost of this application appears in AWS billing: the cost allocation tags to filter by, ' +
      'why to group by service, the tag activation that filtering needs, the reporting delay, and a Cost Explorer link. Returns no cost figures.',
    run: describeCostSummary,
  }],
  [COST_EXPLORER_LINK_TOOL, {
    description: 'Returns a link to the AWS Cost Explorer console that shows the cost of this application for the current month to date (UTC), ' +
      'filtered by its cost allocation tags and grouped by service.',
    run: describeCostExplorerLink,
  }],
]);

/** The tool specifications for `toolConfig.tools` of a Converse request. */
export const TOOL_SPECS: readonly Tool[] = [...TOOLS.entries()].map(([name, definition]) => ({
  toolSpec: { name, description: definition.description, inputSchema: { json: NO_INPUT_SCHEMA } },
}));

/**
 * Runs the tool that a `toolUse` block requests and builds its `toolResult` block.
 *
 * An unknown tool name or an error thrown by the tool gives a result with status `error` and a text
 * that describes the failure to the model, so the conversation can go on.
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
    const text = await definition.run(context);
    return {
      name,
      status: 'success',
      resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text }], status: 'success' },
    };
  } catch (error) {
    const errorName = error instanceof Error ? error.name : 'UnknownError';
    return { ...errorRun(toolUse.toolUseId, name, `The tool ${name} failed with ${errorName}. Answer without its result.`), errorName, error };
  }
}

function errorRun(toolUseId: string, name: string, text: string): ToolRun {
  return { name, status: 'error', resultBlock: { toolUseId, content: [{ text }], status: 'error' } };
}

function describeCostSummary(context: ToolContext): string {
  const tags = formatTags(context.tags);
  const tagKeys = Object.keys(context.tags).sort();
  return [
    'Where the cost of this application appears:',
    `- Its Amazon Bedrock requests go through an application inference profile that carries these cost allocation tags: ${tags.join(', ')}.`,
    '- In AWS Cost Explorer, filter by these tags and group by service. Grouping by service matters because third-party models, ' +
      'such as recent Anthropic Claude versions, are billed under their own AWS Marketplace service names rather than under "Amazon Bedrock".',
    `- The tag keys ${tagKeys.join(', ')} must be activated as cost allocation tags in the Billing and Cost Management console ` +
      'of the management (payer) account. Until they are activated, Cost Explorer cannot filter by them.',
    '- Cost appears in Cost Explorer with a delay of up to 24 hours.',
    `- ${describeCostExplorerLink(context)}`,
    'This summary contains no cost figures, because this tool does not query Cost Explorer.',
  ].join('\n');
}

function describeCostExplorerLink(context: ToolContext): string {
  const now = context.now();
  const dateRange = monthToDate(now);
  const url = buildCostExplorerUrl({ tags: { ...context.tags }, region: context.region, dateRange });
  const today = now.toISOString().slice(0, 10);
  return `Cost Explorer link for ${dateRange.start} to ${today} (UTC, month to date), ` +
    `filtered by the tags ${formatTags(context.tags).join(', ')} and grouped by service: ${url}`;
}
