import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ICostTrackedInferenceProfile } from './cost-tracked-inference-profile';
import { throwInvalidProp } from './private/validation';

/** Options of {@link UsageAlarms} that do not depend on the profile or the function. */
export interface UsageAlarmsOptions {
  /**
   * Input plus output tokens per clock hour through the profile at which the token-rate alarm goes
   * off. Size it from the hourly spend you expect: tokens per hour times the price per token.
   *
   * @default - no token-rate alarm
   */
  readonly maxTokensPerHour?: number;

  /**
   * Throttled requests in 5 minutes at which the throttles alarm goes off.
   *
   * @default 5
   */
  readonly throttlesThreshold?: number;

  /**
   * Requests that failed with a server-side error in 5 minutes at which the server errors alarm
   * goes off.
   *
   * @default 1
   */
  readonly serverErrorsThreshold?: number;

  /**
   * Failed invocations of the agent function in 5 minutes at which the function errors alarm goes
   * off.
   *
   * @default 1
   */
  readonly functionErrorsThreshold?: number;

  /**
   * An SNS topic that every alarm notifies when it goes into the ALARM state.
   *
   * @default - no alarm actions; add them through the alarm attributes
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Properties of {@link UsageAlarms}. */
export interface UsageAlarmsProps extends UsageAlarmsOptions {
  /** The profile whose metrics the alarms watch. */
  readonly inferenceProfile: ICostTrackedInferenceProfile;

  /**
   * The function that calls the model, for the function errors alarm.
   *
   * @default - no function errors alarm
   */
  readonly agentFunction?: lambda.IFunction;
}

const ERROR_PERIOD = Duration.minutes(5);
const TOKEN_RATE_PERIOD = Duration.hours(1);

/**
 * CloudWatch alarms on a cost-tracked inference profile and the function that calls it: throttles,
 * server errors, function errors and, with a threshold, the token rate. Every alarm treats missing
 * data as not breaching, so an idle application stays in OK.
 *
 * Each alarm's description states what to check when it goes off. Add actions through the alarm
 * attributes, or pass `alarmTopic` to notify one topic from all of them.
 */
export class UsageAlarms extends Construct {
  /** Alarm on requests that Bedrock throttled. */
  public readonly throttlesAlarm: cloudwatch.Alarm;

  /** Alarm on requests that failed with a Bedrock server-side error. */
  public readonly serverErrorsAlarm: cloudwatch.Alarm;

  /**
   * Alarm on failed invocations of the agent function.
   *
   * @default - undefined without `agentFunction`
   */
  public readonly functionErrorsAlarm?: cloudwatch.Alarm;

  /**
   * Alarm on input plus output tokens per hour.
   *
   * @default - undefined without `maxTokensPerHour`
   */
  public readonly tokenRateAlarm?: cloudwatch.Alarm;

  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: UsageAlarmsProps) {
    super(scope, id);

    this.validateProps(props);
    const profile = props.inferenceProfile;

    this.throttlesAlarm = errorCountAlarm(this, 'ThrottlesAlarm', {
      metric: profile.metricInvocationThrottles({ period: ERROR_PERIOD }),
      threshold: props.throttlesThreshold ?? 5,
      description: 'Bedrock throttled requests through the cost-tracked inference profile. Check the Bedrock quotas of the model '
        + '(requests and tokens per minute) in Service Quotas, the callers\' retry settings, and whether a caller sends more than usual.',
    });
    this.serverErrorsAlarm = errorCountAlarm(this, 'ServerErrorsAlarm', {
      metric: profile.metricInvocationServerErrors({ period: ERROR_PERIOD }),
      threshold: props.serverErrorsThreshold ?? 1,
      description: 'Bedrock requests through the cost-tracked inference profile failed with server-side errors. '
        + 'Check the AWS Health Dashboard for Bedrock in this region, and retry with backoff in the callers.',
    });
    if (props.agentFunction !== undefined) {
      this.functionErrorsAlarm = errorCountAlarm(this, 'FunctionErrorsAlarm', {
        metric: props.agentFunction.metricErrors({ period: ERROR_PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: props.functionErrorsThreshold ?? 1,
        description: 'The agent function failed: an unhandled error or a timeout. '
          + 'Check the function\'s log group for the request IDs, and its timeout against the model latency.',
      });
    }
    if (props.maxTokensPerHour !== undefined) {
      this.tokenRateAlarm = new cloudwatch.Alarm(this, 'TokenRateAlarm', {
        metric: tokensPerHour(profile),
        threshold: props.maxTokensPerHour,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Input plus output tokens through the cost-tracked inference profile reached ${props.maxTokensPerHour} in one hour. `
          + 'Check which caller sends more or longer requests than usual, and compare the spend with the budget.',
      });
    }

    this.alarms = [this.throttlesAlarm, this.serverErrorsAlarm, this.functionErrorsAlarm, this.tokenRateAlarm]
      .filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined);
    if (props.alarmTopic !== undefined) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
      }
    }
  }

  private validateProps(props: UsageAlarmsProps): void {
    if (props.inferenceProfile === undefined) {
      throwInvalidProp(this, 'inferenceProfile', props.inferenceProfile, 'the profile is required', 'pass the CostTrackedInferenceProfile whose usage the alarms watch');
    }
    const checkCount = (prop: string, value: number | undefined) => {
      if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
        throwInvalidProp(this, prop, value, 'must be a whole number of 1 or more', `set ${prop} to the count at which the alarm should go off`);
      }
    };
    checkCount('maxTokensPerHour', props.maxTokensPerHour);
    checkCount('throttlesThreshold', props.throttlesThreshold);
    checkCount('serverErrorsThreshold', props.serverErrorsThreshold);
    checkCount('functionErrorsThreshold', props.functionErrorsThreshold);
    if (props.functionErrorsThreshold !== undefined && props.agentFunction === undefined) {
      throwInvalidProp(this, 'functionErrorsThreshold', props.functionErrorsThreshold, 'applies only with agentFunction, and none is given',
        'pass agentFunction, or remove functionErrorsThreshold');
    }
  }
}

interface ErrorCountAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
}

/** Creates an alarm that goes off when a 5-minute sum reaches `threshold` once. */
function errorCountAlarm(scope: Construct, id: string, options: ErrorCountAlarmOptions): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
}

/** Input plus output tokens per hour. FILL treats an hour without one of the metrics as 0 tokens. */
function tokensPerHour(profile: ICostTrackedInferenceProfile): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'FILL(inputTokens, 0) + FILL(outputTokens, 0)',
    usingMetrics: {
      inputTokens: profile.metricInputTokenCount({ period: TOKEN_RATE_PERIOD }),
      outputTokens: profile.metricOutputTokenCount({ period: TOKEN_RATE_PERIOD }),
    },
    period: TOKEN_RATE_PERIOD,
    label: 'Input and output tokens per hour',
  });
}
