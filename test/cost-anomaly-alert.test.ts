import { App, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AnomalyAlertFrequency, AnomalyThreshold, CostAnomalyAlert, CostAnomalyAlertProps } from '../src';

const MONITOR_TYPE = 'AWS::CE::AnomalyMonitor';
const SUBSCRIPTION_TYPE = 'AWS::CE::AnomalySubscription';
const TAGS = { Application: 'CloudEngineer', Environment: 'Production' };

function newStack(): Stack {
  return new Stack(new App(), 'AnomalyStack', { env: { account: '123456789012', region: 'ap-southeast-2' } });
}

function newAlert(overrides: Partial<CostAnomalyAlertProps> = {}, stack = newStack()): CostAnomalyAlert {
  return new CostAnomalyAlert(stack, 'Anomalies', {
    costAllocationTags: TAGS,
    emailAddresses: ['finops@example.com'],
    ...overrides,
  });
}

function template(overrides: Partial<CostAnomalyAlertProps> = {}): Template {
  const stack = newStack();
  newAlert(overrides, stack);
  return Template.fromStack(stack);
}

/** Returns the subscriptions' properties, keyed by their frequency. */
function subscriptions(tpl: Template): Record<string, any> {
  const result: Record<string, any> = {};
  for (const resource of Object.values(tpl.findResources(SUBSCRIPTION_TYPE)) as any[]) {
    result[resource.Properties.Frequency] = resource;
  }
  return result;
}

function monitorProperties(tpl: Template): Record<string, any> {
  return Object.values(tpl.findResources(MONITOR_TYPE))[0].Properties;
}

function topicStack(): { stack: Stack; topic: sns.Topic } {
  const stack = newStack();
  return { stack, topic: new sns.Topic(stack, 'Alerts') };
}

describe('monitor', () => {
  test('is a custom monitor', () => {
    template().hasResourceProperties(MONITOR_TYPE, { MonitorType: 'CUSTOM' });
  });

  test('selects the Application tag', () => {
    const specification = JSON.parse(monitorProperties(template()).MonitorSpecification);

    expect(specification).toEqual({ Tags: { Key: 'Application', Values: ['CloudEngineer'] } });
  });

  test('selects a chosen tag key', () => {
    const specification = JSON.parse(monitorProperties(template({ filterTagKey: 'Environment' })).MonitorSpecification);

    expect(specification).toEqual({ Tags: { Key: 'Environment', Values: ['Production'] } });
  });

  test('has no dimension', () => {
    expect(monitorProperties(template()).MonitorDimension).toBeUndefined();
  });

  test('uses a given name', () => {
    template({ monitorName: 'cloud-engineer-bedrock' }).hasResourceProperties(MONITOR_TYPE, { MonitorName: 'cloud-engineer-bedrock' });
  });

  test('derives a name from the path', () => {
    expect(monitorProperties(template()).MonitorName).toMatch(/^AnomalyStack-Anomalies-[0-9A-F]{8}$/);
  });

  test('exposes the monitor ARN', () => {
    const stack = newStack();
    const alert = newAlert({}, stack);

    expect(stack.resolve(alert.monitorArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Anomalies/), 'MonitorArn'] });
  });
});

describe('email subscription', () => {
  test('sends daily by default', () => {
    expect(subscriptions(template()).DAILY.Properties.Subscribers).toEqual([{ Type: 'EMAIL', Address: 'finops@example.com' }]);
  });

  test('sends weekly on request', () => {
    expect(Object.keys(subscriptions(template({ emailFrequency: AnomalyAlertFrequency.WEEKLY })))).toEqual(['WEEKLY']);
  });

  test('watches the monitor', () => {
    expect(subscriptions(template()).DAILY.Properties.MonitorArnList).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Anomalies/), 'MonitorArn'] }]);
  });

  test('is named after the monitor', () => {
    expect(subscriptions(template({ monitorName: 'bedrock' })).DAILY.Properties.SubscriptionName).toBe('bedrock email');
  });

  test('is the only subscription without a topic', () => {
    template().resourceCountIs(SUBSCRIPTION_TYPE, 1);
  });
});

describe('topic subscription', () => {
  test('sends immediately to the topic', () => {
    const { stack, topic } = topicStack();
    newAlert({ emailAddresses: undefined, notificationTopic: topic }, stack);

    const subscription = subscriptions(Template.fromStack(stack)).IMMEDIATE;
    expect(subscription.Properties.Subscribers).toEqual([{ Type: 'SNS', Address: { Ref: expect.stringMatching(/^Alerts/) } }]);
  });

  test('adds a second subscription with email', () => {
    const { stack, topic } = topicStack();
    newAlert({ notificationTopic: topic }, stack);

    expect(Object.keys(subscriptions(Template.fromStack(stack))).sort()).toEqual(['DAILY', 'IMMEDIATE']);
  });

  test('policy lets costalerts publish', () => {
    const { stack, topic } = topicStack();
    newAlert({ notificationTopic: topic }, stack);

    Template.fromStack(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'costalerts.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as any) },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          Sid: Match.stringLikeRegexp('^AllowCostAlertsPublish'),
        }],
      },
    });
  });

  test('waits for the topic policy', () => {
    const { stack, topic } = topicStack();
    newAlert({ notificationTopic: topic }, stack);

    const tpl = Template.fromStack(stack);
    const policyId = Object.keys(tpl.findResources('AWS::SNS::TopicPolicy'))[0];
    expect(subscriptions(tpl).IMMEDIATE.DependsOn).toEqual([policyId]);
  });

  test('creates a topic on request', () => {
    const stack = newStack();
    const alert = newAlert({ emailAddresses: undefined, createNotificationTopic: true }, stack);

    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
    expect(alert.notificationTopic).toBeDefined();
    expect(alert.topicSubscriptionArn).toBeDefined();
    expect(alert.emailSubscriptionArn).toBeUndefined();
  });
});

describe('threshold', () => {
  function expression(tpl: Template): any {
    return JSON.parse(subscriptions(tpl).DAILY.Properties.ThresholdExpression);
  }

  const absolute = (value: string) => ({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [value] } });
  const percentage = (value: string) => ({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [value] } });

  test('defaults to 100 USD impact', () => {
    expect(expression(template())).toEqual(absolute('100'));
  });

  test('uses an absolute impact', () => {
    expect(expression(template({ threshold: AnomalyThreshold.absoluteImpact(25.5) }))).toEqual(absolute('25.5'));
  });

  test('uses a percentage impact', () => {
    expect(expression(template({ threshold: AnomalyThreshold.percentageImpact(40) }))).toEqual(percentage('40'));
  });

  test('combines both with And', () => {
    expect(expression(template({ threshold: AnomalyThreshold.absoluteAndPercentageImpact(50, 20) }))).toEqual({ And: [absolute('50'), percentage('20')] });
  });

  test('combines both with Or', () => {
    expect(expression(template({ threshold: AnomalyThreshold.absoluteOrPercentageImpact(50, 20) }))).toEqual({ Or: [absolute('50'), percentage('20')] });
  });

  test('sets no legacy Threshold', () => {
    expect(subscriptions(template()).DAILY.Properties.Threshold).toBeUndefined();
  });

  test('keeps a token amount', () => {
    const stack = newStack();
    newAlert({ threshold: AnomalyThreshold.absoluteImpact(Token.asNumber({ Ref: 'Impact' })) }, stack);

    const rendered = JSON.stringify(subscriptions(Template.fromStack(stack)).DAILY.Properties.ThresholdExpression);
    expect(rendered).toContain('{"Ref":"Impact"}');
  });
});

describe('validation', () => {
  test('fails without subscribers', () => {
    expect(() => newAlert({ emailAddresses: [] })).toThrow(/invalid emailAddresses \[\]: an anomaly alert needs at least one subscriber/);
  });

  test('fails if email frequency is IMMEDIATE', () => {
    expect(() => newAlert({ emailFrequency: AnomalyAlertFrequency.IMMEDIATE }))
      .toThrow(/invalid emailFrequency "IMMEDIATE": Cost Explorer sends IMMEDIATE alerts only to SNS topics, and email subscribers need DAILY or WEEKLY/);
  });

  test('fails with email frequency but no email', () => {
    const { stack, topic } = topicStack();

    expect(() => newAlert({ emailAddresses: undefined, notificationTopic: topic, emailFrequency: AnomalyAlertFrequency.WEEKLY }, stack))
      .toThrow(/invalid emailFrequency "WEEKLY": applies only to email subscribers, and none is given/);
  });

  test('fails with topic given and created', () => {
    const { stack, topic } = topicStack();

    expect(() => newAlert({ notificationTopic: topic, createNotificationTopic: true }, stack)).toThrow(/invalid createNotificationTopic true/);
  });

  test('fails if email is invalid', () => {
    expect(() => newAlert({ emailAddresses: ['finops@'] })).toThrow(/invalid emailAddresses\[0\] "finops@": is not a valid email address/);
  });

  test('fails if filter key is not a tag', () => {
    expect(() => newAlert({ filterTagKey: 'CostCenter' })).toThrow(/invalid filterTagKey "CostCenter": must be one of the cost allocation tag keys \(Application, Environment\)/);
  });

  test.each([
    ['negative amount', AnomalyThreshold.absoluteImpact(-1), 'threshold.absoluteAmount'],
    ['amount over 10 billion', AnomalyThreshold.absoluteImpact(10_000_000_001), 'threshold.absoluteAmount'],
    ['NaN percentage', AnomalyThreshold.percentageImpact(Number.NaN), 'threshold.percentage'],
    ['infinite percentage', AnomalyThreshold.absoluteOrPercentageImpact(10, Number.POSITIVE_INFINITY), 'threshold.percentage'],
  ])('fails with %s', (_name, threshold, prop) => {
    expect(() => newAlert({ threshold })).toThrow(new RegExp(`invalid ${prop.replace('.', '\\.')} .*must be a number from 0 to 10000000000`));
  });

  test('fails if monitor name is too long', () => {
    expect(() => newAlert({ monitorName: 'm'.repeat(1019) })).toThrow(/invalid monitorName .*must have 1 to 1018 characters/);
  });

  test('error names the construct path', () => {
    expect(() => newAlert({ emailAddresses: [] })).toThrow(/^AnomalyStack\/Anomalies: /);
  });
});
