/**
 * Queries AWS Cost Explorer `GetCostAndUsage` for the cost of this application: filtered by its cost
 * allocation tags, grouped by service, as UnblendedCost.
 *
 * Each request costs USD 0.01, and each page of a paginated result counts as one request. Source:
 * https://aws.amazon.com/ar/aws-cost-management/aws-cost-explorer/faqs (English text). Results are
 * therefore cached per container for {@link CACHE_TTL_MS}, which also serves a repeated query within
 * one invocation.
 */
import type { CostExplorerClient, Expression, GetCostAndUsageCommandInput, GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import type { CostExplorerDateRange } from '../shared/cost-explorer-url';

/** How long a query result is reused. Cost Explorer refreshes its data a few times a day. */
export const CACHE_TTL_MS = 5 * 60 * 1000;
/** Maximum number of cached query results. The oldest entry is evicted first. */
export const MAX_CACHE_ENTRIES = 32;
/**
 * Maximum number of pages read for one query, which caps its price at USD 0.10. A monthly result
 * grouped by service fits on one page unless the tags match cost in very many services.
 */
export const MAX_PAGES = 10;

export const COST_METRIC = 'UnblendedCost';

/** A query: the tags to filter by and the date range, start inclusive and end exclusive. */
export interface CostQuery {
  readonly tags: Readonly<Record<string, string>>;
  readonly dateRange: CostExplorerDateRange;
  /** AWS region of the function, which selects the Cost Explorer region of its partition. */
  readonly functionRegion: string;
  /**
   * Aborts the query, which then throws the SDK's AbortError.
   *
   * @default - no time limit
   */
  readonly abortSignal?: AbortSignal;
}

/** The cost of one service, in one currency. */
export interface ServiceCost {
  readonly service: string;
  readonly amount: number;
  readonly unit: string;
}

/** A query result, summed over the time periods of the response. */
export interface CostSummary {
  /** Amounts per service and currency, largest first. Empty when Cost Explorer returned no groups. */
  readonly services: readonly ServiceCost[];
  /** Totals per currency unit, such as `USD`, in the order of their first service. */
  readonly totals: ReadonlyMap<string, number>;
  /** True when Cost Explorer marked any time period as estimated, because its billing is still open. */
  readonly estimated: boolean;
}

/** The outcome of {@link getApplicationCost}. */
export interface CostQueryOutcome {
  readonly summary: CostSummary;
  /** The number of GetCostAndUsage requests made, one per page. Zero when the result came from the cache. */
  readonly requests: number;
  readonly cacheHit: boolean;
}

/** Thrown when a query would need more than {@link MAX_PAGES} pages. */
export class TooManyPagesError extends Error {
  constructor(pages: number) {
    super(`Cost Explorer returned more than ${pages} pages for one query.`);
    this.name = 'TooManyPagesError';
  }
}

/**
 * Returns the region that serves the Cost Explorer API in the partition of `functionRegion`.
 *
 * Cost Explorer has one endpoint per partition: us-east-1 in `aws`
 * (https://docs.aws.amazon.com/cost-management/latest/userguide/ce-api.html) and cn-northwest-1 in
 * `aws-cn` (https://docs.amazonaws.cn/en_us/cost-management/latest/userguide/ce-api.html). For
 * `aws-us-gov` the endpoint rules of @aws-sdk/client-cost-explorer 3.1138 sign for the partition's
 * global region, which the SDK's partition data (@aws-sdk/core) sets to us-gov-west-1.
 * The client is created with this region, rather than the function's, so that a custom endpoint
 * from AWS_ENDPOINT_URL_COST_EXPLORER is signed for the right region too.
 *
 * NOTE: the GovCloud (US) user guide states that billing data of GovCloud accounts is available only
 * in the commercial partition, so a function in us-gov-* regions may get no data or an error.
 * Other partitions (ISO, EUSC) keep the function's region, and the SDK's endpoint rules pick the
 * partition's Cost Explorer endpoint and signing region when no custom endpoint is set.
 */
export function costExplorerRegion(functionRegion: string): string {
  if (functionRegion.startsWith('cn-')) {
    return 'cn-northwest-1';
  }
  if (functionRegion.startsWith('us-gov-')) {
    return 'us-gov-west-1';
  }
  if (/^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/.test(functionRegion)) {
    return 'us-east-1';
  }
  return functionRegion;
}

/**
 * Builds the GetCostAndUsage filter: every tag must match. Tag keys are plain (`Application`), not
 * in the `user:Application` form that AWS Budgets uses, and `And` needs at least two expressions,
 * so a single tag is a bare `Tags` expression. There is no SERVICE filter, because third-party models
 * bill under their own AWS Marketplace service names rather than "Amazon Bedrock".
 */
export function tagFilter(tags: Readonly<Record<string, string>>): Expression {
  const expressions: Expression[] = Object.keys(tags).sort().map((key) => ({
    Tags: { Key: key, Values: [tags[key]], MatchOptions: ['EQUALS'] },
  }));
  if (expressions.length === 0) {
    throw new RangeError('No cost allocation tags are configured, so the query would return the cost of the whole account.');
  }
  return expressions.length === 1 ? expressions[0] : { And: expressions };
}

/** Builds the GetCostAndUsage request for a query, without the page token. */
export function costAndUsageRequest(query: CostQuery): GetCostAndUsageCommandInput {
  return {
    TimePeriod: { Start: query.dateRange.start, End: query.dateRange.end },
    // Monthly granularity gives the fewest result rows, and so the fewest paid pages. A range that
    // crosses months returns one row per month, which the summary adds up.
    Granularity: 'MONTHLY',
    Metrics: [COST_METRIC],
    Filter: tagFilter(query.tags),
    GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
  };
}

/**
 * Returns the cost of the application for `query`, from the cache when an identical query ran less
 * than {@link CACHE_TTL_MS} ago by the clock `now`, else from Cost Explorer.
 *
 * Errors from Cost Explorer are thrown as the SDK raises them, and are not cached.
 */
export async function getApplicationCost(query: CostQuery, now: Date): Promise<CostQueryOutcome> {
  const region = costExplorerRegion(query.functionRegion);
  const key = cacheKey(region, query);
  const cached = readCache(key, now.getTime());
  if (cached !== undefined) {
    return { summary: cached, requests: 0, cacheHit: true };
  }

  const { responses, requests } = await fetchAllPages(costExplorerClient(region), costAndUsageRequest(query), query.abortSignal);
  const summary = summarize(responses);
  writeCache(key, summary, now.getTime());
  return { summary, requests, cacheHit: false };
}

/**
 * Empties the query cache and closes the clients, so that the next query calls Cost Explorer with a
 * client that reads the environment again. For tests.
 */
export function clearCostExplorerCache(): void {
  cache.clear();
  for (const client of clients.values()) {
    client.destroy();
  }
  clients.clear();
}

async function fetchAllPages(
  client: CostExplorerClient,
  request: GetCostAndUsageCommandInput,
  abortSignal: AbortSignal | undefined,
): Promise<{ responses: GetCostAndUsageCommandOutput[]; requests: number }> {
  const { GetCostAndUsageCommand } = loadCostExplorerModule();
  const responses: GetCostAndUsageCommandOutput[] = [];
  let nextPageToken: string | undefined;
  do {
    if (responses.length >= MAX_PAGES) {
      throw new TooManyPagesError(MAX_PAGES);
    }
    const response = await client.send(new GetCostAndUsageCommand({ ...request, NextPageToken: nextPageToken }), { abortSignal });
    responses.push(response);
    nextPageToken = response.NextPageToken || undefined;
  } while (nextPageToken !== undefined);
  return { responses, requests: responses.length };
}

/** Adds up the amounts per service and currency over every time period and page. */
function summarize(responses: readonly GetCostAndUsageCommandOutput[]): CostSummary {
  const amounts = new Map<string, ServiceCost>();
  let estimated = false;
  for (const result of responses.flatMap((response) => response.ResultsByTime ?? [])) {
    estimated = estimated || result.Estimated === true;
    for (const group of result.Groups ?? []) {
      const metric = group.Metrics?.[COST_METRIC];
      const amount = Number(metric?.Amount);
      if (metric === undefined || !Number.isFinite(amount)) {
        continue;
      }
      const service = group.Keys?.join(', ') || 'Unknown service';
      const unit = metric.Unit || 'USD';
      const key = `${unit}\u0000${service}`;
      amounts.set(key, { service, unit, amount: (amounts.get(key)?.amount ?? 0) + amount });
    }
  }

  const services = [...amounts.values()].sort((a, b) => b.amount - a.amount || a.service.localeCompare(b.service));
  const totals = new Map<string, number>();
  for (const cost of services) {
    totals.set(cost.unit, (totals.get(cost.unit) ?? 0) + cost.amount);
  }
  return { services, totals, estimated };
}

// The SDK module is loaded on the first query, so that a cold start that never queries Cost
// Explorer does not evaluate it. esbuild bundles the module and evaluates it at this call.
// NOTE: `await import()` would defer it the same way in the bundle, but under Jest, which runs
// the TypeScript sources as CommonJS without --experimental-vm-modules, import() throws a TypeError.
type CostExplorerModule = typeof import('@aws-sdk/client-cost-explorer');

function loadCostExplorerModule(): CostExplorerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-cost-explorer') as CostExplorerModule;
}

const clients = new Map<string, CostExplorerClient>();

/** Returns the client for `region`, creating it on first use. */
function costExplorerClient(region: string): CostExplorerClient {
  let client = clients.get(region);
  if (client === undefined) {
    const { CostExplorerClient: Client } = loadCostExplorerModule();
    // No endpoint is set here because the SDK reads AWS_ENDPOINT_URL_COST_EXPLORER and AWS_ENDPOINT_URL itself.
    client = new Client({ region });
    clients.set(region, client);
  }
  return client;
}

interface CacheEntry {
  readonly summary: CostSummary;
  readonly storedAt: number;
}

const cache = new Map<string, CacheEntry>();

function cacheKey(region: string, query: CostQuery): string {
  const tags = Object.keys(query.tags).sort().map((key) => [key, query.tags[key]]);
  return JSON.stringify([region, query.dateRange.start, query.dateRange.end, tags]);
}

function readCache(key: string, nowMs: number): CostSummary | undefined {
  const entry = cache.get(key);
  if (entry === undefined) {
    return undefined;
  }
  if (isExpired(entry, nowMs)) {
    cache.delete(key);
    return undefined;
  }
  return entry.summary;
}

function writeCache(key: string, summary: CostSummary, nowMs: number): void {
  for (const [existingKey, entry] of cache) {
    if (isExpired(entry, nowMs)) {
      cache.delete(existingKey);
    }
  }
  // A Map iterates in insertion order, so the first key is the oldest entry.
  while (cache.size >= MAX_CACHE_ENTRIES) {
    cache.delete(cache.keys().next().value as string);
  }
  cache.delete(key);
  cache.set(key, { summary, storedAt: nowMs });
}

/** Returns true when `entry` is older than the TTL, or stored "in the future" by a clock set back. */
function isExpired(entry: CacheEntry, nowMs: number): boolean {
  return nowMs < entry.storedAt || nowMs - entry.storedAt >= CACHE_TTL_MS;
}
