import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ICostTrackedInferenceProfile } from '../cost-tracked-inference-profile';
import { EstimatedCost, ModelPricing } from '../estimated-cost';

/** Widget widths on CloudWatch's 24-column grid. */
const WidgetWidth = {
  FULL: 24,
  HALF: 12,
  THIRD: 8,
} as const;

/** Widget heights in grid rows. */
const WidgetHeight = {
  TEXT: 4,
  GRAPH: 6,
  ALARMS: 2,
} as const;

/** Inputs of the usage dashboard's widgets. */
export interface UsageDashboardSources {
  readonly profile: ICostTrackedInferenceProfile;
  readonly agentFunction: lambda.IFunction;
  readonly tags: Record<string, string>;
  readonly costExplorerUrl: string;
  /** List prices that turn the token metrics into an estimated cost row. */
  readonly pricing?: ModelPricing;
  /** Alarms shown in a status row. */
  readonly alarms?: cloudwatch.IAlarm[];
}

/** Returns the dashboard's widgets, one row per array. */
export function usageDashboardRows(sources: UsageDashboardSources): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [[costAllocationText(sources.tags, sources.costExplorerUrl)]];
  if (sources.alarms !== undefined && sources.alarms.length > 0) {
    rows.push([alarmStatus(sources.alarms)]);
  }
  if (sources.pricing !== undefined) {
    rows.push([
      estimatedCostGraph(sources.profile, sources.pricing),
      estimatedCostTotal(sources.profile, sources.pricing),
      estimateCaveatText(),
    ]);
  }
  rows.push(
    [invocationsGraph(sources.profile), tokensGraph(sources.profile), latencyGraph(sources.profile)],
    [profileErrorsGraph(sources.profile)],
    [functionInvocationsGraph(sources.agentFunction), functionErrorsGraph(sources.agentFunction), functionDurationGraph(sources.agentFunction)],
  );
  return rows;
}

function costAllocationText(tags: Record<string, string>, costExplorerUrl: string): cloudwatch.TextWidget {
  const tagList = Object.keys(tags).map((key) => `\`${key}\` = \`${tags[key]}\``).join(', ');
  return new cloudwatch.TextWidget({
    width: WidgetWidth.FULL,
    height: WidgetHeight.TEXT,
    markdown: [
      '## Cost of this Bedrock application',
      `Every token spent through the application inference profile is billed under the cost allocation tags ${tagList}.`,
      'Costs appear in Cost Explorer once the tag keys are activated in the Billing console of the management account, with a delay of up to 24 hours.',
      `[Open Cost Explorer filtered by these tags, grouped by service](${costExplorerUrl})`,
    ].join('\n\n'),
  });
}

function alarmStatus(alarms: cloudwatch.IAlarm[]): cloudwatch.AlarmStatusWidget {
  return new cloudwatch.AlarmStatusWidget({
    title: 'Usage alarms',
    width: WidgetWidth.FULL,
    height: WidgetHeight.ALARMS,
    alarms,
  });
}

function estimatedCostGraph(profile: ICostTrackedInferenceProfile, pricing: ModelPricing): cloudwatch.GraphWidget {
  const currency = pricing.currency ?? 'USD';
  return new cloudwatch.GraphWidget({
    title: `Estimated cost per hour at list prices (${currency})`,
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [EstimatedCost.metric(profile, pricing, { period: Duration.hours(1), label: `List-price estimate (${currency})` })],
  });
}

function estimatedCostTotal(profile: ICostTrackedInferenceProfile, pricing: ModelPricing): cloudwatch.SingleValueWidget {
  const currency = pricing.currency ?? 'USD';
  return new cloudwatch.SingleValueWidget({
    title: `Estimated cost over the time range at list prices (${currency})`,
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    metrics: [EstimatedCost.metric(profile, pricing, { label: `List-price estimate (${currency})` })],
    setPeriodToTimeRange: true,
  });
}

function estimateCaveatText(): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    markdown: [
      '### The estimate is not the bill',
      'It multiplies the token metrics by the list prices configured in this stack.',
      'The bill differs by discounts, credits, AWS Marketplace billing of third-party models and price changes, and it arrives hours after the metrics.',
    ].join('\n\n'),
  });
}

function invocationsGraph(profile: ICostTrackedInferenceProfile): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Profile invocations',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [profile.metricInvocations()],
  });
}

function tokensGraph(profile: ICostTrackedInferenceProfile): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Tokens',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [
      profile.metricInputTokenCount({ label: 'Input tokens' }),
      profile.metricOutputTokenCount({ label: 'Output tokens' }),
    ],
  });
}

function latencyGraph(profile: ICostTrackedInferenceProfile): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Invocation latency (ms)',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(90), cloudwatch.Stats.p(99)].map((statistic) =>
      profile.metricInvocationLatency({ statistic, label: statistic })),
  });
}

function profileErrorsGraph(profile: ICostTrackedInferenceProfile): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Profile throttles and errors',
    width: WidgetWidth.FULL,
    height: WidgetHeight.GRAPH,
    left: [
      profile.metricInvocationThrottles({ label: 'Throttles' }),
      profile.metricInvocationClientErrors({ label: 'Client errors' }),
      profile.metricInvocationServerErrors({ label: 'Server errors' }),
    ],
  });
}

function functionInvocationsGraph(agentFunction: lambda.IFunction): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Agent function invocations',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [agentFunction.metricInvocations()],
  });
}

function functionErrorsGraph(agentFunction: lambda.IFunction): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Agent function errors',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [agentFunction.metricErrors()],
  });
}

function functionDurationGraph(agentFunction: lambda.IFunction): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Agent function duration (ms)',
    width: WidgetWidth.THIRD,
    height: WidgetHeight.GRAPH,
    left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(99)].map((statistic) =>
      agentFunction.metricDuration({ statistic, label: statistic })),
  });
}
