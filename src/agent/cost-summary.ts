/**
 * The `get_cost_summary` tool: it validates the period that the model chose, queries Cost Explorer
 * and writes the figures, or the reason there are none, as text for the model.
 */
import { formatTags } from './config';
import { describeCostQueryError } from './cost-errors';
import { COST_METRIC, costExplorerRegion, getApplicationCost } from './cost-explorer';
import type { CostSummary } from './cost-explorer';
import { parseCostPeriod } from './cost-period';
import type { CostPeriod } from './cost-period';
import type { ToolContext, ToolOutput } from './tools';
import { buildCostExplorerUrl } from '../shared/cost-explorer-url';

/** The error name of a tool result for input that does not match the tool's schema. */
export const INVALID_TOOL_INPUT = 'InvalidToolInput';
/** The error name of a tool result when the function has no cost allocation tags to filter by. */
export const NO_TAGS = 'NoCostAllocationTags';

export const COST_SUMMARY_DESCRIPTION =
  'Returns the live cost of this application from AWS Cost Explorer, filtered by its cost allocation tags: ' +
  'the total and the amount per AWS service (largest first), the currency and the exact UTC period, with a Cost Explorer link. ' +
  'Choose the period with "period": month to date (the default), the last N days, or a calendar month (YYYY-MM) ' +
  'from the last 12 months or the current month. ' +
  'Figures lag usage by up to 24 hours. Each query is billed by AWS, so identical queries within 5 minutes are served from a cache. ' +
  'When Cost Explorer has no data for the tags, the result says why instead of reporting zero.';

/** Runs `get_cost_summary` for the tool input that the model sent. */
export async function runCostSummary(input: unknown, context: ToolContext): Promise<ToolOutput> {
  const now = context.now();
  const parsed = parseCostPeriod(input, now);
  if ('error' in parsed) {
    return { text: `Invalid input for get_cost_summary. ${parsed.error} Cost Explorer was not called.`, errorName: INVALID_TOOL_INPUT };
  }

  if (Object.keys(context.tags).length === 0) {
    // Without a tag filter the query would return the cost of the whole account.
    return { text: 'No cost allocation tags are configured, so the cost of this application cannot be filtered. Set COST_ALLOCATION_TAGS.', errorName: NO_TAGS };
  }

  const { period } = parsed;
  const link = buildCostExplorerUrl({ tags: { ...context.tags }, region: context.region, dateRange: period });
  try {
    const query = { tags: context.tags, dateRange: period, functionRegion: context.region, abortSignal: context.abortSignal };
    const outcome = await getApplicationCost(query, now);
    const usage = { requests: outcome.requests, cacheHit: outcome.cacheHit };
    const text = outcome.summary.services.length === 0
      ? noDataText(period, context.tags, link)
      : figuresText(outcome.summary, period, context.tags, link);
    return { text, costExplorer: usage };
  } catch (error) {
    const failure = describeCostQueryError(error, costExplorerRegion(context.region));
    const text = `${failure.text} Answer without live cost figures, and offer this Cost Explorer link for ${period.label}: ${link}`;
    return { text, errorName: failure.errorName, error };
  }
}

function figuresText(summary: CostSummary, period: CostPeriod, tags: Readonly<Record<string, string>>, link: string): string {
  const lines = [
    ...queryLines(period, tags),
    `Total: ${[...summary.totals].map(([unit, amount]) => formatAmount(amount, unit)).join(' and ')}`,
    'By service, largest first:',
    ...summary.services.map((cost) => `- ${cost.service}: ${formatAmount(cost.amount, cost.unit)}`),
  ];
  if (summary.estimated) {
    lines.push('Cost Explorer marks part of these figures as estimated, because that billing period is not final yet.');
  }
  if ([...summary.totals.values()].every((amount) => amount === 0)) {
    lines.push('Every amount is zero. If the application was used in this period, its usage may not be billed yet, ' +
      'or the tags may have been activated only recently.');
  }
  lines.push(
    'Billing data reaches Cost Explorer with a delay of up to 24 hours, so the most recent usage may be missing.',
    `Cost Explorer link for the same period and tags: ${link}`,
  );
  return lines.join('\n');
}

function noDataText(period: CostPeriod, tags: Readonly<Record<string, string>>, link: string): string {
  const tagKeys = Object.keys(tags).sort().join(', ');
  return [
    ...queryLines(period, tags),
    'Cost Explorer returned no cost for these tags in this period. This does not show that the cost is zero, ' +
      'so do not report a cost of zero. Possible reasons:',
    `- The tag keys ${tagKeys} are not activated as cost allocation tags. Activate them in the Billing and Cost Management console ` +
      'of the management (payer) account, under Cost allocation tags. A new tag key appears there up to 24 hours after it is ' +
      'first applied to a resource, and activation takes up to 24 hours more.',
    '- Billing data reaches Cost Explorer with a delay of up to 24 hours, so recent usage may not be there yet.',
    '- The application had no billed usage in this period.',
    'The query filters by tags and groups by service, so it also covers third-party models that are billed under their own ' +
      'AWS Marketplace service names rather than under "Amazon Bedrock".',
    `Cost Explorer link for the same period and tags: ${link}`,
  ].join('\n');
}

/** Describes the query: the period in UTC with its exact Cost Explorer bounds, the tags and the metric. */
function queryLines(period: CostPeriod, tags: Readonly<Record<string, string>>): string[] {
  return [
    `Cost of this application for ${period.label}: ${period.start} to ${lastDay(period)} inclusive ` +
      `(UTC dates; Cost Explorer TimePeriod Start ${period.start} inclusive, End ${period.end} exclusive).`,
    `Source: AWS Cost Explorer, metric ${COST_METRIC}, filtered by the cost allocation tags ${formatTags(tags).join(', ')} ` +
      '(all must match) and grouped by service.',
  ];
}

function lastDay(period: CostPeriod): string {
  const end = new Date(`${period.end}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

/**
 * Formats an amount with two decimals, or with two significant digits when it is smaller than one
 * hundredth, so that a small Bedrock cost such as 0.0042 USD does not show as 0.00.
 */
export function formatAmount(amount: number, unit: string): string {
  const magnitude = Math.abs(amount);
  const digits = magnitude === 0 || magnitude >= 0.01 ? amount.toFixed(2) : amount.toPrecision(2);
  return `${digits} ${unit}`;
}
