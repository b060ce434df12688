import { App, Stack } from 'aws-cdk-lib';
import { BedrockModel, CostAllocationTags, CostTrackedBedrockAgent } from '../src';

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

app.synth();
