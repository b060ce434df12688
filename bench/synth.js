'use strict';
/**
 * Synth cost and scaling. Each sample builds and synthesises one app in a fresh `node` process
 * (probes/synth-probe.js), with aws-cdk-lib's template validation on (the default) and off
 * (CDK_VALIDATION=false). Rows of one table run interleaved.
 */
const fs = require('node:fs');
const path = require('node:path');
const { RUNS, ROOT_MODULES, BENCH_MODULES, runProbe, interleave, medians, printHeader, printTable, ratio, packageVersion } = require('./common');

const PROBE = path.join(__dirname, 'probes', 'synth-probe.js');

/** Checks whether the aws-cdk-lib in `modulesDir` reads CDK_VALIDATION, by searching its synthesis code. */
function honoursValidationSwitch(modulesDir) {
  const file = path.join(modulesDir, 'aws-cdk-lib', 'core', 'lib', 'private', 'synthesis-validation.js');
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('CDK_VALIDATION');
}

function synthVariant(app, count, validation) {
  return {
    name: `${app} ×${count}, validation ${validation ? 'on' : 'off'}`,
    app,
    validation,
    measure: () => runProbe(PROBE, [app, String(count)], { env: validation ? {} : { CDK_VALIDATION: 'false' } }),
  };
}

function synthRows(results, compareName) {
  return Object.entries(results).map(([name, result]) => [
    name,
    result.wallMs.toFixed(0),
    result.buildAndSynthMs.toFixed(0),
    ratio(result.wallMs, results[compareName(name)].wallMs),
    result.peakRssMiB.toFixed(0),
    ratio(result.peakRssMiB, results[compareName(name)].peakRssMiB),
    result.templateBytes.toFixed(0),
    result.resources.toFixed(0),
  ]);
}

const SYNTH_COLUMNS = ['app', 'wall ms', 'build + synth ms', 'vs hand-written', 'peak RSS MiB', 'vs hand-written', 'template bytes', 'resources'];

function measureGroup(apps, runs) {
  const variants = [];
  for (const validation of [true, false]) {
    for (const app of apps) {
      variants.push(synthVariant(app, 1, validation));
    }
  }
  const samples = interleave(variants, runs);
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, medians(values)]));
}

/** Maps a row name to the hand-written row with the same validation setting and aws-cdk-lib. */
function handWrittenOf(handWrittenApp) {
  return (name) => name.replace(/^[^ ]+/, handWrittenApp);
}

function main() {
  // Synthesis with aws-cdk-lib 2.166 takes well under a second, so its rows get more runs than the
  // rows of the newer aws-cdk-lib, whose template validation takes seconds.
  const rootRuns = RUNS || 15;
  const runs = RUNS || 5;
  printHeader(`Synth cost (median of ${rootRuns} fresh processes per row for aws-cdk-lib ${packageVersion(ROOT_MODULES, 'aws-cdk-lib')}, ${runs} for the others, rows interleaved)`);
  const rootCdk = packageVersion(ROOT_MODULES, 'aws-cdk-lib');
  const benchCdk = packageVersion(BENCH_MODULES, 'aws-cdk-lib');
  console.log(`CDK_VALIDATION=false honoured by aws-cdk-lib ${rootCdk}: ${honoursValidationSwitch(ROOT_MODULES) ? 'yes' : 'no (it has no CloudFormation template validation step, so on and off run the same code)'}`);
  console.log(`CDK_VALIDATION=false honoured by aws-cdk-lib ${benchCdk}: ${honoursValidationSwitch(BENCH_MODULES) ? 'yes' : 'no'}`);
  console.log('');

  console.log(`## One agent, aws-cdk-lib ${rootCdk}`);
  const root = measureGroup(['empty', 'reference', 'hand-written'], rootRuns);
  printTable(SYNTH_COLUMNS, synthRows(root, handWrittenOf('hand-written')));

  console.log(`## One agent or its closest equivalent, aws-cdk-lib ${benchCdk}`);
  const bench = measureGroup(['empty@bench', 'reference@bench', 'hand-written@bench', 'aws-bedrock-alpha', 'generative-ai-cdk-constructs', 'solutions-constructs'], runs);
  printTable(SYNTH_COLUMNS, synthRows(bench, handWrittenOf('hand-written@bench')));
  console.log('wall ms runs from the start of the probe script to the end of app.synth(); build + synth ms leaves out loading aws-cdk-lib, but counts loading the construct library.');
  console.log('The alternatives create the tagged profile and the same agent function, but no dashboard, stack outputs or cost tool, so their templates are smaller.');
  console.log('');

  const scaling = measureScaling(runs);
  return { root, bench, scaling };
}

/** Synthesises 1, 10 and 50 agents, one stack each, and derives the marginal cost of one agent. */
function measureScaling(runs) {
  const counts = [1, 10, 50];
  const apps = ['reference', 'hand-written'];
  const variants = [];
  for (const count of counts) {
    for (const app of apps) {
      variants.push(synthVariant(app, count, true));
    }
  }
  const samples = interleave(variants, runs);
  const results = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, medians(values)]));

  console.log(`## Scaling: 1, 10 and 50 agents in one app, one stack each (median of ${runs})`);
  const rows = [];
  for (const app of apps) {
    const at = (count) => results[`${app} ×${count}, validation on`];
    const perAgent = (from, to, field) => (at(to)[field] - at(from)[field]) / (to - from);
    for (const count of counts) {
      const result = at(count);
      rows.push([`${app} ×${count}`, result.wallMs.toFixed(0), result.peakRssMiB.toFixed(0), result.templateBytes.toFixed(0), result.resources.toFixed(0)]);
    }
    rows.push([`${app}: marginal agent, 1→10`, perAgent(1, 10, 'wallMs').toFixed(1), perAgent(1, 10, 'peakRssMiB').toFixed(2), perAgent(1, 10, 'templateBytes').toFixed(0), perAgent(1, 10, 'resources').toFixed(1)]);
    rows.push([`${app}: marginal agent, 10→50`, perAgent(10, 50, 'wallMs').toFixed(1), perAgent(10, 50, 'peakRssMiB').toFixed(2), perAgent(10, 50, 'templateBytes').toFixed(0), perAgent(10, 50, 'resources').toFixed(1)]);
  }
  printTable(['app', 'wall ms', 'peak RSS MiB', 'template bytes', 'resources'], rows);
  console.log('Growth is linear when the marginal cost from 10 to 50 agents is close to the one from 1 to 10.');
  return results;
}

if (require.main === module) {
  main();
}
module.exports = { main };
