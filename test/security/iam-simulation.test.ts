/**
 * Evaluates the synthesised IAM policies with the @cloud-copilot/iam-simulate policy engine, so the
 * tests prove what a grant allows and denies rather than how its JSON reads.
 *
 * The stacks have a concrete account and region. The policies still contain `Ref AWS::Partition`
 * and `Fn::GetAtt` of the profile and the log group, which only CloudFormation resolves, so the
 * tests substitute the values that a deployment would produce (see `intrinsicValues`) and
 * fail on any other intrinsic.
 *
 * Bedrock authorizes a Converse call through an application inference profile as
 * `bedrock:InvokeModel` (ConverseStream as `bedrock:InvokeModelWithResponseStream`) on the
 * profile, and again on the foundation model in the region it routes to, with the context key
 * `bedrock:InferenceProfileArn` set to the profile ARN. A cross-Region source is also authorized
 * on the system-defined profile, and a global profile on the foundation-model ARN with an empty
 * region. Source: https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BedrockModel, CostTrackedBedrockAgent, CostTrackedInferenceProfile } from '../../src';
import { logicalIdOf, ResolvedPolicy, rolePolicies } from './support/resolve-policy';

const ACCOUNT = '111122223333';
const PROFILE_ID = 'k3q9zv1x2c4b';
const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
const PROFILE_CONTEXT_KEY = 'bedrock:InferenceProfileArn';

interface SourceCase {
  readonly title: string;
  readonly partition: string;
  readonly region: string;
  readonly model: () => BedrockModel;
  readonly foundationModelId: string;
  /** Regions that the source routes to; '' is the empty region field of a global profile's ARN. */
  readonly destinationRegions: string[];
  /** A region that the source never routes to. */
  readonly foreignRegion?: string;
}

const SOURCES: SourceCase[] = [
  {
    title: 'foundation model',
    partition: 'aws',
    region: 'us-east-1',
    model: () => BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    foundationModelId: 'amazon.nova-pro-v1:0',
    destinationRegions: ['us-east-1'],
    foreignRegion: 'us-west-2',
  },
  {
    title: 'us. profile',
    partition: 'aws',
    region: 'us-east-1',
    model: () => BedrockModel.crossRegionProfile('us.anthropic.claude-sonnet-4-6'),
    foundationModelId: 'anthropic.claude-sonnet-4-6',
    destinationRegions: ['us-east-1', 'us-east-2', 'us-west-2'],
  },
  {
    title: 'eu. profile',
    partition: 'aws',
    region: 'eu-west-1',
    model: () => BedrockModel.crossRegionProfile('eu.anthropic.claude-sonnet-4-6'),
    foundationModelId: 'anthropic.claude-sonnet-4-6',
    destinationRegions: ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1'],
  },
  {
    title: 'apac. profile',
    partition: 'aws',
    region: 'ap-southeast-2',
    model: () => BedrockModel.crossRegionProfile('apac.anthropic.claude-sonnet-4-6'),
    foundationModelId: 'anthropic.claude-sonnet-4-6',
    destinationRegions: ['ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1'],
  },
  {
    title: 'global. profile',
    partition: 'aws',
    region: 'us-east-1',
    model: () => BedrockModel.crossRegionProfile('global.anthropic.claude-sonnet-4-6'),
    foundationModelId: 'anthropic.claude-sonnet-4-6',
    destinationRegions: ['us-east-1', 'eu-west-1', 'ap-northeast-1', 'sa-east-1', ''],
  },
  {
    title: 'aws-cn foundation model',
    partition: 'aws-cn',
    region: 'cn-north-1',
    model: () => BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    foundationModelId: 'amazon.nova-pro-v1:0',
    destinationRegions: ['cn-north-1'],
    foreignRegion: 'cn-northwest-1',
  },
  {
    title: 'aws-us-gov us-gov. profile',
    partition: 'aws-us-gov',
    region: 'us-gov-west-1',
    model: () => BedrockModel.crossRegionProfile('us-gov.anthropic.claude-sonnet-4-6'),
    foundationModelId: 'anthropic.claude-sonnet-4-6',
    destinationRegions: ['us-gov-west-1', 'us-gov-east-1'],
  },
];

/** Actions that neither the agent nor a grantee needs, each with a resource of the right type. */
function unneededRequests(source: SourceCase): Array<[string, string]> {
  const { partition, region } = source;
  return [
    ['bedrock:CreateInferenceProfile', `arn:${partition}:bedrock:${region}:${ACCOUNT}:application-inference-profile/${PROFILE_ID}`],
    ['bedrock:DeleteInferenceProfile', profileArn(source)],
    ['bedrock:TagResource', profileArn(source)],
    ['bedrock:InvokeAgent', `arn:${partition}:bedrock:${region}:${ACCOUNT}:agent-alias/AGENT12345/ALIAS12345`],
    ['bedrock:CreateModelInvocationJob', `arn:${partition}:bedrock:${region}:${ACCOUNT}:model-invocation-job/job12345678`],
    ['ce:UpdateCostAllocationTagsStatus', '*'],
    ['ce:CreateAnomalyMonitor', `arn:${partition}:ce::${ACCOUNT}:anomalymonitor/3b5c1f0e-0000-4000-8000-000000000000`],
    ['budgets:ModifyBudget', `arn:${partition}:budgets::${ACCOUNT}:budget/agent`],
    ['s3:GetObject', `arn:${partition}:s3:::customer-data/report.csv`],
    ['iam:PassRole', `arn:${partition}:iam::${ACCOUNT}:role/admin`],
    ['sts:AssumeRole', `arn:${partition}:iam::${ACCOUNT}:role/admin`],
    ['lambda:InvokeFunction', `arn:${partition}:lambda:${region}:${ACCOUNT}:function:other`],
  ];
}

function profileArn(source: SourceCase, id = PROFILE_ID): string {
  return `arn:${source.partition}:bedrock:${source.region}:${ACCOUNT}:application-inference-profile/${id}`;
}

function foundationModelArn(source: SourceCase, region: string, modelId = source.foundationModelId): string {
  return `arn:${source.partition}:bedrock:${region}::foundation-model/${modelId}`;
}

function logGroupArn(source: SourceCase, name: string): string {
  return `arn:${source.partition}:logs:${source.region}:${ACCOUNT}:log-group:${name}`;
}

function newStack(source: SourceCase): Stack {
  return new Stack(new App(), 'SimulatedStack', { env: { account: ACCOUNT, region: source.region } });
}

/**
 * Evaluates one request against `policies` and returns the decision: `Allowed`,
 * `ImplicitlyDenied` or `ExplicitlyDenied`. A request that the simulator rejects as invalid
 * (an unknown action, a resource of the wrong type or a context key the action lacks) fails the
 * test, so that a typo cannot pass as a denial.
 */
async function decide(
  source: SourceCase,
  policies: ResolvedPolicy[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: `arn:${source.partition}:iam::${ACCOUNT}:role/simulated`,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: policies.map((policy) => ({ name: policy.name, policy: policy.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
  };
  if (resource.split(':')[3] === '') {
    // iam-simulate 0.1.173 rejects a foundation-model ARN with an empty region field as matching
    // no resource type ("no.resource.types"), although Bedrock authorizes global profiles against
    // it, so this one ARN is evaluated without the request validation.
    return runUnsafeSimulation(simulation, {});
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`simulation of ${action} on ${resource} is invalid: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult;
}

/** Checks the invoke permissions that both the agent role and any grantee must have, and no more. */
async function expectInvokeOnlyThroughProfile(source: SourceCase, policies: ResolvedPolicy[]): Promise<void> {
  const throughProfile = { [PROFILE_CONTEXT_KEY]: profileArn(source) };
  const model = source.model();

  for (const action of INVOKE_ACTIONS) {
    expect([action, 'profile', await decide(source, policies, action, profileArn(source), throughProfile)])
      .toEqual([action, 'profile', 'Allowed']);

    for (const region of source.destinationRegions) {
      const arn = foundationModelArn(source, region);
      expect([action, arn, await decide(source, policies, action, arn, throughProfile)]).toEqual([action, arn, 'Allowed']);
      // The same model, called directly or through another profile, stays outside the cost tags.
      expect([action, arn, 'direct', await decide(source, policies, action, arn)]).toEqual([action, arn, 'direct', 'ImplicitlyDenied']);
      const otherProfile = { [PROFILE_CONTEXT_KEY]: profileArn(source, 'otherprofile1') };
      expect([action, arn, 'other profile', await decide(source, policies, action, arn, otherProfile)])
        .toEqual([action, arn, 'other profile', 'ImplicitlyDenied']);
    }

    if (model.isCrossRegion) {
      const systemProfile = `arn:${source.partition}:bedrock:${source.region}:${ACCOUNT}:inference-profile/${model.crossRegionProfileId}`;
      expect([action, systemProfile, await decide(source, policies, action, systemProfile, throughProfile)])
        .toEqual([action, systemProfile, 'Allowed']);
      expect([action, systemProfile, 'direct', await decide(source, policies, action, systemProfile)])
        .toEqual([action, systemProfile, 'direct', 'ImplicitlyDenied']);
      const otherSystemProfile = systemProfile.replace('anthropic.claude-sonnet-4-6', 'meta.llama3-3-70b-instruct-v1:0');
      expect([action, otherSystemProfile, await decide(source, policies, action, otherSystemProfile, throughProfile)])
        .toEqual([action, otherSystemProfile, 'ImplicitlyDenied']);
    }
    if (!model.isCrossRegion) {
      // A single-region source is not authorized on the foundation-model ARN with an empty region.
      // A cross-Region grant's "*" region field matches the empty region too, so only this case
      // can be denied.
      const regionless = foundationModelArn(source, '');
      expect([action, regionless, await decide(source, policies, action, regionless, throughProfile)])
        .toEqual([action, regionless, 'ImplicitlyDenied']);
    }
    if (source.foreignRegion !== undefined) {
      const foreign = foundationModelArn(source, source.foreignRegion);
      expect([action, foreign, await decide(source, policies, action, foreign, throughProfile)]).toEqual([action, foreign, 'ImplicitlyDenied']);
    }

    const otherModel = foundationModelArn(source, source.region, 'amazon.titan-text-express-v1');
    expect([action, otherModel, await decide(source, policies, action, otherModel, throughProfile)]).toEqual([action, otherModel, 'ImplicitlyDenied']);
    const otherProfileArn = profileArn(source, 'otherprofile1');
    expect([action, otherProfileArn, await decide(source, policies, action, otherProfileArn, { [PROFILE_CONTEXT_KEY]: otherProfileArn })])
      .toEqual([action, otherProfileArn, 'ImplicitlyDenied']);
  }

  for (const [action, resource] of unneededRequests(source)) {
    expect([action, await decide(source, policies, action, resource, throughProfile)]).toEqual([action, 'ImplicitlyDenied']);
  }
}

describe.each(SOURCES)('agent role with $title', (source) => {
  const stack = newStack(source);
  new CostTrackedBedrockAgent(stack, 'Agent', {
    model: source.model(),
    costAllocationTags: { application: 'CloudEngineer' },
    // The tag activation handler has a role of its own, which must not leak into the agent's.
    costAllocationTagActivation: {},
  });
  const logGroupName = '/aws/lambda/agent';
  const policies = rolePolicies(stack, logicalIdOf(stack, 'AWS::IAM::Role', 'AgentServiceRole'), {
    partition: source.partition,
    attributes: {
      [`${logicalIdOf(stack, 'AWS::Bedrock::ApplicationInferenceProfile')}.InferenceProfileArn`]: profileArn(source),
      // Fn::GetAtt Arn of a log group ends in ":*", which covers its log streams.
      [`${logicalIdOf(stack, 'AWS::Logs::LogGroup', 'AgentLogGroup')}.Arn`]: `${logGroupArn(source, logGroupName)}:*`,
    },
  });

  test('invokes only through its profile', async () => {
    await expectInvokeOnlyThroughProfile(source, policies);
  });

  test('reads cost and writes own logs', async () => {
    const ownStream = `${logGroupArn(source, logGroupName)}:log-stream:2026/01/01/[$LATEST]abc`;
    const otherStream = `${logGroupArn(source, '/aws/lambda/other')}:log-stream:2026/01/01/[$LATEST]abc`;

    expect(await decide(source, policies, 'ce:GetCostAndUsage', '*')).toBe('Allowed');
    expect(await decide(source, policies, 'logs:PutLogEvents', ownStream)).toBe('Allowed');
    expect(await decide(source, policies, 'logs:CreateLogStream', ownStream)).toBe('Allowed');
    expect(await decide(source, policies, 'logs:PutLogEvents', otherStream)).toBe('ImplicitlyDenied');
    expect(await decide(source, policies, 'logs:CreateLogGroup', logGroupArn(source, '/aws/lambda/other'))).toBe('ImplicitlyDenied');
    expect(await decide(source, policies, 'logs:DeleteLogGroup', logGroupArn(source, logGroupName))).toBe('ImplicitlyDenied');
  });
});

describe.each(SOURCES)('grantInvoke grantee with $title', (source) => {
  test('invokes only through a new profile', async () => {
    const stack = newStack(source);
    const profile = new CostTrackedInferenceProfile(stack, 'Profile', {
      model: source.model(),
      costAllocationTags: { application: 'CloudEngineer' },
    });
    const grantee = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
    profile.grantInvoke(grantee);

    const policies = rolePolicies(stack, logicalIdOf(stack, 'AWS::IAM::Role', 'Grantee'), {
      partition: source.partition,
      attributes: { [`${logicalIdOf(stack, 'AWS::Bedrock::ApplicationInferenceProfile')}.InferenceProfileArn`]: profileArn(source) },
    });
    expect(policies.length).toBeGreaterThan(0);
    await expectInvokeOnlyThroughProfile(source, policies);
    expect(await decide(source, policies, 'ce:GetCostAndUsage', '*')).toBe('ImplicitlyDenied');
  });

  test('invokes only through an imported profile', async () => {
    const stack = newStack(source);
    // The ARN is concrete, so only Ref AWS::Partition is left to resolve.
    const profile = CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Profile', {
      inferenceProfileArn: profileArn(source),
      model: source.model(),
    });
    const grantee = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
    profile.grantInvoke(grantee);

    const policies = rolePolicies(stack, logicalIdOf(stack, 'AWS::IAM::Role', 'Grantee'), { partition: source.partition, attributes: {} });
    await expectInvokeOnlyThroughProfile(source, policies);
  });
});
