'use strict';
/**
 * Import cost: `require` of this library against aws-cdk-lib plus the service modules the library
 * uses (the floor, because aws-cdk-lib loads its service modules lazily), and of the alternatives
 * against the floor of the aws-cdk-lib version they load. Each sample is a fresh `node` process.
 */
const path = require('node:path');
const { RUNS, runProbe, interleave, medians, printHeader, printTable, ratio, packageVersion, ROOT_MODULES, BENCH_MODULES } = require('./common');

const PROBE = path.join(__dirname, 'probes', 'import-probe.js');
const REDIRECT = path.join(__dirname, 'probes', 'redirect-cdk.js');

function variant(name, target, nodeOptions) {
  return { name, measure: () => runProbe(PROBE, [target], { env: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {} }) };
}

function main() {
  const runs = RUNS || 10;
  printHeader(`Import cost (median of ${runs} fresh processes per row, rows interleaved)`);
  const rootCdk = packageVersion(ROOT_MODULES, 'aws-cdk-lib');
  const benchCdk = packageVersion(BENCH_MODULES, 'aws-cdk-lib');
  const variants = [
    variant(`floor: aws-cdk-lib ${rootCdk} + service modules`, 'floor-root'),
    variant(`cdk-bedrock-cost-tracking (aws-cdk-lib ${rootCdk})`, 'library-root'),
    variant(`floor: aws-cdk-lib ${benchCdk} + service modules`, 'floor-bench'),
    variant(`cdk-bedrock-cost-tracking (aws-cdk-lib ${benchCdk})`, 'library-bench', `-r ${REDIRECT}`),
    variant('@aws-cdk/aws-bedrock-alpha', 'aws-bedrock-alpha'),
    variant('@cdklabs/generative-ai-cdk-constructs', 'generative-ai-cdk-constructs'),
    variant('@aws-solutions-constructs/aws-lambda-bedrockinferenceprofile', 'solutions-constructs'),
  ];
  const samples = interleave(variants, runs);
  const results = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, medians(values)]));

  const names = Object.keys(results);
  const rootFloor = results[names[0]];
  const benchFloor = results[names[2]];
  const rows = names.map((name, index) => {
    const result = results[name];
    const floor = index < 2 ? rootFloor : benchFloor;
    return [name, result.requireMs.toFixed(0), ratio(result.requireMs, floor.requireMs), result.peakRssMiB.toFixed(0), ratio(result.peakRssMiB, floor.peakRssMiB), result.modules.toFixed(0)];
  });
  printTable(['require of', 'wall ms', 'vs floor', 'peak RSS MiB', 'vs floor', 'modules loaded'], rows);
  console.log(`Floors load aws-cdk-lib and the service modules that lib/ requires. The first two rows use aws-cdk-lib ${rootCdk}, the others ${benchCdk}.`);
  return results;
}

if (require.main === module) {
  main();
}
module.exports = { main };
