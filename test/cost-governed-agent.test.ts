import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BedrockModel, CostTrackedBedrockAgent, CostTrackedBedrockAgentProps } from '../src';

const PRICING = { inputPricePerMillionTokens: 3, outputPricePerMillionTokens: 15 };

function newStack(): Stack {
  return new Stack(new App(), 'AgentStack', { env: { account: '123456789012', region: 'ap-southeast-2' } });
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

/** Parses the dashboard body, with each intrinsic function replaced by the text TOKEN. */
function dashboardWidgets(tpl: Template): any[] {
  const dashboards = tpl.findResources('AWS::CloudWatch::Dashboard');
  const parts: unknown[] = (Object.values(dashboards)[0] as any).Properties.DashboardBody['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')).widgets;
}

function agentRoleTags(tpl: Template): any[] {
  const roles = tpl.findResources('AWS::IAM::Role', { Properties: { Description: 'Agent function role: writes its own logs and invokes the model through the cost-tracked inference profile' } });
  return (Object.values(roles)[0] as any).Properties.Tags;
}

describe('IAM principal attribution', () => {
  test('tags the agent role', () => {
    expect(agentRoleTags(template())).toEqual([
      { Key: 'Application', Value: 'CloudEngineer' },
      { Key: 'CostCenter', Value: 'Engineering' },
      { Key: 'Environment', Value: 'Production' },
    ]);
  });

  test('role tags match the profile tags', () => {
    const tpl = template({ costAllocationTags: { application: 'CloudEngineer', additionalTags: { Team: 'Platform' } } });
    const profile = Object.values(tpl.findResources('AWS::Bedrock::ApplicationInferenceProfile'))[0] as any;

    const sortByKey = (tags: any[]) => [...tags].sort((first, second) => first.Key.localeCompare(second.Key));
    expect(sortByKey(agentRoleTags(tpl))).toEqual(sortByKey(profile.Properties.Tags));
  });
});

describe('defaults', () => {
  test.each([
    'AWS::Budgets::Budget',
    'AWS::CE::AnomalyMonitor',
    'AWS::CE::AnomalySubscription',
    'AWS::CloudWatch::Alarm',
    'Custom::CostAllocationTagActivation',
    'AWS::SNS::Topic',
  ])('creates no %s', (type) => {
    template().resourceCountIs(type, 0);
  });

  test('leaves governance attributes undefined', () => {
    const agent = newAgent();

    expect(agent.budget).toBeUndefined();
    expect(agent.anomalyAlert).toBeUndefined();
    expect(agent.alarms).toBeUndefined();
    expect(agent.costAllocationTagActivation).toBeUndefined();
  });

  test('dashboard has no estimate', () => {
    expect(JSON.stringify(dashboardWidgets(template()))).not.toContain('list prices');
  });
});

describe('budget', () => {
  test('filters on the agent application', () => {
    template({ budget: { monthlyLimit: 300, emailAddresses: ['finops@example.com'] } }).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { CostFilters: { TagKeyValue: ['user:Application$CloudEngineer'] }, BudgetLimit: { Amount: 300, Unit: 'USD' } },
    });
  });

  test('is exposed', () => {
    expect(newAgent({ budget: { monthlyLimit: 300, emailAddresses: ['finops@example.com'] } }).budget?.tagFilter).toBe('user:Application$CloudEngineer');
  });

  test('errors name the budget path', () => {
    expect(() => newAgent({ budget: { monthlyLimit: 0, emailAddresses: ['finops@example.com'] } })).toThrow(/^AgentStack\/Agent\/Budget: invalid monthlyLimit 0/);
  });
});

describe('anomaly alert', () => {
  test('monitors the agent application', () => {
    const tpl = template({ anomalyAlert: { emailAddresses: ['finops@example.com'] } });
    const monitor = Object.values(tpl.findResources('AWS::CE::AnomalyMonitor'))[0] as any;

    expect(JSON.parse(monitor.Properties.MonitorSpecification)).toEqual({ Tags: { Key: 'Application', Values: ['CloudEngineer'] } });
  });

  test('shares a topic with the budget', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alerts');
    newAgent({
      budget: { monthlyLimit: 300, notificationTopic: topic },
      anomalyAlert: { notificationTopic: topic },
    }, stack);

    const policy = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'))[0] as any;
    const principals = policy.Properties.PolicyDocument.Statement.map((statement: any) => statement.Principal.Service);
    expect(principals).toEqual(['budgets.amazonaws.com', 'costalerts.amazonaws.com']);
  });
});

describe('alarms', () => {
  test('watch the agent function', () => {
    template({ alarms: {} }).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'AgentFunctionB8994DEA' } }],
    });
  });

  test('create three without a token limit', () => {
    template({ alarms: {} }).resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  test('appear on the dashboard', () => {
    const statusWidget = dashboardWidgets(template({ alarms: { maxTokensPerHour: 500_000 } })).find((widget) => widget.type === 'alarm');

    expect(statusWidget.properties.title).toBe('Usage alarms');
    expect(statusWidget.properties.alarms).toHaveLength(4);
  });
});

describe('tag activation', () => {
  test('activates every tag key', () => {
    template({ costAllocationTagActivation: {} }).hasResourceProperties('Custom::CostAllocationTagActivation', {
      TagKeys: ['Application', 'Environment', 'CostCenter'],
    });
  });

  test('passes the retry token', () => {
    template({ costAllocationTagActivation: { retryToken: 'retry-1' } }).hasResourceProperties('Custom::CostAllocationTagActivation', {
      RetryToken: 'retry-1',
    });
  });

  test('adds a status output', () => {
    const outputs = Object.keys(template({ costAllocationTagActivation: {} }).findOutputs('*'));

    expect(outputs).toHaveLength(5);
    expect(outputs).toContainEqual(expect.stringMatching(/^AgentCostAllocationTagActivationStatus/));
  });
});

describe('estimated cost', () => {
  function estimateWidgets(tpl: Template): any[] {
    return dashboardWidgets(tpl).filter((widget) => JSON.stringify(widget).includes('List-price estimate'));
  }

  test('adds graph and total', () => {
    const widgets = estimateWidgets(template({ modelPricing: PRICING }));

    expect(widgets.map((widget) => widget.properties.view)).toEqual(['timeSeries', 'singleValue']);
  });

  test('graph uses metric math', () => {
    const [graph] = estimateWidgets(template({ modelPricing: PRICING }));

    expect(graph.properties.metrics[0]).toEqual([{
      expression: '(FILL(inputTokens, 0) * 3 + FILL(outputTokens, 0) * 15) / 1000000',
      label: 'List-price estimate (USD)',
      period: 3600,
    }]);
  });

  test('total covers the time range', () => {
    const [, total] = estimateWidgets(template({ modelPricing: PRICING }));

    expect(total.properties.setPeriodToTimeRange).toBe(true);
  });

  test('text explains the difference', () => {
    const text = dashboardWidgets(template({ modelPricing: PRICING })).find((widget) => widget.type === 'text' && widget.properties.markdown.includes('not the bill'));

    expect(text.properties.markdown).toContain('discounts, credits, AWS Marketplace billing');
  });

  test('fits the 24-column grid', () => {
    for (const widget of dashboardWidgets(template({ modelPricing: PRICING, alarms: {} }))) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
    }
  });

  test('fails with a negative price', () => {
    expect(() => newAgent({ modelPricing: { ...PRICING, outputPricePerMillionTokens: -15 } }))
      .toThrow(/^AgentStack\/Agent: invalid modelPricing\.outputPricePerMillionTokens -15: must be a finite price of 0 or more/);
  });
});
