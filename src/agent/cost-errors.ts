/**
 * Turns an error from a Cost Explorer query into the text of an error tool result, which states
 * what failed and what the operator can do.
 *
 * The texts leave out the service's own message, which can name roles and accounts, except for
 * ValidationException, whose message names the invalid parameter.
 */
import { MAX_PAGES } from './cost-explorer';

/** A failed query, described for the tool result and the logs. */
export interface CostQueryFailure {
  /** The SDK error name, such as `DataUnavailableException`, or a Node.js error code such as `ECONNREFUSED`. */
  readonly errorName: string;
  /** The text for the model: the failure and the next step. Never empty. */
  readonly text: string;
}

/**
 * The message of the AccessDeniedException that Cost Explorer returns while it is not enabled for
 * the account. Reports of the message: https://github.com/aws-samples/aws-cost-explorer-report/issues/15
 */
const NOT_ENABLED_MESSAGE = /not enabled for cost explorer/i;

const RETRY_LATER = 'Retry in a few minutes.';

const HINTS: ReadonlyMap<string, string> = new Map([
  ['AccessDeniedException', "The function's IAM role is not allowed to call ce:GetCostAndUsage. Allow that action on the resource \"*\" " +
    'in the role\'s policy, and check that no service control policy or permissions boundary denies it.'],
  ['DataUnavailableException', 'Cost Explorer has no data for this request yet. This happens in the first 24 hours or so after Cost Explorer ' +
    'is enabled for the account, and for dates outside the data that it keeps. Retry later, or choose a more recent period.'],
  ['BillExpirationException', 'The requested period is older than the data that Cost Explorer keeps. Choose a period within the last 12 months.'],
  ['LimitExceededException', `Cost Explorer received too many requests from this account, and the SDK's retries ran out. ${RETRY_LATER}`],
  ['ThrottlingException', `Cost Explorer throttled the request, and the SDK's retries ran out. ${RETRY_LATER}`],
  ['InvalidNextTokenException', 'Reading the next page of results failed. Retry the same query.'],
  ['RequestChangedException', 'The query changed between pages of results. Retry the same query.'],
  ['BillingViewHealthStatusException', `The billing view of the account is not healthy right now. ${RETRY_LATER}`],
  ['ServiceUnavailableException', `Cost Explorer is unavailable right now. ${RETRY_LATER}`],
  ['InternalServerException', `Cost Explorer failed internally. ${RETRY_LATER}`],
  // The agent aborts a query that would leave too little time to reply before the Lambda timeout.
  ['AbortError', `The Cost Explorer query timed out, because the function must keep time to reply before its Lambda timeout. ${RETRY_LATER}`],
  ['TooManyPagesError', `The result has more than ${MAX_PAGES} pages, which this tool does not read because each page is billed. ` +
    'Choose a shorter period.'],
]);

/** Describes an error thrown by a Cost Explorer query. `costExplorerRegion` names the endpoint's region for network errors. */
export function describeCostQueryError(error: unknown, costExplorerRegion: string): CostQueryFailure {
  const errorName = nameOf(error);
  const message = messageOf(error);

  if (errorName === 'AccessDeniedException' && NOT_ENABLED_MESSAGE.test(message)) {
    return {
      errorName,
      text: 'The Cost Explorer query failed because Cost Explorer is not enabled for this AWS account (AccessDeniedException). ' +
        'It can be enabled only in the Billing and Cost Management console: open Cost Explorer there and launch it. ' +
        'For a member account of an organization, the management (payer) account may also block access to Cost Explorer. ' +
        'Data for the current month becomes available about 24 hours after Cost Explorer is enabled.',
    };
  }

  if (errorName === 'ValidationException') {
    return { errorName, text: `Cost Explorer rejected the query as invalid (ValidationException: ${truncate(message)}).` };
  }

  const hint = HINTS.get(errorName) ?? fallbackHint(error, costExplorerRegion);
  return { errorName, text: `The Cost Explorer query failed with ${errorName}. ${hint}` };
}

function fallbackHint(error: unknown, costExplorerRegion: string): string {
  // Without an HTTP status, no response arrived, as with a refused connection or a DNS failure.
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status !== 'number') {
    return `Check that the function can reach the Cost Explorer endpoint in ${costExplorerRegion}, then retry.`;
  }
  return "Check the function's logs for details.";
}

function nameOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) {
    return 'UnknownError';
  }
  const { name, code } = error as { name?: unknown; code?: unknown };
  // Node.js system errors are plain Errors whose code, such as ECONNREFUSED, identifies the failure.
  if (name === 'Error' && typeof code === 'string') {
    return code;
  }
  return typeof name === 'string' && name !== '' ? name : 'UnknownError';
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : '';
}

function truncate(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}...`;
}
