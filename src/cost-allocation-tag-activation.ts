import { CfnOutput, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { isConcrete, throwInvalidProp } from './private/validation';
import { TagActivationFunction } from './tag-activation-function';

/** Options of a {@link CostAllocationTagActivation} that do not depend on the tag keys. */
export interface CostAllocationTagActivationOptions {
  /**
   * Any text whose change makes the next deployment try the activation again, for example the
   * date of the retry. CloudFormation runs the custom resource only when its properties change, so
   * a deployment without a change does not retry.
   *
   * @default - no token; the activation runs when the resource is created and when the tag keys change
   */
  readonly retryToken?: string;
}

/** Properties of a {@link CostAllocationTagActivation}. */
export interface CostAllocationTagActivationProps extends CostAllocationTagActivationOptions {
  /**
   * The tag keys to activate as cost allocation tags, 1 to 20 of them, for example the keys of
   * `CostTrackedInferenceProfile.costAllocationTags`.
   */
  readonly tagKeys: string[];
}

/** The UpdateCostAllocationTagsStatus batch limit. */
const MAX_TAG_KEYS = 20;
const PROVIDER_ID = 'CostAllocationTagActivationProvider';

/**
 * A custom resource that activates user-defined cost allocation tag keys with Cost Explorer's
 * `UpdateCostAllocationTagsStatus`, so that billing reports, budgets and anomaly monitors can use
 * them.
 *
 * Activation works only in the management account of an organization or in a standalone account,
 * and billing lists a key for activation only up to 24 hours after the key first appears on a
 * cost. The handler therefore replies successfully whatever the API returns, so these states do
 * not fail the deployment. It reports the state in its attributes
 * (`status`, `activeTagKeys`, `pendingTagKeys`, `message`) and in a stack output, and a change of
 * `retryToken` tries again. Deleting the resource leaves the keys active.
 *
 * All such resources of a stack share one handler function and one provider.
 *
 * @resource Custom::CostAllocationTagActivation
 * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
 */
export class CostAllocationTagActivation extends Construct {
  /**
   * `ACTIVE` when every key is active, `PENDING` when some are not (yet), `ACCESS_DENIED` in an
   * account that may not activate tags, or `ERROR` when the API call failed otherwise.
   *
   * @attribute
   */
  public readonly status: string;

  /**
   * The keys that are active, separated by commas.
   *
   * @attribute
   */
  public readonly activeTagKeys: string;

  /**
   * The keys that are not active, separated by commas.
   *
   * @attribute
   */
  public readonly pendingTagKeys: string;

  /**
   * The state in words: which keys are active or pending, why, and how to retry.
   *
   * @attribute
   */
  public readonly message: string;

  constructor(scope: Construct, id: string, props: CostAllocationTagActivationProps) {
    super(scope, id);

    this.validateProps(props);

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: providerFor(this).serviceToken,
      resourceType: 'Custom::CostAllocationTagActivation',
      properties: {
        TagKeys: props.tagKeys,
        ...(props.retryToken !== undefined ? { RetryToken: props.retryToken } : {}),
      },
    });

    this.status = resource.getAttString('Status');
    this.activeTagKeys = resource.getAttString('ActiveTagKeys');
    this.pendingTagKeys = resource.getAttString('PendingTagKeys');
    this.message = resource.getAttString('Message');

    new CfnOutput(this, 'Status', {
      description: 'Activation state of the cost allocation tag keys; to retry, change retryToken and deploy',
      value: this.message,
    });
  }

  private validateProps(props: CostAllocationTagActivationProps): void {
    const tagKeys = props.tagKeys;
    if (tagKeys === undefined || Token.isUnresolved(tagKeys)) {
      if (tagKeys === undefined) {
        throwInvalidProp(this, 'tagKeys', tagKeys, 'the tag keys are required', 'pass the keys of the profile\'s costAllocationTags');
      }
      return;
    }
    if (tagKeys.length === 0 || tagKeys.length > MAX_TAG_KEYS) {
      throwInvalidProp(this, 'tagKeys', tagKeys, `must list 1 to ${MAX_TAG_KEYS} keys, the limit of one UpdateCostAllocationTagsStatus request`,
        'activate the other keys with a second CostAllocationTagActivation');
    }

    const seen = new Set<string>();
    tagKeys.forEach((tagKey, index) => {
      if (!isConcrete(tagKey)) {
        return;
      }
      if (tagKey.length === 0) {
        throwInvalidProp(this, `tagKeys[${index}]`, tagKey, 'must not be empty', 'remove the empty key');
      }
      if (seen.has(tagKey)) {
        throwInvalidProp(this, `tagKeys[${index}]`, tagKey, 'repeats an earlier key', 'list each key once');
      }
      seen.add(tagKey);
    });
  }
}

/** Returns the stack's shared provider, creating it with its handler on first use. */
function providerFor(scope: Construct): cr.Provider {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(PROVIDER_ID) as TagActivationProvider | undefined;
  return (existing ?? new TagActivationProvider(stack, PROVIDER_ID)).provider;
}

/** The handler function and the Provider framework, with roles and log groups of their own. */
class TagActivationProvider extends Construct {
  public readonly provider: cr.Provider;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const handlerLogGroup = new logs.LogGroup(this, 'HandlerLogGroup', { retention: logs.RetentionDays.ONE_MONTH });
    const handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cost allocation tag activation handler: activates tag keys and writes its own logs',
    });
    handlerLogGroup.grantWrite(handlerRole);
    // Cost allocation tag keys are an account-wide billing setting without an ARN, so the statement
    // names every resource ("*").
    // NOTE: not confirmed against the resource types column of ce:UpdateCostAllocationTagsStatus in
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscostexplorerservice.html
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ce:UpdateCostAllocationTagsStatus'],
      resources: ['*'],
    }));

    const handler = new TagActivationFunction(this, 'Handler', {
      description: 'Activates cost allocation tag keys and reports keys that billing does not list yet',
      role: handlerRole,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: handlerLogGroup,
      environment: { POWERTOOLS_SERVICE_NAME: 'cost-allocation-tag-activation' },
    });

    const frameworkLogGroup = new logs.LogGroup(this, 'ProviderLogGroup', { retention: logs.RetentionDays.ONE_MONTH });
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource provider framework: invokes the tag activation handler and writes its own logs',
    });
    frameworkLogGroup.grantWrite(frameworkRole);

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handler,
      logGroup: frameworkLogGroup,
      role: frameworkRole,
    });
    // The Provider of aws-cdk-lib 2.166 picks nodejs20.x for its framework function, and Lambda no
    // longer creates functions on that runtime, so the framework runs on Node.js 22 like the handler.
    const framework = this.provider.node.findChild('framework-onEvent').node.defaultChild as lambda.CfnFunction;
    framework.runtime = 'nodejs22.x';
  }
}
