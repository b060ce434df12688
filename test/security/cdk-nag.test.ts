/**
 * Runs the cdk-nag AwsSolutions and Serverless rule packs over every stack of examples/app.ts and
 * over a stack whose budget and anomaly alert create their own topics. Any error or warning
 * that no suppression below covers fails the test, so a new finding needs a fix or a written
 * reason here.
 */
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPackSuppression, NagSuppressions, ServerlessChecks } from 'cdk-nag';
import { AnomalyThreshold, BedrockModel, CostTrackedBedrockAgent } from '../../src';

const NAG_RULE = /^(AwsSolutions|Serverless)-/;

/**
 * Returns the App of examples/app.ts before it synthesises, so the rule packs can be added to the
 * example exactly as it is written. The example calls `app.synth()` once at the end, which the spy
 * replaces with a capture.
 */
function loadExampleApp(): App {
  let captured: App | undefined;
  const synth = jest.spyOn(App.prototype, 'synth').mockImplementation(function capture(this: App) {
    captured = this;
    return undefined as any;
  });
  try {
    // A static import would run the example before the spy exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../examples/app');
  } finally {
    synth.mockRestore();
  }
  if (captured === undefined) {
    throw new Error('examples/app.ts did not call app.synth()');
  }
  return captured;
}

/** Suppressions for findings in every agent stack, with the reason each one is accepted. */
function suppressAgentFindings(stack: Stack, agentPath: string, model: BedrockModel): void {
  const policyPath = `/${stack.stackName}/${agentPath}/ServiceRole/DefaultPolicy/Resource`;
  const policySuppressions: NagPackSuppression[] = [{
    id: 'AwsSolutions-IAM5',
    reason: 'ce:GetCostAndUsage is authorized against "*" unless the request names a billing view, which the agent does not.',
    appliesTo: ['Resource::*'],
  }];
  if (model.isCrossRegion) {
    policySuppressions.push({
      id: 'AwsSolutions-IAM5',
      reason: 'A cross-Region profile routes to the foundation model in any region of its geography, and AWS adds regions over time. '
        + 'The statement only applies when bedrock:InferenceProfileArn is the application profile, as test/security/iam-simulation.test.ts proves.',
      appliesTo: [`Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${model.foundationModelId}`],
    });
  }
  NagSuppressions.addResourceSuppressionsByPath(stack, policyPath, policySuppressions);

  NagSuppressions.addResourceSuppressionsByPath(stack, `/${stack.stackName}/${agentPath}/Function/Resource`, [
    {
      id: 'Serverless-LambdaDLQ',
      reason: 'Callers invoke the agent synchronously and receive its error reply. A dead-letter queue only receives failed asynchronous invocations.',
    },
    {
      id: 'Serverless-LambdaTracing',
      reason: 'X-Ray tracing is left to the operator because it adds xray:PutTraceSegments on "*" to the role and a charge per trace. '
        + 'The function logs each request and error with its request id.',
    },
  ]);
}

/** Suppressions for the cost allocation tag activation custom resource, with reasons. */
function suppressTagActivationFindings(stack: Stack, agentPath: string): void {
  const base = `/${stack.stackName}/${agentPath === '' ? '' : `${agentPath}/`}CostAllocationTagActivationProvider`;
  NagSuppressions.addResourceSuppressionsByPath(stack, `${base}/HandlerRole/DefaultPolicy/Resource`, [{
    id: 'AwsSolutions-IAM5',
    reason: 'ce:UpdateCostAllocationTagsStatus has no resource types, so IAM authorizes it only against "*".',
    appliesTo: ['Resource::*'],
  }]);
  const handlerArn = stack.getLogicalId(stack.node.findChild('CostAllocationTagActivationProvider').node.findChild('Handler').node.defaultChild as any);
  NagSuppressions.addResourceSuppressionsByPath(stack, `${base}/ProviderRole/DefaultPolicy/Resource`, [{
    id: 'AwsSolutions-IAM5',
    reason: 'The aws-cdk-lib custom resource provider framework may invoke any version or alias of its one handler function.',
    appliesTo: [`Resource::<${handlerArn}.Arn>:*`],
  }]);
  NagSuppressions.addResourceSuppressionsByPath(stack, `${base}/Handler/Resource`, [
    {
      id: 'Serverless-LambdaDLQ',
      reason: 'The provider framework invokes the handler synchronously and reports its error to CloudFormation.',
    },
    {
      id: 'Serverless-LambdaTracing',
      reason: 'The handler runs once per deployment. Its log group records each call and error.',
    },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, `${base}/Provider/framework-onEvent/Resource`, [
    {
      id: 'Serverless-LambdaDLQ',
      reason: 'The aws-cdk-lib provider framework function reports failures to CloudFormation, which fails the deployment.',
    },
    {
      id: 'Serverless-LambdaTracing',
      reason: 'The aws-cdk-lib provider framework function runs once per deployment and offers no tracing option.',
    },
    {
      id: 'Serverless-LambdaDefaultMemorySize',
      reason: 'The aws-cdk-lib provider framework function offers no memory size option. It only forwards the event to the handler.',
    },
  ]);
}

/** Returns each unsuppressed cdk-nag error and warning of `stack` as "id path: message". */
function nagFindings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  return [...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())]
    .map((message) => `${message.id}: ${String(message.entry.data)}`)
    .filter((finding) => NAG_RULE.test(finding.split(': ')[1]));
}

function addRulePacks(app: App): void {
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(app).add(new ServerlessChecks({ verbose: true }));
}

describe('example app', () => {
  const app = loadExampleApp();
  const stacks = app.node.children.filter((child): child is Stack => Stack.isStack(child));
  for (const stack of stacks) {
    suppressAgentFindings(stack, 'Agent', BedrockModel.crossRegionProfile(
      stack.stackName === 'CloudEngineerGlobalAgentStack' ? 'global.anthropic.claude-sonnet-4-6' : 'au.anthropic.claude-sonnet-4-6'));
  }
  const governed = stacks.find((stack) => stack.stackName === 'CloudEngineerGovernedAgentStack')!;
  // The construct puts the tag activation provider at the stack level, shared by every agent.
  suppressTagActivationFindings(governed, '');
  addRulePacks(app);

  test('has three stacks', () => {
    expect(stacks.map((stack) => stack.stackName).sort()).toEqual([
      'CloudEngineerAgentStack',
      'CloudEngineerGlobalAgentStack',
      'CloudEngineerGovernedAgentStack',
    ]);
  });

  test.each(stacks.map((stack) => [stack.stackName, stack] as const))('%s has no findings', (_name, stack) => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('constructs with created topics', () => {
  const app = new App();
  const stack = new Stack(app, 'CreatedTopicsStack', { env: { account: '111122223333', region: 'us-east-1' } });
  const model = BedrockModel.foundationModel('amazon.nova-pro-v1:0');
  new CostTrackedBedrockAgent(stack, 'Agent', {
    model,
    costAllocationTags: { application: 'CloudEngineer' },
    budget: { monthlyLimit: 100, createNotificationTopic: true },
    anomalyAlert: { threshold: AnomalyThreshold.absoluteImpact(10), createNotificationTopic: true },
    alarms: { maxTokensPerHour: 1_000_000 },
  });
  suppressAgentFindings(stack, 'Agent', model);
  addRulePacks(app);

  test('has no findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('suppression reasons', () => {
  // The reasons above claim these actions cannot name a resource. The IAM data that
  // @cloud-copilot/iam-simulate bundles comes from the Service Authorization Reference.
  test('tag status update is wildcard only', async () => {
    expect(await isWildcardOnlyAction('ce', 'UpdateCostAllocationTagsStatus')).toBe(true);
  });

  test('cost query resource is optional', async () => {
    // GetCostAndUsage lists the billingview resource type as optional, so a request that names no
    // billing view is authorized against "*".
    expect(await isWildcardOnlyAction('ce', 'GetCostAndUsage')).toBe(false);
  });
});
