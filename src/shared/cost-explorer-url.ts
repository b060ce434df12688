/**
 * Builds AWS Cost Explorer console links filtered by cost allocation tags and grouped by service.
 *
 * The construct (at synth time) and the agent handler (at run time) both call this module, so the
 * `costExplorerUrl` output and the `get_cost_explorer_link` tool always produce the same filter.
 * It imports nothing, so esbuild can bundle it into the handler without aws-cdk-lib.
 */

/** A date range for the link, as `YYYY-MM-DD` strings. The end date is exclusive. */
export interface CostExplorerDateRange {
  readonly start: string;
  readonly end: string;
}

/** Inputs of {@link buildCostExplorerUrl}. */
export interface CostExplorerUrlOptions {
  /** Cost allocation tags to filter by, tag key to tag value. */
  readonly tags: Record<string, string>;
  /** The AWS region the stack or function runs in, which selects the console domain of its partition. */
  readonly region?: string;
  /** The dates to show. Without it, the console opens with its default range. */
  readonly dateRange?: CostExplorerDateRange;
}

/**
 * Returns the console domain of the partition that `region` belongs to.
 * Billing consoles are global, so only the partition matters, not the region itself.
 */
export function consoleDomainForRegion(region: string | undefined): string {
  if (region?.startsWith('cn-')) {
    return 'console.amazonaws.cn';
  }
  if (region?.startsWith('us-gov-')) {
    return 'console.amazonaws-us-gov.com';
  }
  return 'console.aws.amazon.com';
}

/**
 * Builds a Cost Explorer console URL that filters by every tag in `options.tags` (all must match)
 * and groups the cost by service.
 *
 * NOTE: the console's query parameters are not a documented AWS API. They match the links that
 * the console itself generates, and a change on AWS's side would reset the view to the defaults.
 */
export function buildCostExplorerUrl(options: CostExplorerUrlOptions): string {
  const filter = Object.keys(options.tags).sort().map((key) => ({
    dimension: { id: 'TagKey', displayValue: 'Tag' },
    operator: 'INCLUDES',
    values: [{ value: options.tags[key], displayValue: options.tags[key] }],
    growthRate: null,
    tagKey: key,
  }));

  const query: Array<[string, string]> = [
    ['chartStyle', 'STACK'],
    ['costAggregate', 'unBlendedCost'],
    ['filter', JSON.stringify(filter)],
    ['granularity', 'Daily'],
    ['groupBy', JSON.stringify(['Service'])],
  ];
  if (options.dateRange) {
    // The console's end date is inclusive, while the range handed in here ends exclusively.
    query.push(['startDate', options.dateRange.start], ['endDate', inclusiveEndDate(options.dateRange)]);
  }

  const queryString = query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `https://${consoleDomainForRegion(options.region)}/costmanagement/home#/cost-explorer?${queryString}`;
}

/** Returns the date range from the first day of the current UTC month to tomorrow (exclusive end). */
export function monthToDate(now: Date): CostExplorerDateRange {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { start: isoDate(start), end: isoDate(end) };
}

function inclusiveEndDate(range: CostExplorerDateRange): string {
  const end = new Date(`${range.end}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() - 1);
  const inclusive = isoDate(end);
  return inclusive < range.start ? range.start : inclusive;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
