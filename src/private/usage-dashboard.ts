import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ICostTrackedInferenceProfile } from '../cost-tracked-inference-profile';

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
} as const;

/** Inputs of the usage dashboard's widgets. */
export interface UsageDashboardSources {
  readonly profile: ICostTrackedInferenceProfile;
  readonly agentFunction: lambda.IFunction;
  readonly tags: Record<string, string>;
  readonly costExplorerUrl: string;
}

/** Returns the dashboard's widgets, one row per array. */
export function usageDashboardRows(sources: UsageDashboardSources): cloudwatch.IWidget[][] {
  return [
    [costAllocationText(sources.tags, sources.costExplorerUrl)],
    [invocationsGraph(sources.profile), tokensGraph(sources.profile), latencyGraph(sources.profile)],
    [profileErrorsGraph(sources.profile)],
    [functionInvocationsGraph(sources.agentFunction), functionErrorsGraph(sources.agentFunction), functionDurationGraph(sources.agentFunction)],
  ];
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
