/**
 * Activates cost allocation tag keys with Cost Explorer's UpdateCostAllocationTagsStatus and
 * reports which keys are active and which are still pending, without ever throwing.
 *
 * Billing lists a user-defined tag key for activation only up to 24 hours after the key first
 * appears on a cost, and only the management account of an organization or a standalone account
 * may activate keys. Both are normal states of a first deployment, so they become a report
 * instead of an error.
 * Source: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
 */
import { CostExplorerClient, UpdateCostAllocationTagsStatusCommand } from '@aws-sdk/client-cost-explorer';

/** Overall outcome, returned as the custom resource's `Status` attribute. */
export type ActivationStatus = 'ACTIVE' | 'PENDING' | 'ACCESS_DENIED' | 'ERROR';

/** A tag key that is not active, with the reason. */
export interface PendingTagKey {
  readonly tagKey: string;
  readonly reason: string;
}

/** Outcome of an activation attempt. */
export interface ActivationReport {
  readonly status: ActivationStatus;
  readonly activeTagKeys: string[];
  readonly pendingTagKeys: PendingTagKey[];
  /** One sentence or a few for people: the state, the reason and how to retry. */
  readonly message: string;
}

/** The API's batch limit: at most 20 tag keys in one request. */
export const MAX_TAG_KEYS_PER_REQUEST = 20;

/**
 * Time limit of one request, SDK retries included. Two requests take at most 40 seconds, which
 * leaves room in the handler's 1-minute timeout to reply before Lambda stops it.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Options of {@link activateTagKeys}. */
export interface ActivationOptions {
  /** Time limit of one request in milliseconds. */
  readonly requestTimeoutMs?: number;
}

const NOT_FOUND_REASON = 'not found in billing data yet; billing lists a key for activation up to 24 hours after it first appears on a cost';
const RETRY_HINT = 'To retry, change the retryToken property and deploy again.';

/**
 * The message of the ValidationException that Cost Explorer returns when some keys are unknown
 * to billing, for example "Failed to update Cost Allocation Tag: Tag keys not found: A,B".
 *
 * NOTE: AWS does not document this message. Its format is taken from a response reported in
 * public code. When a message does not match, the error is reported as it is, with every key
 * pending.
 */
const KEYS_NOT_FOUND = /tag keys not found:\s*(.+)$/i;

/**
 * Activates `tagKeys` and reports the outcome. When the service reports some keys as not found,
 * the remaining keys are sent once more, so that every key that can be activated is.
 */
export async function activateTagKeys(client: CostExplorerClient, tagKeys: string[], options: ActivationOptions = {}): Promise<ActivationReport> {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pending = new Map<string, string>();
  let remaining = [...tagKeys];

  // One request, plus one more without the keys that the first request reported as not found.
  for (let attempt = 0; attempt < 2 && remaining.length > 0; attempt++) {
    try {
      const response = await client.send(new UpdateCostAllocationTagsStatusCommand({
        CostAllocationTagsStatus: remaining.map((tagKey) => ({ TagKey: tagKey, Status: 'Active' })),
      }), { abortSignal: AbortSignal.timeout(requestTimeoutMs) });
      for (const entry of response.Errors ?? []) {
        if (entry.TagKey !== undefined) {
          pending.set(entry.TagKey, describeEntryError(entry.Code, entry.Message));
        }
      }
      return buildReport(tagKeys, remaining.filter((tagKey) => !pending.has(tagKey)), pending);
    } catch (error) {
      const notFound = keysNotFound(error, remaining);
      if (notFound === undefined) {
        return failureReport(tagKeys, error, pending);
      }
      for (const tagKey of notFound) {
        pending.set(tagKey, NOT_FOUND_REASON);
      }
      remaining = remaining.filter((tagKey) => !pending.has(tagKey));
    }
  }
  // Both requests named keys as not found, so the keys left over were never confirmed active.
  for (const tagKey of remaining) {
    pending.set(tagKey, 'not confirmed active, because the second request also reported keys as not found');
  }
  return buildReport(tagKeys, [], pending);
}

/**
 * Returns the keys that a "tag keys not found" ValidationException names, limited to the keys
 * that were requested. Returns every requested key when the message names none of them, and
 * undefined for any other error.
 */
function keysNotFound(error: unknown, requested: string[]): string[] | undefined {
  if (errorName(error) !== 'ValidationException') {
    return undefined;
  }
  const match = KEYS_NOT_FOUND.exec(errorMessage(error));
  if (match === null) {
    return undefined;
  }
  const named = match[1].split(',').map((tagKey) => tagKey.trim());
  const found = requested.filter((tagKey) => named.includes(tagKey));
  return found.length > 0 ? found : requested;
}

function buildReport(tagKeys: string[], activeTagKeys: string[], pending: Map<string, string>): ActivationReport {
  const pendingTagKeys = tagKeys
    .filter((tagKey) => pending.has(tagKey))
    .map((tagKey) => ({ tagKey, reason: pending.get(tagKey)! }));

  if (pendingTagKeys.length === 0) {
    return {
      status: 'ACTIVE',
      activeTagKeys,
      pendingTagKeys,
      message: `Active cost allocation tag keys: ${activeTagKeys.join(', ')}. Billing can take up to 24 hours to apply an activation.`,
    };
  }

  const activePart = activeTagKeys.length > 0 ? `Active: ${activeTagKeys.join(', ')}. ` : 'No key was activated. ';
  const pendingPart = `Pending: ${pendingTagKeys.map(({ tagKey, reason }) => `${tagKey} (${reason})`).join('; ')}.`;
  return { status: 'PENDING', activeTagKeys, pendingTagKeys, message: `${activePart}${pendingPart} ${RETRY_HINT}` };
}

/** Reports a failed request. Keys that an earlier request reported as not found keep that reason. */
function failureReport(tagKeys: string[], error: unknown, pending: Map<string, string>): ActivationReport {
  const name = errorName(error);
  const pendingTagKeys = tagKeys.map((tagKey) => ({ tagKey, reason: pending.get(tagKey) ?? name }));
  const keyList = tagKeys.join(', ');

  if (name === 'AccessDeniedException') {
    return {
      status: 'ACCESS_DENIED',
      activeTagKeys: [],
      pendingTagKeys,
      message: `No key was activated: access denied (${errorMessage(error)}). Only the management account of an organization or a standalone account can activate cost allocation tags. ` +
        `Activate ${keyList} there, in the Billing console under Cost allocation tags, or with "aws ce update-cost-allocation-tags-status".`,
    };
  }
  return {
    status: 'ERROR',
    activeTagKeys: [],
    pendingTagKeys,
    message: `No key was activated: UpdateCostAllocationTagsStatus failed with ${name} (${errorMessage(error)}). ${RETRY_HINT}`,
  };
}

function describeEntryError(code: string | undefined, message: string | undefined): string {
  return [code, message].filter((part) => part !== undefined && part !== '').join(': ') || 'rejected without a reason';
}

/** Returns the AWS error name, such as AccessDeniedException, or the JavaScript error name. */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return 'UnknownError';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
