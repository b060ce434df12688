import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BedrockModel, CostTrackedInferenceProfile, UsageAlarms, UsageAlarmsProps } from '../src';

const ALARM_TYPE = 'AWS::CloudWatch::Alarm';

interface Fixture {
  readonly stack: Stack;
  readonly alarms: UsageAlarms;
}

function newFixture(overrides: Partial<UsageAlarmsProps> = {}, withFunction = true): Fixture {
  const stack = new Stack(new App(), 'AlarmStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const inferenceProfile = new CostTrackedInferenceProfile(stack, 'Profile', {
    model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    costAllocationTags: { application: 'CloudEngineer' },
  });
  const agentFunction = withFunction
    ? lambda.Function.fromFunctionName(stack, 'Agent', 'cost-agent')
    : undefined;
  const alarms = new UsageAlarms(stack, 'Alarms', { inferenceProfile, agentFunction, ...overrides });
  return { stack, alarms };
}

function template(overrides: Partial<UsageAlarmsProps> = {}): Template {
  return Template.fromStack(newFixture(overrides).stack);
}

function alarmProperties(tpl: Template, metricName: string): Record<string, any> {
  const alarms = tpl.findResources(ALARM_TYPE, { Properties: { MetricName: metricName } });
  return Object.values(alarms)[0].Properties;
}

function tokenRateAlarm(tpl: Template): Record<string, any> {
  const alarms = tpl.findResources(ALARM_TYPE, { Properties: { Metrics: Match.anyValue() } });
  return Object.values(alarms)[0].Properties;
}

describe('throttles alarm', () => {
  test('watches profile throttles', () => {
    const properties = alarmProperties(template(), 'InvocationThrottles');

    expect(properties.Namespace).toBe('AWS/Bedrock');
    expect(properties.Dimensions).toEqual([{ Name: 'ModelId', Value: { 'Fn::GetAtt': [expect.stringMatching(/^Profile/), 'InferenceProfileId'] } }]);
  });

  test('defaults to 5 in 5 minutes', () => {
    const properties = alarmProperties(template(), 'InvocationThrottles');

    expect(properties.Threshold).toBe(5);
    expect(properties.Period).toBe(300);
    expect(properties.Statistic).toBe('Sum');
    expect(properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  });

  test('uses a given threshold', () => {
    expect(alarmProperties(template({ throttlesThreshold: 20 }), 'InvocationThrottles').Threshold).toBe(20);
  });

  test('description names the quotas', () => {
    expect(alarmProperties(template(), 'InvocationThrottles').AlarmDescription).toContain('Check the Bedrock quotas of the model');
  });
});

describe('server errors alarm', () => {
  test('defaults to 1 in 5 minutes', () => {
    const properties = alarmProperties(template(), 'InvocationServerErrors');

    expect(properties.Threshold).toBe(1);
    expect(properties.Period).toBe(300);
  });

  test('uses a given threshold', () => {
    expect(alarmProperties(template({ serverErrorsThreshold: 3 }), 'InvocationServerErrors').Threshold).toBe(3);
  });

  test('description says what to check', () => {
    expect(alarmProperties(template(), 'InvocationServerErrors').AlarmDescription).toContain('Check the AWS Health Dashboard');
  });
});

describe('function errors alarm', () => {
  test('watches the function errors', () => {
    const properties = alarmProperties(template(), 'Errors');

    expect(properties.Namespace).toBe('AWS/Lambda');
    expect(properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: expect.anything() }]);
    expect(properties.Statistic).toBe('Sum');
  });

  test('uses a given threshold', () => {
    expect(alarmProperties(template({ functionErrorsThreshold: 2 }), 'Errors').Threshold).toBe(2);
  });

  test('is absent without a function', () => {
    const { stack, alarms } = newFixture({}, false);

    expect(alarms.functionErrorsAlarm).toBeUndefined();
    Template.fromStack(stack).resourceCountIs(ALARM_TYPE, 2);
  });
});

describe('token rate alarm', () => {
  test('is absent by default', () => {
    const { stack, alarms } = newFixture();

    expect(alarms.tokenRateAlarm).toBeUndefined();
    Template.fromStack(stack).resourceCountIs(ALARM_TYPE, 3);
  });

  test('sums input and output tokens', () => {
    const metrics = tokenRateAlarm(template({ maxTokensPerHour: 2_000_000 })).Metrics;

    expect(metrics[0]).toEqual({ Id: 'expr_1', Expression: 'FILL(inputTokens, 0) + FILL(outputTokens, 0)', Label: 'Input and output tokens per hour' });
    expect(metrics.slice(1).map((metric: any) => [metric.Id, metric.MetricStat.Metric.MetricName, metric.MetricStat.Period, metric.MetricStat.Stat]))
      .toEqual([['inputTokens', 'InputTokenCount', 3600, 'Sum'], ['outputTokens', 'OutputTokenCount', 3600, 'Sum']]);
  });

  test('goes off at the threshold', () => {
    const properties = tokenRateAlarm(template({ maxTokensPerHour: 2_000_000 }));

    expect(properties.Threshold).toBe(2_000_000);
    expect(properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(properties.EvaluationPeriods).toBe(1);
  });
});

describe('all alarms', () => {
  test('treat missing data as OK', () => {
    const alarms = Object.values(template({ maxTokensPerHour: 1000 }).findResources(ALARM_TYPE)) as any[];

    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) {
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  test('notify the alarm topic', () => {
    const { stack } = newFixture();
    const topic = new sns.Topic(stack, 'Topic');
    new UsageAlarms(stack, 'WithTopic', {
      inferenceProfile: CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Imported', {
        inferenceProfileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
        model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
      }),
      maxTokensPerHour: 1000,
      alarmTopic: topic,
    });

    const alarms = Template.fromStack(stack).findResources(ALARM_TYPE, { Properties: { AlarmActions: Match.anyValue() } });
    expect(Object.keys(alarms)).toHaveLength(3);
    for (const alarm of Object.values(alarms) as any[]) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('have no actions by default', () => {
    for (const alarm of Object.values(template().findResources(ALARM_TYPE)) as any[]) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  test('are CloudWatch alarms', () => {
    expect(newFixture().alarms.throttlesAlarm).toBeInstanceOf(cloudwatch.Alarm);
  });

  test('are listed in alarms', () => {
    const { alarms } = newFixture({ maxTokensPerHour: 1000 });

    expect(alarms.alarms).toEqual([alarms.throttlesAlarm, alarms.serverErrorsAlarm, alarms.functionErrorsAlarm, alarms.tokenRateAlarm]);
  });

  test('accept added actions', () => {
    const { stack, alarms } = newFixture();
    alarms.throttlesAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: 'arn:aws:sns:us-east-1:123456789012:pager' }) });

    expect(alarmProperties(Template.fromStack(stack), 'InvocationThrottles').AlarmActions).toEqual(['arn:aws:sns:us-east-1:123456789012:pager']);
  });
});

describe('validation', () => {
  test.each([
    ['maxTokensPerHour', 0],
    ['maxTokensPerHour', 1.5],
    ['throttlesThreshold', -1],
    ['serverErrorsThreshold', 2.5],
    ['functionErrorsThreshold', 0],
  ])('fails if %s is %s', (prop, value) => {
    expect(() => newFixture({ [prop]: value })).toThrow(new RegExp(`invalid ${prop} ${value}: must be a whole number of 1 or more`));
  });

  test('fails with function threshold but no function', () => {
    expect(() => newFixture({ functionErrorsThreshold: 2 }, false)).toThrow(/invalid functionErrorsThreshold 2: applies only with agentFunction/);
  });
});
