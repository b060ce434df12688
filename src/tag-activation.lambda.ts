/**
 * Custom resource handler (behind aws-cdk-lib's `custom_resources.Provider`) that activates cost
 * allocation tag keys on Create and Update and leaves them active on Delete.
 *
 * It replies successfully to every request, with attributes that report the state: keys that
 * billing does not list yet, access denied in a member account, API errors, time-outs and invalid
 * properties do not fail the deployment. Changing the `RetryToken` property sends an Update, which
 * tries again.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { activateTagKeys, ActivationReport, errorName, MAX_TAG_KEYS_PER_REQUEST } from './tag-activation/activate';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'cost-allocation-tag-activation' });

// Cost Explorer has one endpoint per partition. The SDK's endpoint rules map the function's region
// to it (us-east-1 for aws, cn-northwest-1 for aws-cn and us-gov-west-1 for aws-us-gov in
// @aws-sdk/client-cost-explorer 3.1138), and AWS_ENDPOINT_URL_COST_EXPLORER overrides it in tests.
const client = new CostExplorerClient({});

/** The reply that the Provider framework expects from an onEvent handler. */
export interface ProviderResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<ProviderResponse> => {
  logger.addContext(context);
  const physicalResourceId = event.RequestType === 'Create'
    ? `cost-allocation-tag-activation-${event.RequestId}`
    : event.PhysicalResourceId;
  logger.appendKeys({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, physicalResourceId });

  if (event.RequestType === 'Delete') {
    // Other applications may report costs under the same keys, so deleting the resource leaves them active.
    logger.info('Delete leaves the cost allocation tag keys active');
    return { PhysicalResourceId: physicalResourceId };
  }

  logger.info('Activating cost allocation tag keys', { tagKeys: event.ResourceProperties?.TagKeys });
  const report = await reportFor(event.ResourceProperties?.TagKeys);
  const fields = {
    status: report.status,
    activeTagKeys: report.activeTagKeys,
    pendingTagKeys: report.pendingTagKeys,
  };
  if (report.status === 'ACTIVE') {
    logger.info('Cost allocation tag keys activated', fields);
  } else {
    logger.warn('Cost allocation tag keys not all activated, and the deployment continues', { ...fields, statusMessage: report.message });
  }

  return {
    PhysicalResourceId: physicalResourceId,
    Data: {
      Status: report.status,
      ActiveTagKeys: report.activeTagKeys.join(','),
      PendingTagKeys: report.pendingTagKeys.map(({ tagKey }) => tagKey).join(','),
      Message: report.message,
    },
  };
};

/** Validates the TagKeys property and activates the keys. A failure of either becomes a report. */
async function reportFor(tagKeys: unknown): Promise<ActivationReport> {
  const problem = tagKeysProblem(tagKeys);
  if (problem !== undefined) {
    return {
      status: 'ERROR',
      activeTagKeys: [],
      pendingTagKeys: [],
      message: `No key was activated: the TagKeys property ${problem}. Pass 1 to ${MAX_TAG_KEYS_PER_REQUEST} tag keys.`,
    };
  }
  try {
    return await activateTagKeys(client, tagKeys as string[]);
  } catch (error) {
    // activateTagKeys reports API errors itself, so this is an unexpected failure of the handler.
    logger.error('Tag activation failed unexpectedly', { error });
    return {
      status: 'ERROR',
      activeTagKeys: [],
      pendingTagKeys: (tagKeys as string[]).map((tagKey) => ({ tagKey, reason: errorName(error) })),
      message: `No key was activated: the handler failed with ${errorName(error)}. Check the function's logs, then change retryToken and deploy again.`,
    };
  }
}

function tagKeysProblem(tagKeys: unknown): string | undefined {
  if (!Array.isArray(tagKeys) || tagKeys.some((tagKey) => typeof tagKey !== 'string' || tagKey.length === 0)) {
    return 'is not a list of non-empty strings';
  }
  if (tagKeys.length === 0 || tagKeys.length > MAX_TAG_KEYS_PER_REQUEST) {
    return `has ${tagKeys.length} keys`;
  }
  return undefined;
}
