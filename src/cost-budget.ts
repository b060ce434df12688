import { Stack, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { APPLICATION_TAG_KEY } from './cost-allocation-tags';
import { allowServiceToPublish, dependOnTopicPolicy, resolveNotificationTopic, validateEmailAddresses } from './private/notification-topic';
import { isConcrete, throwInvalidProp } from './private/validation';

/**
 * A threshold at which a {@link CostBudget} sends a notification: actual or forecasted spend
 * above a percentage of the limit or above an amount.
 *
 * AWS Budgets compares with "greater than"; it has no "greater than or equal" operator.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-budgets-budget-notification.html
 */
export class BudgetAlert {
  /**
   * Notifies when the actual spend of the month exceeds `percent` of the monthly limit.
   *
   * @param percent percentage of the limit, from 0.1 to 1,000,000.
   */
  public static actualPercentage(percent: number): BudgetAlert {
    return new BudgetAlert('ACTUAL', 'PERCENTAGE', percent);
  }

  /**
   * Notifies when AWS forecasts that the spend of the month will exceed `percent` of the limit.
   *
   * @param percent percentage of the limit, from 0.1 to 1,000,000.
   */
  public static forecastedPercentage(percent: number): BudgetAlert {
    return new BudgetAlert('FORECASTED', 'PERCENTAGE', percent);
  }

  /**
   * Notifies when the actual spend of the month exceeds `amount`, in the budget's currency.
   *
   * @param amount amount in the budget's currency, from 0.1.
   */
  public static actualAmount(amount: number): BudgetAlert {
    return new BudgetAlert('ACTUAL', 'ABSOLUTE_VALUE', amount);
  }

  /**
   * Notifies when AWS forecasts that the spend of the month will exceed `amount`, in the budget's
   * currency.
   *
   * @param amount amount in the budget's currency, from 0.1.
   */
  public static forecastedAmount(amount: number): BudgetAlert {
    return new BudgetAlert('FORECASTED', 'ABSOLUTE_VALUE', amount);
  }

  /** `ACTUAL` or `FORECASTED`, the Budgets `NotificationType`. */
  public readonly notificationType: string;

  /** `PERCENTAGE` or `ABSOLUTE_VALUE`, the Budgets `ThresholdType`. */
  public readonly thresholdType: string;

  /** The percentage or amount. */
  public readonly threshold: number;

  private constructor(notificationType: string, thresholdType: string, threshold: number) {
    this.notificationType = notificationType;
    this.thresholdType = thresholdType;
    this.threshold = threshold;
  }
}

/** Options of a {@link CostBudget} that do not depend on the inference profile. */
export interface CostBudgetOptions {
  /**
   * The monthly cost limit, in `currency`. Must be greater than 0.
   */
  readonly monthlyLimit: number;

  /**
   * Currency of `monthlyLimit` and of amount alerts, as an ISO 4217 code. It must be the currency
   * of the account's bill.
   *
   * @default 'USD'
   */
  readonly currency?: string;

  /**
   * The tag key whose value selects this application's cost. It must be one of the cost allocation
   * tag keys, and it must be activated as a cost allocation tag.
   *
   * The budget filters on this one tag. AWS Budgets combines several values of one filter with OR,
   * so filtering on every tag would also count, for example, every cost of the account that carries
   * `Environment=Production`. Choose a key whose value no other application uses.
   *
   * @default 'Application'
   */
  readonly filterTagKey?: string;

  /**
   * When to notify. A budget has at most 10 notifications.
   *
   * @default - actual spend above 80% and above 100% of the limit, and forecasted spend above 100%
   */
  readonly alerts?: BudgetAlert[];

  /**
   * Email addresses that receive every alert, at most 10.
   *
   * @default - no email subscribers
   */
  readonly emailAddresses?: string[];

  /**
   * An SNS topic that receives every alert. The construct adds a statement to the topic's policy that
   * lets `budgets.amazonaws.com` publish on behalf of this account's budgets. An imported topic
   * needs that statement added by its owner, and an encrypted topic also needs a key policy that
   * lets Budgets use the key.
   *
   * @default - no topic, unless `createNotificationTopic` is true
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Whether to create an SNS topic for the alerts, with a policy that lets Budgets publish to it.
   * Subscribe to it through the `notificationTopic` attribute.
   *
   * @default false
   */
  readonly createNotificationTopic?: boolean;

  /**
   * Name of the budget, unique in the account: 1 to 100 characters, without `:`, `\` or the text
   * `/action/`.
   *
   * @default - a name that AWS Budgets generates
   */
  readonly budgetName?: string;
}

/** Properties of a {@link CostBudget}. */
export interface CostBudgetProps extends CostBudgetOptions {
  /**
   * Cost allocation tags of the application, tag key to tag value, for example
   * `CostTrackedInferenceProfile.costAllocationTags`.
   */
  readonly costAllocationTags: { [key: string]: string };
}

/**
 * Limits of AWS::Budgets::Budget: up to 10 notifications (the Budgets API reference and the
 * CloudFormation property maximum), each with one SNS and up to 10 email subscribers.
 *
 * NOTE: the prose of the CloudFormation page still states five notifications, while its property
 * maximum and the API reference state ten.
 */
const MAX_ALERTS = 10;
const MAX_EMAIL_SUBSCRIBERS = 10;
/** Threshold range of the Notification type in the CloudFormation resource schema. */
const MIN_THRESHOLD = 0.1;
const MAX_THRESHOLD = 1_000_000_000;
/** The Budgets API reference caps percentage thresholds at 1,000,000%. */
const MAX_PERCENTAGE_THRESHOLD = 1_000_000;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** BudgetName constraints of the Budgets API, as the AWS CLI reference of `aws budgets update-budget` lists them. */
const MAX_BUDGET_NAME_LENGTH = 100;
const BUDGET_NAME_FORBIDDEN = /[:\\]|\/action\//;

/**
 * A monthly AWS Budgets cost budget for the cost of one application, selected by one of its cost
 * allocation tags, with notifications by email or SNS before and when the limit is reached.
 *
 * The budget counts every cost that carries the tag, not only Bedrock, and only once the tag key is
 * activated as a cost allocation tag.
 *
 * @resource AWS::Budgets::Budget
 */
export class CostBudget extends Construct {
  /**
   * Name of the budget.
   *
   * @attribute
   */
  public readonly budgetName: string;

  /** The topic that receives the alerts, when one was given or created. */
  public readonly notificationTopic?: sns.ITopic;

  /** The `user:Key$Value` filter that selects the application's cost. */
  public readonly tagFilter: string;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);

    this.validateProps(props);
    const filterTagKey = props.filterTagKey ?? APPLICATION_TAG_KEY;
    const alerts = props.alerts ?? [
      BudgetAlert.actualPercentage(80),
      BudgetAlert.actualPercentage(100),
      BudgetAlert.forecastedPercentage(100),
    ];
    this.tagFilter = `user:${filterTagKey}$${props.costAllocationTags[filterTagKey]}`;

    this.notificationTopic = resolveNotificationTopic(this, {
      notificationTopic: props.notificationTopic,
      createNotificationTopic: props.createNotificationTopic,
      displayName: 'AWS Budgets alerts',
    });
    if (this.notificationTopic !== undefined) {
      allowServiceToPublish(this, this.notificationTopic, {
        service: 'budgets.amazonaws.com',
        sidPrefix: 'AllowBudgetsPublish',
        conditions: budgetsSourceConditions(this),
      });
    }

    const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
      ...(props.emailAddresses ?? []).map((address) => ({ subscriptionType: 'EMAIL', address })),
      ...(this.notificationTopic ? [{ subscriptionType: 'SNS', address: this.notificationTopic.topicArn }] : []),
    ];
    const resource = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimit, unit: props.currency ?? 'USD' },
        costFilters: { TagKeyValue: [this.tagFilter] },
      },
      notificationsWithSubscribers: alerts.map((alert) => ({
        notification: {
          notificationType: alert.notificationType,
          comparisonOperator: 'GREATER_THAN',
          threshold: alert.threshold,
          thresholdType: alert.thresholdType,
        },
        subscribers,
      })),
    });
    if (this.notificationTopic !== undefined) {
      dependOnTopicPolicy(resource, this.notificationTopic);
    }

    this.budgetName = resource.ref;
  }

  private validateProps(props: CostBudgetProps): void {
    if (props.costAllocationTags === undefined) {
      throwInvalidProp(this, 'costAllocationTags', props.costAllocationTags, 'cost allocation tags are required', 'pass the profile\'s costAllocationTags');
    }
    this.validateFilterTagKey(props);
    this.validateLimit(props);
    this.validateAlerts(props.alerts);

    validateEmailAddresses(this, 'emailAddresses', props.emailAddresses, MAX_EMAIL_SUBSCRIBERS);
    if ((props.emailAddresses ?? []).length === 0 && props.notificationTopic === undefined && !props.createNotificationTopic) {
      throwInvalidProp(this, 'emailAddresses', props.emailAddresses ?? [], 'a budget notification needs at least one subscriber',
        'add an email address, pass notificationTopic, or set createNotificationTopic to true');
    }

    const name = props.budgetName;
    if (isConcrete(name) && (name.length === 0 || name.length > MAX_BUDGET_NAME_LENGTH || BUDGET_NAME_FORBIDDEN.test(name))) {
      throwInvalidProp(this, 'budgetName', name, `must have 1 to ${MAX_BUDGET_NAME_LENGTH} characters and contain no ":", "\\" or "/action/"`,
        'rename the budget, or leave budgetName out for a generated name');
    }
  }

  private validateFilterTagKey(props: CostBudgetProps): void {
    const key = props.filterTagKey ?? APPLICATION_TAG_KEY;
    const keys = Object.keys(props.costAllocationTags);
    if (!Token.isUnresolved(key) && !keys.some((tagKey) => Token.isUnresolved(tagKey)) && !keys.includes(key)) {
      throwInvalidProp(this, 'filterTagKey', key, `must be one of the cost allocation tag keys (${keys.join(', ')})`,
        'choose the key whose value names this application, usually "Application"');
    }
  }

  private validateLimit(props: CostBudgetProps): void {
    const limit = props.monthlyLimit;
    if (!Token.isUnresolved(limit) && (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0)) {
      throwInvalidProp(this, 'monthlyLimit', limit, 'must be a finite amount greater than 0', 'set the monthly limit in the budget currency, for example 500');
    }
    const currency = props.currency;
    if (isConcrete(currency) && !CURRENCY_PATTERN.test(currency)) {
      throwInvalidProp(this, 'currency', currency, 'must be a three-letter ISO 4217 code in capitals', 'use the currency of the bill, for example "USD"');
    }
  }

  private validateAlerts(alerts: BudgetAlert[] | undefined): void {
    if (alerts === undefined) {
      return;
    }
    if (alerts.length === 0 || alerts.length > MAX_ALERTS) {
      throwInvalidProp(this, 'alerts', alerts.length, `a budget has 1 to ${MAX_ALERTS} notifications`,
        'list at least one alert and at most ten, or leave alerts out for the defaults');
    }

    const seen = new Set<string>();
    alerts.forEach((alert, index) => {
      const prop = `alerts[${index}]`;
      const max = alert.thresholdType === 'PERCENTAGE' ? MAX_PERCENTAGE_THRESHOLD : MAX_THRESHOLD;
      if (!Token.isUnresolved(alert.threshold) &&
        (!Number.isFinite(alert.threshold) || alert.threshold < MIN_THRESHOLD || alert.threshold > max)) {
        throwInvalidProp(this, prop, alert.threshold, `a threshold must be a number from ${MIN_THRESHOLD} to ${max}`, 'correct the threshold');
      }
      const identity = `${alert.notificationType} ${alert.thresholdType} ${alert.threshold}`;
      if (seen.has(identity)) {
        throwInvalidProp(this, prop, identity, 'repeats an earlier alert', 'list each alert once');
      }
      seen.add(identity);
    });
  }
}

/**
 * Conditions that let Budgets publish only for this account's budgets, as the AWS Budgets guide
 * recommends: https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
 */
function budgetsSourceConditions(scope: Construct): Record<string, Record<string, unknown>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
  };
}
