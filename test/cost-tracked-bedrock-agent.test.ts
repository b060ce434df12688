import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BedrockModel, CostTrackedBedrockAgent, CostTrackedBedrockAgentProps } from '../src';

function newStack(region = 'ap-southeast-2'): Stack {
  return new Stack(new App(), 'AgentStack', { env: { account: '123456789012', region } });
}

function newAgent(overrides: Partial<CostTrackedBedrockAgentProps> = {}, stack = newStack()): CostTrackedBedrockAgent {
  return new CostTrackedBedrockAgent(stack, 'Agent', {
    model: BedrockModel.crossRegionProfile('au.anthropic.claude-sonnet-4-6'),
    costAllocationTags: { application: 'CloudEngineer', environment: 'Production', costCenter: 'Engineering' },
    ...overrides,
  });
}

function template(overrides: Partial<CostTrackedBedrockAgentProps> = {}): Template {
  const stack = newStack();
  newAgent(overrides, stack);
  return Template.fromStack(stack);
}

function functionEnvironment(tpl: Template): Record<string, any> {
  const functions = tpl.findResources('AWS::Lambda::Function');
  return (Object.values(functions)[0] as any).Properties.Environment.Variables;
}

function dashboardBody(tpl: Template): string {
  const dashboards = tpl.findResources('AWS::CloudWatch::Dashboard');
  return JSON.stringify((Object.values(dashboards)[0] as any).Properties.DashboardBody);
}

/** Parses the dashboard body, with each intrinsic function replaced by the text TOKEN. */
function dashboardWidgets(tpl: Template): any[] {
  const dashboards = tpl.findResources('AWS::CloudWatch::Dashboard');
  const parts: unknown[] = (Object.values(dashboards)[0] as any).Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')).widgets;
}

/** Returns [namespace, metricName, statistic] of every metric line on the dashboard. */
function dashboardMetrics(tpl: Template): Array<[string, string, string]> {
  return dashboardWidgets(tpl)
    .filter((widget) => widget.type === 'metric')
    .flatMap((widget) => widget.properties.metrics)
    .map((line: any[]) => [line[0], line[1], line[line.length - 1].stat]);
}

function outputIds(tpl: Template): string[] {
  return Object.keys(tpl.findOutputs('*'));
}

describe('agent function', () => {
  test('runs Node.js 22 on arm64', () => {
    template().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  test('model id is the profile ARN', () => {
    expect(functionEnvironment(template()).BEDROCK_MODEL_ID).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^AgentInferenceProfile/), 'InferenceProfileArn'],
    });
  });

  test('passes the foundation model id', () => {
    expect(functionEnvironment(template()).FOUNDATION_MODEL_ID).toBe('anthropic.claude-sonnet-4-6');
  });

  test('passes the cost allocation tags', () => {
    const tags = JSON.parse(functionEnvironment(template()).COST_ALLOCATION_TAGS);

    expect(tags).toEqual({ Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' });
  });

  test('defaults to five tool rounds', () => {
    expect(functionEnvironment(template()).MAX_TOOL_ROUNDS).toBe('5');
  });

  test('defaults to 2048 output tokens', () => {
    expect(functionEnvironment(template()).MAX_OUTPUT_TOKENS).toBe('2048');
  });

  test('passes the output token limit', () => {
    expect(functionEnvironment(template({ maxOutputTokens: 4096 })).MAX_OUTPUT_TOKENS).toBe('4096');
  });

  test('passes the tool round limit', () => {
    expect(functionEnvironment(template({ maxToolRounds: 8 })).MAX_TOOL_ROUNDS).toBe('8');
  });

  test('passes a custom system prompt', () => {
    expect(functionEnvironment(template({ systemPrompt: 'Answer in one sentence.' })).SYSTEM_PROMPT).toBe('Answer in one sentence.');
  });

  test('logs no conversation text by default', () => {
    expect(functionEnvironment(template()).LOG_CONVERSATION_TEXT).toBeUndefined();
  });

  test('turns on conversation text logs', () => {
    expect(functionEnvironment(template({ logConversationText: true })).LOG_CONVERSATION_TEXT).toBe('true');
  });

  test('passes temperature and topP', () => {
    const environment = functionEnvironment(template({ temperature: 0.2, topP: 0.9 }));

    expect(environment.TEMPERATURE).toBe('0.2');
    expect(environment.TOP_P).toBe('0.9');
  });

  test('omits sampling by default', () => {
    const environment = functionEnvironment(template());

    expect(environment.TEMPERATURE).toBeUndefined();
    expect(environment.TOP_P).toBeUndefined();
  });

  test('omits the prompt by default', () => {
    expect(functionEnvironment(template()).SYSTEM_PROMPT).toBeUndefined();
  });

  test('defaults to 2 minutes and 512 MiB', () => {
    template().hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, MemorySize: 512 });
  });

  test('applies timeout and memory', () => {
    template({ timeout: Duration.minutes(5), memorySize: 1024 }).hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, MemorySize: 1024 });
  });

  test('keeps logs one month by default', () => {
    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('applies log retention', () => {
    template({ logRetention: logs.RetentionDays.ONE_WEEK }).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('logs to its own log group', () => {
    template().hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AgentLogGroup') } },
    });
  });
});

describe('agent role', () => {
  function statements(tpl: Template): any[] {
    const policies = tpl.findResources('AWS::IAM::Policy');
    return Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
  }

  test('has no managed policies', () => {
    const roles = template().findResources('AWS::IAM::Role');

    for (const role of Object.values(roles) as any[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('invokes only through the profile', () => {
    const bedrock = statements(template()).filter((statement) => JSON.stringify(statement.Action).includes('bedrock:'));

    expect(bedrock).toHaveLength(2);
    expect(bedrock[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AgentInferenceProfile/), 'InferenceProfileArn'] });
    expect(bedrock[1].Condition.StringEquals['bedrock:InferenceProfileArn']).toEqual(bedrock[0].Resource);
  });

  test('writes only its own log group', () => {
    const logStatements = statements(template()).filter((statement) => JSON.stringify(statement.Action).includes('logs:'));

    expect(logStatements).toHaveLength(1);
    expect(logStatements[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(logStatements[0].Resource)).toContain('AgentLogGroup');
  });

  test('reads cost with GetCostAndUsage only', () => {
    const costStatements = statements(template()).filter((statement) => JSON.stringify(statement.Action).includes('ce:'));

    expect(costStatements).toEqual([{ Effect: 'Allow', Action: 'ce:GetCostAndUsage', Resource: '*' }]);
  });

  test('uses no other wildcard resource', () => {
    const unconditioned = statements(template())
      .filter((statement) => !statement.Condition && statement.Action !== 'ce:GetCostAndUsage');

    expect(JSON.stringify(unconditioned.map((statement) => statement.Resource))).not.toMatch(/"\*"|:\*"/);
  });
});

describe('dashboard', () => {
  test.each([
    'Invocations', 'InputTokenCount', 'OutputTokenCount', 'InvocationLatency',
    'InvocationThrottles', 'InvocationClientErrors', 'InvocationServerErrors',
  ])('graphs profile metric %s', (metricName) => {
    const lines = dashboardWidgets(template())
      .filter((widget) => widget.type === 'metric')
      .flatMap((widget) => widget.properties.metrics);

    expect(lines).toContainEqual(expect.arrayContaining(['AWS/Bedrock', metricName, 'ModelId', 'TOKEN']));
  });

  test.each(['p50', 'p90', 'p99'])('graphs latency %s', (statistic) => {
    expect(dashboardMetrics(template())).toContainEqual(['AWS/Bedrock', 'InvocationLatency', statistic]);
  });

  test.each(['Invocations', 'Errors', 'Duration'])('graphs function metric %s', (metricName) => {
    expect(dashboardMetrics(template()).map(([namespace, name]) => `${namespace} ${name}`)).toContain(`AWS/Lambda ${metricName}`);
  });

  test('fits the 24-column grid', () => {
    for (const widget of dashboardWidgets(template())) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
    }
  });

  test('names the tags in text', () => {
    const body = dashboardBody(template());

    expect(body).toContain('`Application` = `CloudEngineer`');
    expect(body).toContain('`CostCenter` = `Engineering`');
  });

  test('links to Cost Explorer', () => {
    expect(dashboardBody(template())).toContain('https://console.aws.amazon.com/costmanagement/home#/cost-explorer?');
  });

  test('uses a given name', () => {
    template({ dashboardName: 'cloud-engineer-usage' }).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'cloud-engineer-usage' });
  });
});

describe('outputs and attributes', () => {
  test.each([
    ['AgentInferenceProfileArn'],
    ['AgentAgentFunctionName'],
    ['AgentDashboardUrl'],
    ['AgentCostExplorerUrl'],
  ])('emits output %s', (outputId) => {
    expect(outputIds(template())).toContainEqual(expect.stringMatching(new RegExp(`^${outputId}[0-9A-F]{8}$`)));
  });

  test('profile arn output is the GetAtt', () => {
    const outputs = template().findOutputs('*');
    const id = Object.keys(outputs).find((key) => key.startsWith('AgentInferenceProfileArn'))!;

    expect(outputs[id].Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AgentInferenceProfile/), 'InferenceProfileArn'] });
  });

  test('cost explorer url filters by tags', () => {
    const url = decodeURIComponent(newAgent().costExplorerUrl);

    expect(url).toContain('"tagKey":"Application"');
    expect(url).toContain('{"value":"CloudEngineer","displayValue":"CloudEngineer"}');
    expect(url).toContain('groupBy=["Service"]');
  });

  test('cost explorer output equals the attribute', () => {
    const stack = newStack();
    const agent = newAgent({}, stack);

    const outputs = Template.fromStack(stack).findOutputs('*');
    const id = Object.keys(outputs).find((key) => key.startsWith('AgentCostExplorerUrl'))!;

    expect(outputs[id].Value).toBe(agent.costExplorerUrl);
  });

  test('cost explorer url keeps token tags', () => {
    const stack = newStack();
    const agent = newAgent({ costAllocationTags: { application: Token.asString({ Ref: 'App' }) } }, stack);
    const resolved = JSON.stringify(stack.resolve(agent.costExplorerUrl));

    expect(resolved).toContain('{"Ref":"App"}');
    expect(resolved).not.toContain('CDKTOKEN');
  });

  test('links use the China console', () => {
    const stack = newStack('cn-north-1');
    const agent = newAgent({ model: BedrockModel.foundationModel('amazon.nova-pro-v1:0') }, stack);

    expect(agent.costExplorerUrl).toMatch(/^https:\/\/console\.amazonaws\.cn\//);
  });

  test('dashboard url names the region', () => {
    const stack = newStack();
    newAgent({ dashboardName: 'usage' }, stack);

    const outputs = Template.fromStack(stack).findOutputs('*');
    const id = Object.keys(outputs).find((key) => key.startsWith('AgentDashboardUrl'))!;

    expect(outputs[id].Value).toBe('https://console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#dashboards:name=usage');
  });

  test('synthesises without warnings', () => {
    const stack = newStack();
    newAgent({}, stack);

    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('validation', () => {
  test.each([0, 21, 2.5])('fails if maxToolRounds is %s', (maxToolRounds) => {
    expect(() => newAgent({ maxToolRounds })).toThrow(new RegExp(`invalid maxToolRounds ${maxToolRounds}: must be a whole number of rounds from 1 to 20`));
  });

  test.each([64, 10241])('fails if memorySize is %s', (memorySize) => {
    expect(() => newAgent({ memorySize })).toThrow(/invalid memorySize .*from 128 to 10240/);
  });

  test.each([Duration.seconds(5), Duration.minutes(16)])('fails if timeout is %s', (timeout) => {
    expect(() => newAgent({ timeout })).toThrow(/invalid timeout .*from 10 seconds to 15 minutes/);
  });

  test.each([0, 8193])('fails if maxOutputTokens is %s', (maxOutputTokens) => {
    expect(() => newAgent({ maxOutputTokens })).toThrow(/invalid maxOutputTokens .*from 1 to 8192/);
  });

  test.each([-0.1, 1.5, Number.NaN])('fails if temperature is %s', (temperature) => {
    expect(() => newAgent({ temperature })).toThrow(new RegExp(`invalid temperature ${temperature}: must be a number from 0 to 1`));
  });

  test('fails if topP exceeds 1', () => {
    expect(() => newAgent({ topP: 2 })).toThrow(/invalid topP 2: must be a number from 0 to 1/);
  });

  test('fails with 16 cost allocation tags', () => {
    const additionalTags = Object.fromEntries(Array.from({ length: 13 }, (_, index) => [`Tag${index}`, 'x']));

    expect(() => newAgent({ costAllocationTags: { application: 'A', environment: 'B', costCenter: 'C', additionalTags } }))
      .toThrow(/invalid costAllocationTags "16 tags": .*at most 15 tags/);
  });

  test('accepts 15 cost allocation tags', () => {
    const additionalTags = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`Tag${index}`, 'x']));

    expect(() => newAgent({ costAllocationTags: { application: 'A', environment: 'B', costCenter: 'C', additionalTags } })).not.toThrow();
  });

  test('fails if a tag key is caller', () => {
    expect(() => newAgent({ costAllocationTags: { application: 'A', additionalTags: { Caller: 'x' } } }))
      .toThrow(/invalid costAllocationTags.additionalTags "Caller": the request metadata key "caller"/);
  });

  test('fails if timeout has milliseconds', () => {
    expect(() => newAgent({ timeout: Duration.millis(1500) })).toThrow(/invalid timeout "1 second 500 millis": Lambda timeouts are whole seconds/);
  });

  test('fails if system prompt is empty', () => {
    expect(() => newAgent({ systemPrompt: '  ' })).toThrow(/invalid systemPrompt .*must not be empty/);
  });

  test('fails if system prompt exceeds 2 KB', () => {
    expect(() => newAgent({ systemPrompt: 'é'.repeat(1025) })).toThrow(/has 2050 bytes in UTF-8, over the limit of 2048/);
  });

  test('fails if dashboard name has spaces', () => {
    expect(() => newAgent({ dashboardName: 'cloud engineer' })).toThrow(/invalid dashboardName "cloud engineer"/);
  });

  test('error names the construct path', () => {
    expect(() => newAgent({ maxToolRounds: 0 })).toThrow(/^AgentStack\/Agent: /);
  });

  test('passes profile props through', () => {
    expect(() => newAgent({ inferenceProfileName: 'bad..name' })).toThrow(/AgentStack\/Agent\/InferenceProfile: invalid inferenceProfileName/);
  });

  test('accepts token numbers', () => {
    expect(() => newAgent({ maxToolRounds: Token.asNumber({ Ref: 'Rounds' }), memorySize: Token.asNumber({ Ref: 'Memory' }) })).not.toThrow();
  });
});
