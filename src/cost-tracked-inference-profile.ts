import { createHash } from 'crypto';
import { Arn, ArnFormat, Duration, IResource, Resource, Stack, Token } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BedrockModel, routedFoundationModelArnsIn, systemProfileArnIn } from './bedrock-model';
import { CostAllocationTags, costAllocationTagMap } from './cost-allocation-tags';
import { isConcrete, throwInvalidProp } from './private/validation';

/** Properties of a {@link CostTrackedInferenceProfile}. */
export interface CostTrackedInferenceProfileProps {
  /**
   * The foundation model or system-defined cross-Region profile that the profile copies.
   */
  readonly model: BedrockModel;

  /**
   * Cost allocation tags that AWS billing reports the profile's usage under.
   */
  readonly costAllocationTags: CostAllocationTags;

  /**
   * Name of the application inference profile: 1 to 64 letters, digits and single
   * separators (space, `_` or `-`) between them.
   *
   * Changing the model or the description replaces the profile, and two profiles in one account
   * and region cannot share a name, so a fixed name makes such a change fail.
   *
   * @default - a name derived from the stack name, the construct path, the model and the
   * description, unique per construct and new whenever the profile must be replaced
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-bedrock-applicationinferenceprofile.html
   */
  readonly inferenceProfileName?: string;

  /**
   * Description of the profile: 1 to 200 letters, digits, `:` and `.`, with single separators
   * (space, `_` or `-`) between them. Changing it replaces the profile.
   *
   * @default - no description
   */
  readonly description?: string;
}

/** Attributes of an existing application inference profile, for {@link CostTrackedInferenceProfile.fromInferenceProfileAttributes}. */
export interface CostTrackedInferenceProfileAttributes {
  /**
   * ARN of the application inference profile,
   * `arn:<partition>:bedrock:<region>:<account>:application-inference-profile/<id>`.
   */
  readonly inferenceProfileArn: string;

  /**
   * The model that the profile copies, so that grants also cover the underlying foundation model.
   */
  readonly model: BedrockModel;
}

/** A Bedrock application inference profile whose usage is billed under cost allocation tags. */
export interface ICostTrackedInferenceProfile extends IResource {
  /**
   * ARN of the application inference profile. Pass it as `modelId` to Converse or InvokeModel.
   *
   * @attribute
   */
  readonly inferenceProfileArn: string;

  /**
   * Id of the application inference profile, the last part of its ARN.
   *
   * @attribute
   */
  readonly inferenceProfileId: string;

  /** The model that the profile copies. */
  readonly model: BedrockModel;

  /**
   * Grants `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` through this profile.
   * Converse needs the first and ConverseStream the second.
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;

  /** Returns a metric of the `AWS/Bedrock` namespace for this profile. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of requests that Bedrock accepted through this profile. */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of input tokens sent through this profile. */
  metricInputTokenCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of output tokens generated through this profile. */
  metricOutputTokenCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the time from request to last token, in milliseconds. */
  metricInvocationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of throttled requests. */
  metricInvocationThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of requests that failed with a client-side error. */
  metricInvocationClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Returns the number of requests that failed with a server-side error. */
  metricInvocationServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** IAM actions that invoke a model. Converse is authorized as InvokeModel, ConverseStream as InvokeModelWithResponseStream. */
const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/**
 * The grants and metrics shared by a new and an imported {@link ICostTrackedInferenceProfile}.
 */
export abstract class CostTrackedInferenceProfileBase extends Resource implements ICostTrackedInferenceProfile {
  public abstract readonly inferenceProfileArn: string;
  public abstract readonly inferenceProfileId: string;
  public abstract readonly model: BedrockModel;

  /**
   * Grants `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` on the profile, and on
   * the resources that Bedrock authorizes when it routes the request: the system-defined profile
   * (for a cross-Region source) and the underlying foundation model in each region the profile can
   * route to. The second statement carries the condition `bedrock:InferenceProfileArn` equal to
   * this profile, so the grantee cannot invoke the model directly, outside the tagged profile.
   *
   * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const profileGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: INVOKE_ACTIONS,
      resourceArns: [this.inferenceProfileArn],
    });

    // The profile's own region and account, which differ from the stack's for an imported profile.
    const partition = Stack.of(this).partition;
    const routedResources = routedFoundationModelArnsIn(this.model, partition, this.env.region);
    if (this.model.isCrossRegion) {
      routedResources.unshift(systemProfileArnIn(this.model, partition, this.env.region, this.env.account));
    }
    const routingGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: INVOKE_ACTIONS,
      resourceArns: routedResources,
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': this.inferenceProfileArn } },
    });
    return profileGrant.combine(routingGrant);
  }

  /**
   * Returns a metric of the `AWS/Bedrock` namespace with the dimension `ModelId` set to this
   * profile's id.
   *
   * NOTE: AWS's metrics page does not name the `ModelId` value for application inference
   * profiles. Bedrock publishes the profile id (the last part of the ARN), which is what the AWS
   * sample "CloudWatch Helper for Amazon Bedrock Application Inference Profile (AIP) Monitoring"
   * queries, rather than the full ARN.
   *
   * @default - sum over 5 minutes
   * @see https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Bedrock',
      metricName,
      dimensionsMap: { ModelId: this.inferenceProfileId },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    }).attachTo(this)
      // Bedrock publishes the metrics in the profile's region and account, which attachTo would
      // replace with the stack's.
      .with({ region: props?.region ?? this.env.region, account: props?.account ?? this.env.account });
  }

  /**
   * Returns the number of requests that Bedrock accepted through this profile.
   *
   * @default - sum over 5 minutes
   */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  /**
   * Returns the number of input tokens sent through this profile.
   *
   * @default - sum over 5 minutes
   */
  public metricInputTokenCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InputTokenCount', props);
  }

  /**
   * Returns the number of output tokens generated through this profile.
   *
   * @default - sum over 5 minutes
   */
  public metricOutputTokenCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('OutputTokenCount', props);
  }

  /**
   * Returns the time from request to last token, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  public metricInvocationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationLatency', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Returns the number of throttled requests.
   *
   * @default - sum over 5 minutes
   */
  public metricInvocationThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationThrottles', props);
  }

  /**
   * Returns the number of requests that failed with a client-side error.
   *
   * @default - sum over 5 minutes
   */
  public metricInvocationClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationClientErrors', props);
  }

  /**
   * Returns the number of requests that failed with a server-side error.
   *
   * @default - sum over 5 minutes
   */
  public metricInvocationServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationServerErrors', props);
  }
}

/** CloudFormation's rule for InferenceProfileName. */
const NAME_PATTERN = /^([0-9a-zA-Z][ _-]?)+$/;
const MAX_NAME_LENGTH = 64;
/** CloudFormation's rule for Description. */
const DESCRIPTION_PATTERN = /^([0-9a-zA-Z:.][ _-]?)+$/;
const MAX_DESCRIPTION_LENGTH = 200;
const NAME_HASH_LENGTH = 8;

/**
 * A Bedrock application inference profile that copies a foundation model or a cross-Region
 * profile and carries cost allocation tags, so that every token spent through it is billed under
 * those tags. Bring your own compute and call the model with `inferenceProfileArn` as the model id.
 *
 * @resource AWS::Bedrock::ApplicationInferenceProfile
 */
export class CostTrackedInferenceProfile extends CostTrackedInferenceProfileBase {
  /**
   * Imports an existing application inference profile.
   *
   * @param scope the parent construct.
   * @param id the construct id.
   * @param attrs the profile's ARN and the model it copies.
   */
  public static fromInferenceProfileAttributes(
    scope: Construct,
    id: string,
    attrs: CostTrackedInferenceProfileAttributes,
  ): ICostTrackedInferenceProfile {
    const concrete = !Token.isUnresolved(attrs.inferenceProfileArn);
    const parsed = concrete && !attrs.inferenceProfileArn.startsWith('arn:')
      ? undefined
      : Arn.split(attrs.inferenceProfileArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (concrete && (parsed?.service !== 'bedrock' || parsed.resource !== 'application-inference-profile' || !parsed.resourceName)) {
      throw new Error(`invalid inferenceProfileArn "${attrs.inferenceProfileArn}": expected "arn:<partition>:bedrock:<region>:<account>:application-inference-profile/<id>"; copy the ARN from the Bedrock console or the stack output`);
    }

    class Import extends CostTrackedInferenceProfileBase {
      public readonly inferenceProfileArn = attrs.inferenceProfileArn;
      public readonly inferenceProfileId = parsed!.resourceName!;
      public readonly model = attrs.model;
    }
    return new Import(scope, id, { environmentFromArn: attrs.inferenceProfileArn });
  }

  public readonly inferenceProfileArn: string;
  public readonly inferenceProfileId: string;
  public readonly model: BedrockModel;

  /**
   * Name of the application inference profile.
   *
   * @attribute
   */
  public readonly inferenceProfileName: string;

  /** Cost allocation tags on the profile, tag key to tag value. */
  public readonly costAllocationTags: { [key: string]: string };

  constructor(scope: Construct, id: string, props: CostTrackedInferenceProfileProps) {
    super(scope, id);

    this.validateProps(props);
    const tags = costAllocationTagMap(this, props.costAllocationTags, 'costAllocationTags');
    const name = props.inferenceProfileName ?? this.defaultName(props);

    const resource = new bedrock.CfnApplicationInferenceProfile(this, 'Resource', {
      inferenceProfileName: name,
      description: props.description,
      modelSource: { copyFrom: props.model.copyFromArn(this) },
      tags: Object.keys(tags).map((key) => ({ key, value: tags[key] })),
    });

    this.model = props.model;
    this.costAllocationTags = tags;
    this.inferenceProfileName = name;
    // GetAtt InferenceProfileArn is the ARN; a Ref on this resource returns the id instead.
    this.inferenceProfileArn = resource.attrInferenceProfileArn;
    this.inferenceProfileId = resource.attrInferenceProfileId;
  }

  private validateProps(props: CostTrackedInferenceProfileProps): void {
    if (props.model === undefined) {
      throwInvalidProp(this, 'model', props.model, 'a model is required', 'pass BedrockModel.foundationModel(...) or BedrockModel.crossRegionProfile(...)');
    }
    if (props.costAllocationTags === undefined) {
      throwInvalidProp(this, 'costAllocationTags', props.costAllocationTags, 'cost allocation tags are required', 'pass at least { application: "..." }');
    }

    const name = props.inferenceProfileName;
    if (isConcrete(name)) {
      if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
        throwInvalidProp(this, 'inferenceProfileName', name, `must have 1 to ${MAX_NAME_LENGTH} characters`, 'shorten the name, or leave it out to get a generated one');
      }
      if (!NAME_PATTERN.test(name)) {
        throwInvalidProp(this, 'inferenceProfileName', name,
          `must match ${NAME_PATTERN.source}: letters and digits, with single spaces, "_" or "-" between them`,
          'remove other characters and repeated separators');
      }
    }

    const description = props.description;
    if (isConcrete(description)) {
      if (description.length < 1 || description.length > MAX_DESCRIPTION_LENGTH) {
        throwInvalidProp(this, 'description', description, `must have 1 to ${MAX_DESCRIPTION_LENGTH} characters`, 'shorten the description, or leave it out');
      }
      if (!DESCRIPTION_PATTERN.test(description)) {
        throwInvalidProp(this, 'description', description,
          `must match ${DESCRIPTION_PATTERN.source}: letters, digits, ":" and ".", with single spaces, "_" or "-" between them`,
          'remove other characters such as "," or "(" and repeated separators');
      }
    }
  }

  /**
   * Derives a name from the stack name and construct path, followed by a hash of everything that
   * forces a replacement, so that CloudFormation can create the new profile before it deletes the
   * old one.
   */
  private defaultName(props: CostTrackedInferenceProfileProps): string {
    const stack = Stack.of(this);
    const scopesBelowStack = this.node.scopes.slice(this.node.scopes.indexOf(stack) + 1);
    const readable = [stack.stackName, ...scopesBelowStack.map((scope) => scope.node.id)]
      .filter((part) => !Token.isUnresolved(part))
      .join('-')
      .replace(/[^0-9a-zA-Z _-]/g, '')
      .replace(/[ _-]+/g, '-')
      .replace(/^-+/, '');
    const hash = createHash('sha256')
      .update([stack.stackName, this.node.path, props.model.modelId, props.description ?? ''].join('\n'))
      .digest('hex')
      .slice(0, NAME_HASH_LENGTH);
    const prefix = readable.slice(0, MAX_NAME_LENGTH - NAME_HASH_LENGTH - 1).replace(/-+$/, '');
    return prefix ? `${prefix}-${hash}` : hash;
  }
}

