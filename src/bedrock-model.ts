import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Geography prefixes of Bedrock's system-defined (cross-Region) inference profiles, mapped to the
 * region name prefixes that the geography's source regions start with. An empty list means any
 * region (global). Source: "Supported Regions and models for inference profiles",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 *
 * NOTE: AWS adds source regions over time, so a mismatch with the stack's region only warns.
 */
const GEOGRAPHY_SOURCE_REGIONS = new Map<string, string[]>([
  ['us', ['us-east-', 'us-west-']],
  ['us-gov', ['us-gov-']],
  ['eu', ['eu-']],
  ['apac', ['ap-', 'me-']],
  ['jp', ['ap-northeast-1', 'ap-northeast-3']],
  ['au', ['ap-southeast-2', 'ap-southeast-4']],
  ['ca', ['ca-']],
  ['global', []],
]);

/** Foundation-model id: `provider.model`, lowercase, with optional `:version` and `.variant` parts. */
const FOUNDATION_MODEL_ID = /^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}([.:][a-z0-9-]{1,63}){0,6}$/;

/**
 * The model that a cost-tracked inference profile copies: a foundation model invoked in the stack's
 * region, or a system-defined cross-Region inference profile.
 *
 * Bedrock bills every token spent through the application inference profile under the profile's
 * cost allocation tags, whichever source it copies.
 */
export class BedrockModel {
  /**
   * A foundation model invoked on demand in the stack's region, for example
   * `amazon.nova-pro-v1:0`. Use `crossRegionProfile` for models that the region serves only
   * through cross-Region inference.
   *
   * @param modelId the foundation-model id, without a geography prefix and not an ARN.
   * @see https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html
   */
  public static foundationModel(modelId: string): BedrockModel {
    if (!Token.isUnresolved(modelId)) {
      const prefix = modelId.split('.')[0];
      if (modelId.startsWith('arn:')) {
        throw new Error(`invalid modelId "${modelId}": expected a foundation-model id, not an ARN; pass the part after "foundation-model/", for example "amazon.nova-pro-v1:0"`);
      }
      if (GEOGRAPHY_SOURCE_REGIONS.has(prefix)) {
        throw new Error(`invalid modelId "${modelId}": the "${prefix}." prefix names a cross-Region inference profile; use BedrockModel.crossRegionProfile("${modelId}") instead`);
      }
      if (!FOUNDATION_MODEL_ID.test(modelId)) {
        throw new Error(`invalid modelId "${modelId}": expected "provider.model" in lowercase letters, digits, "-", "." and ":", for example "amazon.nova-pro-v1:0"; copy the id from the Bedrock model catalog`);
      }
    }
    return new BedrockModel(modelId, modelId, undefined);
  }

  /**
   * A system-defined cross-Region inference profile, for example `us.anthropic.claude-sonnet-4-6`,
   * `au.anthropic.claude-sonnet-4-6` or `global.anthropic.claude-sonnet-4-6`.
   *
   * The profile id is the foundation-model id behind a geography prefix (`us.`, `us-gov.`, `eu.`,
   * `apac.`, `jp.`, `au.`, `ca.` or `global.`).
   *
   * @param profileId the system-defined inference profile id, not an ARN.
   * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
   */
  public static crossRegionProfile(profileId: string): BedrockModel {
    if (Token.isUnresolved(profileId)) {
      // The foundation-model id cannot be split off a token, so grants fall back to every
      // foundation model, restricted to calls made through the application profile.
      return new BedrockModel(profileId, undefined, profileId);
    }
    if (profileId.startsWith('arn:')) {
      throw new Error(`invalid profileId "${profileId}": expected an inference profile id, not an ARN; pass the part after "inference-profile/", for example "us.anthropic.claude-sonnet-4-6"`);
    }
    const separator = profileId.indexOf('.');
    const geography = separator > 0 ? profileId.slice(0, separator) : '';
    if (!GEOGRAPHY_SOURCE_REGIONS.has(geography)) {
      const known = [...GEOGRAPHY_SOURCE_REGIONS.keys()].map((prefix) => `"${prefix}."`).join(', ');
      throw new Error(`invalid profileId "${profileId}": a system-defined profile id starts with a geography prefix (${known}); use BedrockModel.foundationModel for a model id without one`);
    }
    const foundationModelId = profileId.slice(separator + 1);
    if (!FOUNDATION_MODEL_ID.test(foundationModelId)) {
      throw new Error(`invalid profileId "${profileId}": "${foundationModelId}" after the geography prefix is not a foundation-model id ("provider.model" in lowercase letters, digits, "-", "." and ":"); copy the profile id from the Bedrock console`);
    }
    return new BedrockModel(profileId, foundationModelId, profileId);
  }

  /** The id that the application inference profile copies: a foundation-model id or a system profile id. */
  public readonly modelId: string;

  /**
   * The id of the underlying foundation model, for example `anthropic.claude-sonnet-4-6`.
   *
   * @default - undefined only when a cross-Region profile id is an unresolved token
   */
  public readonly foundationModelId?: string;

  /**
   * The system-defined inference profile id.
   *
   * @default - undefined for a foundation-model source
   */
  public readonly crossRegionProfileId?: string;

  private constructor(modelId: string, foundationModelId: string | undefined, crossRegionProfileId: string | undefined) {
    this.modelId = modelId;
    this.foundationModelId = foundationModelId;
    this.crossRegionProfileId = crossRegionProfileId;
  }

  /** True when the profile routes requests to foundation models in several regions. */
  public get isCrossRegion(): boolean {
    return this.crossRegionProfileId !== undefined;
  }

  /**
   * Returns the ARN that `ModelSource.CopyFrom` takes: the foundation-model ARN (stack region, empty
   * account field) or the system profile ARN (stack region and account).
   *
   * @param scope a construct in the stack that creates the application inference profile.
   */
  public copyFromArn(scope: IConstruct): string {
    const stack = Stack.of(scope);
    if (this.crossRegionProfileId !== undefined) {
      return systemProfileArnIn(this, stack.partition, stack.region, stack.account);
    }
    return foundationModelArn(stack.partition, stack.region, this.modelId);
  }

  /**
   * Returns the foundation-model ARNs that Bedrock authorizes when it routes a request through
   * a profile that copies this model.
   *
   * A foundation-model source is invoked in the stack's region only. A cross-Region profile can
   * route to any region of its geography, and AWS adds regions to a geography over time, so the
   * region field is a wildcard. Callers must restrict these ARNs to requests made through their
   * application inference profile with the `bedrock:InferenceProfileArn` condition key. A global
   * profile is also authorized against the ARN with an empty region field.
   *
   * @param scope a construct in the stack that grants the permissions.
   * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
   */
  public routedFoundationModelArns(scope: IConstruct): string[] {
    const stack = Stack.of(scope);
    return routedFoundationModelArnsIn(this, stack.partition, stack.region);
  }

  /**
   * The geography prefix of a cross-Region profile, for example `us` or `global`.
   *
   * @default - undefined for a foundation-model source or a profile id that is an unresolved token
   */
  public get geography(): string | undefined {
    if (this.crossRegionProfileId === undefined || Token.isUnresolved(this.crossRegionProfileId)) {
      return undefined;
    }
    return this.crossRegionProfileId.split('.')[0];
  }
}

/**
 * Returns the foundation-model ARNs that a profile copying `model` routes to, for a profile in
 * `region` of `partition`. See {@link BedrockModel.routedFoundationModelArns}.
 */
export function routedFoundationModelArnsIn(model: BedrockModel, partition: string, region: string): string[] {
  if (!model.isCrossRegion) {
    return [foundationModelArn(partition, region, model.modelId)];
  }
  const modelName = model.foundationModelId ?? '*';
  const arns = [foundationModelArn(partition, '*', modelName)];
  if (model.geography === undefined || model.geography === 'global') {
    arns.push(foundationModelArn(partition, '', modelName));
  }
  return arns;
}

/** Returns the ARN of the system-defined profile that `model` names, in `region` and `account`. */
export function systemProfileArnIn(model: BedrockModel, partition: string, region: string, account: string): string {
  return Arn.format({
    partition,
    service: 'bedrock',
    region,
    account,
    resource: 'inference-profile',
    resourceName: model.crossRegionProfileId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * Returns false when a stack in `region` clearly cannot use a profile of `geography` as its source
 * region, and true otherwise, also when either value is unknown at synth time.
 */
export function geographyServesRegion(geography: string | undefined, region: string): boolean {
  const prefixes = geography === undefined ? undefined : GEOGRAPHY_SOURCE_REGIONS.get(geography);
  if (prefixes === undefined || prefixes.length === 0 || Token.isUnresolved(region)) {
    return true;
  }
  return prefixes.some((prefix) => region.startsWith(prefix));
}

function foundationModelArn(partition: string, region: string, modelId: string): string {
  return Arn.format({
    partition,
    service: 'bedrock',
    region,
    account: '',
    resource: 'foundation-model',
    resourceName: modelId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
