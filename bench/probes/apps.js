'use strict';
/**
 * The apps that bench/synth.js synthesises. Each builder adds `count` agents, or their closest
 * equivalent, to `app`, one stack each, with the aws-cdk-lib module `cdk` that it is given.
 */
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const benchModules = path.join(__dirname, '..', 'node_modules');
const AGENT_ASSET = path.join(repoRoot, 'assets', 'agent.lambda');
const ENV = { region: 'ap-southeast-2' };
const PROFILE_ID = 'au.anthropic.claude-sonnet-4-6';
const FOUNDATION_MODEL = 'anthropic.claude-sonnet-4-6';
const TAGS = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };

function stacks(cdk, app, count, build) {
  for (let index = 0; index < count; index++) {
    build(new cdk.Stack(app, `Agent${index}Stack`, { env: ENV }), index);
  }
}

/** Adds the agent of examples/app.ts's first stack, built with this library's lib/ output. */
function reference(cdk, app, count) {
  const library = require(path.join(repoRoot, 'lib', 'index.js'));
  stacks(cdk, app, count, (stack) => new library.CostTrackedBedrockAgent(stack, 'Agent', {
    model: library.BedrockModel.crossRegionProfile(PROFILE_ID),
    costAllocationTags: { application: TAGS.Application, environment: TAGS.Environment, costCenter: TAGS.CostCenter },
  }));
}

/** Creates the agent function with its role, log group and environment, for the hand-written and alternative apps. */
function agentFunction(cdk, stack, modelArnToken, extraEnvironment = {}) {
  const lambda = cdk.aws_lambda;
  // aws-cdk-lib 2.166 has no Runtime.NODEJS_22_X constant, so the runtime is named as the library names it.
  const runtime = new lambda.Runtime('nodejs22.x', lambda.RuntimeFamily.NODEJS);
  const logGroup = new cdk.aws_logs.LogGroup(stack, 'AgentLogGroup', { retention: cdk.aws_logs.RetentionDays.ONE_MONTH });
  const role = new cdk.aws_iam.Role(stack, 'AgentServiceRole', {
    assumedBy: new cdk.aws_iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Agent function role: writes its own logs and invokes the model through the cost-tracked inference profile',
  });
  logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
  role.addToPrincipalPolicy(new cdk.aws_iam.PolicyStatement({ actions: ['ce:GetCostAndUsage'], resources: ['*'] }));
  const fn = new lambda.Function(stack, 'AgentFunction', {
    runtime,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(AGENT_ASSET),
    role,
    logGroup,
    memorySize: 512,
    timeout: cdk.Duration.seconds(120),
    description: 'Bedrock Converse agent that answers cost questions for its cost allocation tags',
    environment: {
      BEDROCK_MODEL_ID: modelArnToken,
      FOUNDATION_MODEL_ID: FOUNDATION_MODEL,
      COST_ALLOCATION_TAGS: JSON.stringify(TAGS),
      MAX_TOOL_ROUNDS: '5',
      MAX_OUTPUT_TOKENS: '2048',
      POWERTOOLS_SERVICE_NAME: 'cost-tracked-bedrock-agent',
      ...extraEnvironment,
    },
  });
  return { fn, role };
}

/** Adds the same resources as `reference`, written with aws-cdk-lib alone. */
function handWritten(cdk, app, count) {
  const cw = cdk.aws_cloudwatch;
  stacks(cdk, app, count, (stack) => {
    const sourceArn = stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: PROFILE_ID, arnFormat: cdk.ArnFormat.SLASH_RESOURCE_NAME });
    const profile = new cdk.aws_bedrock.CfnApplicationInferenceProfile(stack, 'AgentInferenceProfile', {
      inferenceProfileName: `${stack.stackName}-Agent-InferenceProfile`,
      modelSource: { copyFrom: sourceArn },
      tags: Object.entries(TAGS).map(([key, value]) => ({ key, value })),
    });
    const { fn, role } = agentFunction(cdk, stack, profile.attrInferenceProfileArn);
    const invoke = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
    role.addToPrincipalPolicy(new cdk.aws_iam.PolicyStatement({ actions: invoke, resources: [profile.attrInferenceProfileArn] }));
    role.addToPrincipalPolicy(new cdk.aws_iam.PolicyStatement({
      actions: invoke,
      resources: [sourceArn, `arn:${cdk.Aws.PARTITION}:bedrock:*::foundation-model/${FOUNDATION_MODEL}`],
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profile.attrInferenceProfileArn } },
    }));
    for (const [key, value] of Object.entries(TAGS)) {
      cdk.Tags.of(role).add(key, value);
    }

    const bedrockMetric = (metricName, label) => new cw.Metric({ namespace: 'AWS/Bedrock', metricName, dimensionsMap: { ModelId: profile.attrInferenceProfileId }, statistic: 'Sum', label });
    const dashboard = new cw.Dashboard(stack, 'AgentDashboard');
    dashboard.addWidgets(new cw.TextWidget({ markdown: `## Cost of this Bedrock application\n\nTags: ${JSON.stringify(TAGS)}`, width: 24, height: 4 }));
    dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Profile invocations', left: [bedrockMetric('Invocations')], width: 8 }),
      new cw.GraphWidget({ title: 'Tokens', left: [bedrockMetric('InputTokenCount', 'Input tokens'), bedrockMetric('OutputTokenCount', 'Output tokens')], width: 8 }),
      new cw.GraphWidget({ title: 'Invocation latency (ms)', left: [bedrockMetric('InvocationLatency').with({ statistic: 'p90' })], width: 8 }),
    );
    dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Profile throttles and errors', left: [bedrockMetric('InvocationThrottles'), bedrockMetric('InvocationClientErrors'), bedrockMetric('InvocationServerErrors')], width: 6 }),
      new cw.GraphWidget({ title: 'Agent function invocations', left: [fn.metricInvocations()], width: 6 }),
      new cw.GraphWidget({ title: 'Agent function errors', left: [fn.metricErrors()], width: 6 }),
      new cw.GraphWidget({ title: 'Agent function duration (ms)', left: [fn.metricDuration({ statistic: 'p90' })], width: 6 }),
    );
    new cdk.CfnOutput(stack, 'AgentInferenceProfileArn', { value: profile.attrInferenceProfileArn });
    new cdk.CfnOutput(stack, 'AgentFunctionName', { value: fn.functionName });
    new cdk.CfnOutput(stack, 'AgentDashboardUrl', { value: `https://console.aws.amazon.com/cloudwatch/home?region=${ENV.region}#dashboards:name=${dashboard.dashboardName}` });
    new cdk.CfnOutput(stack, 'AgentCostExplorerUrl', { value: 'https://console.aws.amazon.com/costmanagement/home#/cost-explorer' });
  });
}

/**
 * Returns the builder of the closest equivalent with @aws-cdk/aws-bedrock-alpha or @cdklabs/generative-ai-cdk-constructs:
 * a tagged application inference profile copied from the Australia cross-Region profile, granted
 * to the same agent function. Neither has a dashboard or a cost tool. The two libraries name the
 * profile name and tag props differently, so `profileProps` renders them.
 */
function bedrockProfileApp(loadBedrock, profileProps) {
  return (cdk, app, count) => {
    const bedrock = loadBedrock();
    stacks(cdk, app, count, (stack) => {
      const profile = new bedrock.ApplicationInferenceProfile(stack, 'AgentInferenceProfile', {
        ...profileProps(`${stack.stackName}-Agent-InferenceProfile`),
        modelSource: bedrock.CrossRegionInferenceProfile.fromConfig({
          geoRegion: bedrock.CrossRegionInferenceProfileRegion.AU ?? bedrock.CrossRegionInferenceProfileRegion.APAC,
          model: new bedrock.BedrockFoundationModel(FOUNDATION_MODEL, { supportsCrossRegion: true }),
        }),
      });
      const { fn } = agentFunction(cdk, stack, profile.inferenceProfileArn);
      profile.grantInvoke(fn);
    });
  };
}

/** Adds the closest equivalent with the Solutions Construct, which creates the profile, the function and its grants. */
function solutionsConstruct(cdk, app, count) {
  const { LambdaToBedrockinferenceprofile } = require(path.join(benchModules, '@aws-solutions-constructs', 'aws-lambda-bedrockinferenceprofile'));
  const lambda = cdk.aws_lambda;
  stacks(cdk, app, count, (stack) => {
    const construct = new LambdaToBedrockinferenceprofile(stack, 'Agent', {
      bedrockModelId: FOUNDATION_MODEL,
      deployCrossRegionProfile: true,
      inferenceProfileProps: { inferenceProfileName: `${stack.stackName}-Agent-InferenceProfile`, tags: Object.entries(TAGS).map(([key, value]) => ({ key, value })) },
      lambdaFunctionProps: {
        runtime: new lambda.Runtime('nodejs22.x', lambda.RuntimeFamily.NODEJS),
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(AGENT_ASSET),
        memorySize: 512,
        timeout: cdk.Duration.seconds(120),
        environment: { COST_ALLOCATION_TAGS: JSON.stringify(TAGS), MAX_TOOL_ROUNDS: '5', MAX_OUTPUT_TOKENS: '2048' },
      },
    });
    construct.lambdaFunction.addToRolePolicy(new cdk.aws_iam.PolicyStatement({ actions: ['ce:GetCostAndUsage'], resources: ['*'] }));
  });
}

/** App builders by name, with the aws-cdk-lib copy each one loads: `root` (the library's) or `bench`. */
const APPS = {
  'empty': { cdk: 'root', build: (cdk, app) => new cdk.Stack(app, 'EmptyStack', { env: ENV }) },
  'reference': { cdk: 'root', build: reference },
  'hand-written': { cdk: 'root', build: handWritten },
  'empty@bench': { cdk: 'bench', build: (cdk, app) => new cdk.Stack(app, 'EmptyStack', { env: ENV }) },
  'reference@bench': { cdk: 'bench', build: reference, redirect: true },
  'hand-written@bench': { cdk: 'bench', build: handWritten },
  'aws-bedrock-alpha': {
    cdk: 'bench',
    build: bedrockProfileApp(
      () => require(path.join(benchModules, '@aws-cdk', 'aws-bedrock-alpha')),
      (name) => ({ applicationInferenceProfileName: name, tags: TAGS }),
    ),
  },
  'generative-ai-cdk-constructs': {
    cdk: 'bench',
    build: bedrockProfileApp(
      () => require(path.join(benchModules, '@cdklabs', 'generative-ai-cdk-constructs')).bedrock,
      (name) => ({ inferenceProfileName: name, tags: Object.entries(TAGS).map(([key, value]) => ({ key, value })) }),
    ),
  },
  'solutions-constructs': { cdk: 'bench', build: solutionsConstruct },
};

module.exports = { APPS, repoRoot, benchModules };
