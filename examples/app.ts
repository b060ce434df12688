import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AnomalyAlertFrequency,
  AnomalyThreshold,
  BedrockModel,
  BudgetAlert,
  CostAllocationTags,
  CostTrackedBedrockAgent,
} from '../src';

// No account is set, so each stack deploys to the account of the CLI's credentials.
const env = { region: 'ap-southeast-2' };

const costAllocationTags: CostAllocationTags = {
  application: 'CloudEngineer',
  environment: 'Production',
  costCenter: 'Engineering',
};

const app = new App();

// Claude 3.5 Sonnet v2 (anthropic.claude-3-5-sonnet-20241022-v2:0) has reached end of life on
// Amazon Bedrock, so the agent runs Claude Sonnet 4.6 instead:
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
// ap-southeast-2 serves Claude Sonnet 4.6 only through cross-Region inference profiles. The
// Australia profile (`au.`) keeps requests within Australian Regions:
// https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
const productionStack = new Stack(app, 'CloudEngineerAgentStack', { env });
new CostTrackedBedrockAgent(productionStack, 'Agent', {
  model: BedrockModel.crossRegionProfile('au.anthropic.claude-sonnet-4-6'),
  costAllocationTags,
});

// The global profile may route requests to any commercial Region, outside Australia too, so this
// example uses it only for staging. Its costs appear under Environment=Staging.
const globalStack = new Stack(app, 'CloudEngineerGlobalAgentStack', { env });
new CostTrackedBedrockAgent(globalStack, 'Agent', {
  model: BedrockModel.crossRegionProfile('global.anthropic.claude-sonnet-4-6'),
  costAllocationTags: { ...costAllocationTags, environment: 'Staging' },
});

// The production agent with every cost governance part turned on. Budget, anomaly and alarm
// notifications share one topic. The email address is a placeholder: use your team's address.
const governedStack = new Stack(app, 'CloudEngineerGovernedAgentStack', { env });
// enforceSSL denies publishing over plain HTTP, as the topics that the constructs create do.
const costAlerts = new sns.Topic(governedStack, 'CostAlerts', {
  displayName: 'CloudEngineer cost alerts',
  enforceSSL: true,
});
new CostTrackedBedrockAgent(governedStack, 'Agent', {
  model: BedrockModel.crossRegionProfile('au.anthropic.claude-sonnet-4-6'),
  costAllocationTags,
  budget: {
    monthlyLimit: 500,
    alerts: [BudgetAlert.actualPercentage(80), BudgetAlert.actualPercentage(100), BudgetAlert.forecastedPercentage(100)],
    emailAddresses: ['finops@example.com'],
    notificationTopic: costAlerts,
  },
  anomalyAlert: {
    threshold: AnomalyThreshold.absoluteAndPercentageImpact(50, 20),
    emailAddresses: ['finops@example.com'],
    emailFrequency: AnomalyAlertFrequency.DAILY,
    notificationTopic: costAlerts,
  },
  alarms: {
    maxTokensPerHour: 2_000_000,
    alarmTopic: costAlerts,
  },
  // Works only in the management account or a standalone account. Elsewhere the stack output
  // reports ACCESS_DENIED and the deployment continues.
  costAllocationTagActivation: {},
  // Example prices per million tokens, not checked against the current list prices. Copy those for
  // the model, the region and the cross-Region profile from https://aws.amazon.com/bedrock/pricing/
  modelPricing: {
    inputPricePerMillionTokens: 3,
    outputPricePerMillionTokens: 15,
    cacheReadPricePerMillionTokens: 0.3,
    cacheWritePricePerMillionTokens: 3.75,
  },
});

app.synth();
