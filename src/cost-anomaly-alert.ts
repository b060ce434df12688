import { Names, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { APPLICATION_TAG_KEY } from './cost-allocation-tags';
import { allowServiceToPublish, dependOnTopicPolicy, resolveNotificationTopic, validateEmailAddresses } from './private/notification-topic';
import { isConcrete, throwInvalidProp } from './private/validation';

/**
 * How often Cost Anomaly Detection sends alerts. Email subscribers receive DAILY or WEEKLY
 * summaries, and an SNS topic receives each anomaly IMMEDIATEly.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ce-anomalysubscription.html
 */
export class AnomalyAlertFrequency {
  /** One summary a day, for email subscribers. */
  public static readonly DAILY = new AnomalyAlertFrequency('DAILY');

  /** One summary a week, for email subscribers. */
  public static readonly WEEKLY = new AnomalyAlertFrequency('WEEKLY');

  /** One alert per anomaly as it is detected. Cost Explorer sends these only to SNS topics. */
  public static readonly IMMEDIATE = new AnomalyAlertFrequency('IMMEDIATE');

  /** The `Frequency` value of AWS::CE::AnomalySubscription. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}

/**
 * The total impact that an anomaly must reach before Cost Anomaly Detection alerts: an amount in
 * USD, a percentage above the expected spend, or a combination of both.
 *
 * The total impact is the difference between the actual and the expected spend over the
 * anomaly's duration.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ce-anomalysubscription.html
 */
export class AnomalyThreshold {
  /**
   * Alerts when the total impact is at least `amount` USD.
   *
   * @param amount impact in USD, from 0 to 10,000,000,000.
   */
  public static absoluteImpact(amount: number): AnomalyThreshold {
    return new AnomalyThreshold(amount, undefined, undefined);
  }

  /**
   * Alerts when the total impact is at least `percent` percent of the expected spend.
   *
   * @param percent impact as a percentage of the expected spend, from 0 to 10,000,000,000.
   */
  public static percentageImpact(percent: number): AnomalyThreshold {
    return new AnomalyThreshold(undefined, percent, undefined);
  }

  /**
   * Alerts when the total impact is at least `amount` USD and at least `percent` percent of the
   * expected spend. This filters out small anomalies of cheap services and small relative changes
   * of large ones.
   */
  public static absoluteAndPercentageImpact(amount: number, percent: number): AnomalyThreshold {
    return new AnomalyThreshold(amount, percent, 'And');
  }

  /** Alerts when the total impact is at least `amount` USD or at least `percent` percent of the expected spend. */
  public static absoluteOrPercentageImpact(amount: number, percent: number): AnomalyThreshold {
    return new AnomalyThreshold(amount, percent, 'Or');
  }

  /**
   * Minimum total impact in USD.
   *
   * @default - no absolute condition
   */
  public readonly absoluteAmount?: number;

  /**
   * Minimum total impact as a percentage of the expected spend.
   *
   * @default - no percentage condition
   */
  public readonly percentage?: number;

  /**
   * `And` or `Or` when both conditions are set.
   *
   * @default - one condition only
   */
  public readonly combination?: string;

  private constructor(absoluteAmount: number | undefined, percentage: number | undefined, combination: string | undefined) {
    this.absoluteAmount = absoluteAmount;
    this.percentage = percentage;
    this.combination = combination;
  }
}

/** Options of a {@link CostAnomalyAlert} that do not depend on the inference profile. */
export interface CostAnomalyAlertOptions {
  /**
   * The total impact an anomaly must reach to be alerted.
   *
   * @default AnomalyThreshold.absoluteImpact(100)
   */
  readonly threshold?: AnomalyThreshold;

  /**
   * Email addresses that receive summaries of the anomalies.
   *
   * @default - no email subscribers
   */
  readonly emailAddresses?: string[];

  /**
   * How often the email subscribers receive a summary: DAILY or WEEKLY. Cost Explorer sends
   * IMMEDIATE alerts only to SNS topics, so use `notificationTopic` for those.
   *
   * @default AnomalyAlertFrequency.DAILY
   */
  readonly emailFrequency?: AnomalyAlertFrequency;

  /**
   * An SNS topic that receives each anomaly immediately. The construct adds a statement to the
   * topic's policy that lets `costalerts.amazonaws.com` publish on behalf of this account. An
   * imported topic needs that statement added by its owner.
   *
   * @default - no topic, unless `createNotificationTopic` is true
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Whether to create an SNS topic for immediate alerts, with a policy that lets Cost Anomaly
   * Detection publish to it. Subscribe to it through the `notificationTopic` attribute.
   *
   * @default false
   */
  readonly createNotificationTopic?: boolean;

  /**
   * The tag key whose value selects this application's cost. It must be one of the cost allocation
   * tag keys, and it must be activated as a cost allocation tag.
   *
   * @default 'Application'
   */
  readonly filterTagKey?: string;

  /**
   * Name of the anomaly monitor, up to 1,024 characters. The subscriptions take the same name with
   * the suffix ` email` or ` sns`.
   *
   * @default - a name derived from the construct path
   */
  readonly monitorName?: string;
}

/** Properties of a {@link CostAnomalyAlert}. */
export interface CostAnomalyAlertProps extends CostAnomalyAlertOptions {
  /**
   * Cost allocation tags of the application, tag key to tag value, for example
   * `CostTrackedInferenceProfile.costAllocationTags`.
   */
  readonly costAllocationTags: { [key: string]: string };
}

/** Range of ThresholdExpression values in the AWS::CE::AnomalySubscription reference. */
const MAX_THRESHOLD_VALUE = 10_000_000_000;
const MAX_NAME_LENGTH = 1024;
const NAME_SUFFIX_LENGTH = ' email'.length;

/**
 * AWS Cost Anomaly Detection for the cost of one application.
 *
 * A customer managed (CUSTOM) anomaly monitor watches the cost that carries one cost allocation
 * tag. Alert subscriptions send its anomalies to email as daily or weekly summaries and to an SNS
 * topic immediately.
 *
 * The monitor finds costs only after the tag key is activated as a cost allocation tag.
 *
 * @resource AWS::CE::AnomalyMonitor
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ce-anomalymonitor.html
 */
export class CostAnomalyAlert extends Construct {
  /**
   * ARN of the anomaly monitor.
   *
   * @attribute
   */
  public readonly monitorArn: string;

  /**
   * ARN of the subscription that emails summaries.
   *
   * @default - undefined when no email address is given
   */
  public readonly emailSubscriptionArn?: string;

  /**
   * ARN of the subscription that publishes to the SNS topic.
   *
   * @default - undefined when no topic is given or created
   */
  public readonly topicSubscriptionArn?: string;

  /** The topic that receives immediate alerts, when one was given or created. */
  public readonly notificationTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: CostAnomalyAlertProps) {
    super(scope, id);

    this.validateProps(props);
    const filterTagKey = props.filterTagKey ?? APPLICATION_TAG_KEY;
    const monitorName = props.monitorName ?? Names.uniqueResourceName(this, { maxLength: MAX_NAME_LENGTH - NAME_SUFFIX_LENGTH, separator: '-' });
    const thresholdExpression = Stack.of(this).toJsonString(thresholdExpressionOf(props.threshold ?? AnomalyThreshold.absoluteImpact(100)));

    this.notificationTopic = resolveNotificationTopic(this, {
      notificationTopic: props.notificationTopic,
      createNotificationTopic: props.createNotificationTopic,
      displayName: 'AWS Cost Anomaly Detection alerts',
    });
    if (this.notificationTopic !== undefined) {
      // NOTE: the Cost Anomaly Detection guide documents only the aws:SourceAccount condition for
      // this principal, so the statement does not narrow aws:SourceArn to the subscription.
      allowServiceToPublish(this, this.notificationTopic, {
        service: 'costalerts.amazonaws.com',
        sidPrefix: 'AllowCostAlertsPublish',
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      });
    }

    const monitor = new ce.CfnAnomalyMonitor(this, 'Resource', {
      monitorName,
      monitorType: 'CUSTOM',
      monitorSpecification: Stack.of(this).toJsonString({
        Tags: { Key: filterTagKey, Values: [props.costAllocationTags[filterTagKey]] },
      }),
    });
    this.monitorArn = monitor.attrMonitorArn;

    if ((props.emailAddresses ?? []).length > 0) {
      const emailSubscription = new ce.CfnAnomalySubscription(this, 'EmailSubscription', {
        subscriptionName: `${monitorName} email`,
        monitorArnList: [this.monitorArn],
        frequency: (props.emailFrequency ?? AnomalyAlertFrequency.DAILY).value,
        subscribers: props.emailAddresses!.map((address) => ({ type: 'EMAIL', address })),
        thresholdExpression,
      });
      this.emailSubscriptionArn = emailSubscription.attrSubscriptionArn;
    }

    if (this.notificationTopic !== undefined) {
      const topicSubscription = new ce.CfnAnomalySubscription(this, 'TopicSubscription', {
        subscriptionName: `${monitorName} sns`,
        monitorArnList: [this.monitorArn],
        frequency: AnomalyAlertFrequency.IMMEDIATE.value,
        subscribers: [{ type: 'SNS', address: this.notificationTopic.topicArn }],
        thresholdExpression,
      });
      dependOnTopicPolicy(topicSubscription, this.notificationTopic);
      this.topicSubscriptionArn = topicSubscription.attrSubscriptionArn;
    }
  }

  private validateProps(props: CostAnomalyAlertProps): void {
    if (props.costAllocationTags === undefined) {
      throwInvalidProp(this, 'costAllocationTags', props.costAllocationTags, 'cost allocation tags are required', 'pass the profile\'s costAllocationTags');
    }
    const key = props.filterTagKey ?? APPLICATION_TAG_KEY;
    const keys = Object.keys(props.costAllocationTags);
    if (!Token.isUnresolved(key) && !keys.some((tagKey) => Token.isUnresolved(tagKey)) && !keys.includes(key)) {
      throwInvalidProp(this, 'filterTagKey', key, `must be one of the cost allocation tag keys (${keys.join(', ')})`,
        'choose the key whose value names this application, usually "Application"');
    }

    this.validateSubscribers(props);
    if (props.threshold !== undefined) {
      this.validateThreshold(props.threshold);
    }

    const name = props.monitorName;
    if (isConcrete(name) && (name.length === 0 || name.length > MAX_NAME_LENGTH - NAME_SUFFIX_LENGTH)) {
      throwInvalidProp(this, 'monitorName', name, `must have 1 to ${MAX_NAME_LENGTH - NAME_SUFFIX_LENGTH} characters, leaving room for the subscription suffix`,
        'shorten the name, or leave monitorName out for a generated one');
    }
  }

  /** Applies Cost Explorer's rule: email subscribers need DAILY or WEEKLY, and SNS needs IMMEDIATE. */
  private validateSubscribers(props: CostAnomalyAlertProps): void {
    validateEmailAddresses(this, 'emailAddresses', props.emailAddresses);
    const hasEmail = (props.emailAddresses ?? []).length > 0;
    const hasTopic = props.notificationTopic !== undefined || props.createNotificationTopic === true;

    if (!hasEmail && !hasTopic) {
      throwInvalidProp(this, 'emailAddresses', props.emailAddresses ?? [], 'an anomaly alert needs at least one subscriber',
        'add an email address, pass notificationTopic, or set createNotificationTopic to true');
    }
    if (props.emailFrequency !== undefined && !hasEmail) {
      throwInvalidProp(this, 'emailFrequency', props.emailFrequency.value, 'applies only to email subscribers, and none is given',
        'add emailAddresses, or remove emailFrequency (a topic always receives IMMEDIATE alerts)');
    }
    if (props.emailFrequency?.value === AnomalyAlertFrequency.IMMEDIATE.value) {
      throwInvalidProp(this, 'emailFrequency', props.emailFrequency.value, 'Cost Explorer sends IMMEDIATE alerts only to SNS topics, and email subscribers need DAILY or WEEKLY',
        'use AnomalyAlertFrequency.DAILY or WEEKLY for email, and notificationTopic for immediate alerts');
    }
  }

  private validateThreshold(threshold: AnomalyThreshold): void {
    const check = (prop: string, value: number | undefined) => {
      if (value !== undefined && !Token.isUnresolved(value) && (!Number.isFinite(value) || value < 0 || value > MAX_THRESHOLD_VALUE)) {
        throwInvalidProp(this, prop, value, `must be a number from 0 to ${MAX_THRESHOLD_VALUE}`, 'correct the threshold');
      }
    };
    check('threshold.absoluteAmount', threshold.absoluteAmount);
    check('threshold.percentage', threshold.percentage);
  }
}

/**
 * Renders a threshold as a Cost Explorer `Expression` on the anomaly's total impact. Values are
 * strings, and the match option must be GREATER_THAN_OR_EQUAL.
 */
function thresholdExpressionOf(threshold: AnomalyThreshold): Record<string, unknown> {
  const dimension = (key: string, value: number) => ({
    Dimensions: { Key: key, MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [Tokenization.stringifyNumber(value)] },
  });
  const conditions = [
    ...(threshold.absoluteAmount !== undefined ? [dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', threshold.absoluteAmount)] : []),
    ...(threshold.percentage !== undefined ? [dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', threshold.percentage)] : []),
  ];
  if (conditions.length === 1) {
    return conditions[0];
  }
  return { [threshold.combination ?? 'And']: conditions };
}
