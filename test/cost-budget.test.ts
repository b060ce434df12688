import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BudgetAlert, CostBudget, CostBudgetProps } from '../src';

const BUDGET_TYPE = 'AWS::Budgets::Budget';
const TAGS = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };

function newStack(): Stack {
  return new Stack(new App(), 'BudgetStack', { env: { account: '123456789012', region: 'ap-southeast-2' } });
}

function newBudget(overrides: Partial<CostBudgetProps> = {}, stack = newStack()): CostBudget {
  return new CostBudget(stack, 'Budget', {
    costAllocationTags: TAGS,
    monthlyLimit: 500,
    emailAddresses: ['finops@example.com'],
    ...overrides,
  });
}

function template(overrides: Partial<CostBudgetProps> = {}): Template {
  const stack = newStack();
  newBudget(overrides, stack);
  return Template.fromStack(stack);
}

function budgetProperties(tpl: Template): Record<string, any> {
  return Object.values(tpl.findResources(BUDGET_TYPE))[0].Properties;
}

function notifications(tpl: Template): any[] {
  return budgetProperties(tpl).NotificationsWithSubscribers.map((entry: any) => entry.Notification);
}

function topicPolicyStatements(tpl: Template): any[] {
  return Object.values(tpl.findResources('AWS::SNS::TopicPolicy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

describe('budget', () => {
  test('is a monthly cost budget', () => {
    template().hasResourceProperties(BUDGET_TYPE, {
      Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY' },
    });
  });

  test('limits the monthly cost', () => {
    template({ monthlyLimit: 250.5 }).hasResourceProperties(BUDGET_TYPE, {
      Budget: { BudgetLimit: { Amount: 250.5, Unit: 'USD' } },
    });
  });

  test('uses the given currency', () => {
    template({ currency: 'CNY' }).hasResourceProperties(BUDGET_TYPE, {
      Budget: { BudgetLimit: { Unit: 'CNY' } },
    });
  });

  test('filters on the Application tag only', () => {
    expect(budgetProperties(template()).Budget.CostFilters).toEqual({ TagKeyValue: ['user:Application$CloudEngineer'] });
  });

  test('filters on a chosen tag key', () => {
    expect(budgetProperties(template({ filterTagKey: 'CostCenter' })).Budget.CostFilters).toEqual({ TagKeyValue: ['user:CostCenter$Engineering'] });
  });

  test('exposes the tag filter', () => {
    expect(newBudget().tagFilter).toBe('user:Application$CloudEngineer');
  });

  test('uses a given name', () => {
    template({ budgetName: 'cloud-engineer-bedrock' }).hasResourceProperties(BUDGET_TYPE, {
      Budget: { BudgetName: 'cloud-engineer-bedrock' },
    });
  });

  test('lets Budgets name it by default', () => {
    expect(budgetProperties(template()).Budget.BudgetName).toBeUndefined();
  });

  test('budget name attribute is the Ref', () => {
    const stack = newStack();
    const budget = newBudget({}, stack);

    expect(stack.resolve(budget.budgetName)).toEqual({ Ref: expect.stringMatching(/^Budget/) });
  });
});

describe('alerts', () => {
  test('default to 80, 100 and forecast 100', () => {
    expect(notifications(template())).toEqual([
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
      { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
    ]);
  });

  test('use the given alerts', () => {
    const alerts = [BudgetAlert.actualAmount(400), BudgetAlert.forecastedAmount(450), BudgetAlert.forecastedPercentage(90)];

    expect(notifications(template({ alerts }))).toEqual([
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 400, ThresholdType: 'ABSOLUTE_VALUE' },
      { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 450, ThresholdType: 'ABSOLUTE_VALUE' },
      { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 90, ThresholdType: 'PERCENTAGE' },
    ]);
  });

  test('email every address', () => {
    const tpl = template({ emailAddresses: ['finops@example.com', 'team@example.com'] });

    for (const entry of budgetProperties(tpl).NotificationsWithSubscribers) {
      expect(entry.Subscribers).toEqual([
        { SubscriptionType: 'EMAIL', Address: 'finops@example.com' },
        { SubscriptionType: 'EMAIL', Address: 'team@example.com' },
      ]);
    }
  });
});

describe('notification topic', () => {
  test('given topic subscribes', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alerts');
    newBudget({ notificationTopic: topic, emailAddresses: [] }, stack);

    const subscribers = budgetProperties(Template.fromStack(stack)).NotificationsWithSubscribers[0].Subscribers;
    expect(subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: expect.stringMatching(/^Alerts/) } }]);
  });

  test('policy lets budgets publish', () => {
    const stack = newStack();
    newBudget({ notificationTopic: new sns.Topic(stack, 'Alerts') }, stack);

    expect(topicPolicyStatements(Template.fromStack(stack))).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^Alerts/) },
      }),
    ]);
  });

  test('policy is limited to this account', () => {
    const stack = newStack();
    newBudget({ notificationTopic: new sns.Topic(stack, 'Alerts') }, stack);

    expect(topicPolicyStatements(Template.fromStack(stack))[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::123456789012:*']] } },
    });
  });

  test('budget waits for the policy', () => {
    const stack = newStack();
    newBudget({ notificationTopic: new sns.Topic(stack, 'Alerts') }, stack);

    const tpl = Template.fromStack(stack);
    const policyId = Object.keys(tpl.findResources('AWS::SNS::TopicPolicy'))[0];
    expect(Object.values(tpl.findResources(BUDGET_TYPE))[0].DependsOn).toEqual([policyId]);
  });

  test('creates a topic on request', () => {
    const stack = newStack();
    const budget = newBudget({ createNotificationTopic: true }, stack);

    const tpl = Template.fromStack(stack);
    tpl.resourceCountIs('AWS::SNS::Topic', 1);
    expect(budget.notificationTopic).toBeDefined();
    expect(topicPolicyStatements(tpl)[0].Principal).toEqual({ Service: 'budgets.amazonaws.com' });
  });

  test('creates no topic by default', () => {
    template().resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('two budgets share a topic', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alerts');
    newBudget({ notificationTopic: topic }, stack);
    new CostBudget(stack, 'Second', { costAllocationTags: TAGS, monthlyLimit: 10, notificationTopic: topic });

    const sids = topicPolicyStatements(Template.fromStack(stack)).map((statement) => statement.Sid);
    expect(new Set(sids).size).toBe(2);
  });

  test('warns for an imported topic', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:ap-southeast-2:123456789012:alerts');
    newBudget({ notificationTopic: topic }, stack);

    Annotations.fromStack(stack).hasWarning('/BudgetStack/Budget', Match.stringLikeRegexp('Allow budgets.amazonaws.com to call sns:Publish'));
  });
});

describe('validation', () => {
  test('fails if filter key is not a tag', () => {
    expect(() => newBudget({ filterTagKey: 'Team' })).toThrow(/invalid filterTagKey "Team": must be one of the cost allocation tag keys \(Application, Environment, CostCenter\)/);
  });

  test.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('fails if monthly limit is %s', (monthlyLimit) => {
    expect(() => newBudget({ monthlyLimit })).toThrow(/invalid monthlyLimit .*must be a finite amount greater than 0/);
  });

  test('fails if currency is not ISO 4217', () => {
    expect(() => newBudget({ currency: 'usd' })).toThrow(/invalid currency "usd".*three-letter ISO 4217 code/);
  });

  test('fails without subscribers', () => {
    expect(() => newBudget({ emailAddresses: [] })).toThrow(/invalid emailAddresses \[\]: a budget notification needs at least one subscriber/);
  });

  test('fails with eleven email addresses', () => {
    const emailAddresses = Array.from({ length: 11 }, (_, index) => `user${index}@example.com`);

    expect(() => newBudget({ emailAddresses })).toThrow(/has 11 addresses, over the limit of 10/);
  });

  test.each(['finops', 'finops@example', 'Fin Ops <finops@example.com>', 'finops@exa mple.com'])('fails if email is %s', (address) => {
    expect(() => newBudget({ emailAddresses: [address] })).toThrow(/invalid emailAddresses\[0\] .*is not a valid email address/);
  });

  test('fails if email repeats', () => {
    expect(() => newBudget({ emailAddresses: ['finops@example.com', 'FinOps@example.com'] })).toThrow(/invalid emailAddresses\[1\] .*repeats an earlier address/);
  });

  test('fails with topic given and created', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alerts');

    expect(() => newBudget({ notificationTopic: topic, createNotificationTopic: true }, stack)).toThrow(/invalid createNotificationTopic true: a notificationTopic is given as well/);
  });

  test('fails with no alerts', () => {
    expect(() => newBudget({ alerts: [] })).toThrow(/invalid alerts 0: a budget has 1 to 10 notifications/);
  });

  test('fails with eleven alerts', () => {
    const alerts = Array.from({ length: 11 }, (_, index) => BudgetAlert.actualPercentage(10 + index));

    expect(() => newBudget({ alerts })).toThrow(/invalid alerts 11: a budget has 1 to 10 notifications/);
  });

  test.each([
    ['actual 0%', BudgetAlert.actualPercentage(0)],
    ['actual 1,000,001%', BudgetAlert.actualPercentage(1_000_001)],
    ['forecasted NaN', BudgetAlert.forecastedAmount(Number.NaN)],
    ['actual -1', BudgetAlert.actualAmount(-1)],
  ])('fails if threshold is %s', (_name, alert) => {
    expect(() => newBudget({ alerts: [alert] })).toThrow(/invalid alerts\[0\] .*a threshold must be a number from 0.1 to/);
  });

  test('fails if alert repeats', () => {
    expect(() => newBudget({ alerts: [BudgetAlert.actualPercentage(80), BudgetAlert.actualPercentage(80)] }))
      .toThrow(/invalid alerts\[1\] "ACTUAL PERCENTAGE 80": repeats an earlier alert/);
  });

  test.each([
    ['has a colon', 'team:bedrock'],
    ['has a backslash', 'team\\bedrock'],
    ['contains /action/', 'team/action/bedrock'],
    ['is empty', ''],
    ['has 101 characters', 'b'.repeat(101)],
  ])('fails if budget name %s', (_case, budgetName) => {
    expect(() => newBudget({ budgetName })).toThrow(/invalid budgetName .*must have 1 to 100 characters and contain no ":", "\\" or "\/action\/"/);
  });

  test('error names the construct path', () => {
    expect(() => newBudget({ monthlyLimit: 0 })).toThrow(/^BudgetStack\/Budget: /);
  });

  test('accepts token values', () => {
    const amount = Token.asNumber({ Ref: 'Limit' });
    const address = Token.asString({ Ref: 'Email' });

    expect(() => newBudget({ monthlyLimit: amount, emailAddresses: [address], budgetName: Token.asString({ Ref: 'Name' }) })).not.toThrow();
  });
});
