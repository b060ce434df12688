// The straightforward handler that the agent's bundle is compared with: the same two AWS SDK clients,
// imported and created at start-up, bundled by esbuild with no other settings than --minify.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';

const bedrock = new BedrockRuntimeClient({ region: process.env.AWS_REGION });
const costExplorer = new CostExplorerClient({ region: 'us-east-1' });

export const handler = async (event) => {
  if (event.costQuery) {
    return costExplorer.send(new GetCostAndUsageCommand(event.costQuery));
  }
  const response = await bedrock.send(new ConverseCommand({
    modelId: process.env.BEDROCK_MODEL_ID,
    messages: [{ role: 'user', content: [{ text: event.prompt }] }],
  }));
  return { answer: response.output?.message?.content?.[0]?.text, stopReason: response.stopReason };
};
