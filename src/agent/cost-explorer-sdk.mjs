// The two exports of @aws-sdk/client-cost-explorer that the agent uses. The bundle task puts this
// module in place of the package (esbuild `--alias`), so that the bundle keeps the client and the
// GetCostAndUsage command, and leaves out the other commands, which the package's index re-exports.
// The TypeScript sources, which the tests run, load the package itself.
// NOTE: the paths name files of the package's ES module build, which has no "exports" map. A release
// that moves them fails the bundle task with "Could not resolve", and these paths need updating.
export { CostExplorerClient } from '../../node_modules/@aws-sdk/client-cost-explorer/dist-es/CostExplorerClient.js';
export { GetCostAndUsageCommand } from '../../node_modules/@aws-sdk/client-cost-explorer/dist-es/commands/GetCostAndUsageCommand.js';
