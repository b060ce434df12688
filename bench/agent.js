'use strict';
/**
 * Agent handler footprint: the bundle's size, its cold `require` on Node.js 22, the first
 * invocation against a local Converse server, and the CPU time of one tool round. The bundle
 * shipped in assets/agent.lambda/index.js (built by `npx projen bundle`) is compared with a
 * straightforward esbuild bundle of the same two AWS SDK clients created at start-up.
 */
const { execFileSync, fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { REPO_ROOT, NODE22, RUNS, probeEnvironment, runProbe, interleave, median, medians, printHeader, printTable, ratio } = require('./common');

const BUILD_DIR = path.join(__dirname, '.build');
const AGENT_BUNDLE = path.join(REPO_ROOT, 'assets', 'agent.lambda', 'index.js');
const BASELINE_BUNDLE = path.join(BUILD_DIR, 'two-clients', 'index.js');
const PROBE = path.join(__dirname, 'probes', 'agent-probe.js');
const PROFILE_ARN = 'arn:aws:bedrock:ap-southeast-2:123456789012:application-inference-profile/bench';
/** Tool rounds of the invocation whose CPU time is compared with a round-free one. */
const TOOL_ROUNDS = 8;

function esbuild(args) {
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Builds the baseline handler and the local Converse server of the tests into bench/.build. */
function build() {
  esbuild(['--bundle', 'bench/baseline/two-clients.js', '--platform=node', '--target=node22', '--minify', `--outfile=${BASELINE_BUNDLE}`, '--log-level=error']);
  esbuild(['--bundle', 'test/support/converse-server.ts', '--platform=node', '--target=node20', '--format=cjs',
    `--outfile=${path.join(BUILD_DIR, 'converse-server.js')}`, '--tsconfig=tsconfig.dev.json', '--log-level=error']);
  if (!fs.existsSync(AGENT_BUNDLE)) {
    throw new Error(`${AGENT_BUNDLE} is missing: run \`npx projen bundle\` first`);
  }
}

function handlerEnvironment(endpoint) {
  return probeEnvironment({
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
    AWS_ENDPOINT_URL_COST_EXPLORER: 'http://127.0.0.1:9',
    BEDROCK_MODEL_ID: PROFILE_ARN,
    FOUNDATION_MODEL_ID: 'anthropic.claude-sonnet-4-20250514-v1:0',
    COST_ALLOCATION_TAGS: JSON.stringify({ Application: 'Bench' }),
    MAX_TOOL_ROUNDS: String(TOOL_ROUNDS + 2),
  });
}

function sizes(file) {
  const content = fs.readFileSync(file);
  return { minifiedKiB: content.length / 1024, gzipKiB: zlib.gzipSync(content, { level: 9 }).length / 1024 };
}

/** Wall time of a whole fresh Node.js 22 process, from spawn to exit. */
function processWallMs(args, env) {
  const start = performance.now();
  execFileSync(NODE22, args, { env, stdio: 'ignore' });
  return performance.now() - start;
}

/** Starts the handler in a forked Node.js 22 process, and returns functions that invoke it once and stop it. */
async function startHandler(bundle, server, module) {
  const child = fork(PROBE, ['serve', bundle], { execPath: NODE22, env: handlerEnvironment(server.endpoint), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  // One listener each for messages and exit, which settle the request in flight.
  let pending;
  child.on('message', (message) => pending?.resolve(message));
  child.on('exit', (code) => pending?.reject(new Error(`handler process exited with ${code}: ${stderr}`)));
  const nextMessage = () => new Promise((resolve, reject) => {
    pending = { resolve, reject };
  });
  const ready = nextMessage();
  await ready;
  const invoke = async (toolRounds) => {
    for (let round = 0; round < toolRounds; round++) {
      server.enqueue(module.toolUseResponse([{ toolUseId: `tool-${round}`, name: 'get_cost_explorer_link' }]));
    }
    server.enqueue(module.textResponse('Filter Cost Explorer by Application=Bench.'));
    const reply = nextMessage();
    child.send({ toolRounds });
    const result = await reply;
    if (!result.ok) {
      throw new Error(`invocation with ${toolRounds} tool rounds failed: ${JSON.stringify(result.reply)}`);
    }
    return result;
  };
  const stop = () => new Promise((resolve) => {
    pending = { resolve, reject: resolve };
    child.send({ stop: true });
  });
  return { invoke, stop };
}

async function measureInvocations(runs) {
  const module = require(path.join(BUILD_DIR, 'converse-server.js'));
  const server = await module.ConverseServer.start();
  try {
    const first = { agent: [], baseline: [] };
    for (let run = 0; run < runs; run++) {
      for (const [name, bundle] of [['agent', AGENT_BUNDLE], ['baseline', BASELINE_BUNDLE]]) {
        const handler = await startHandler(bundle, server, module);
        first[name].push((await handler.invoke(0)).wallMs);
        await handler.stop();
      }
    }

    // Warm invocations, alternating 0 and TOOL_ROUNDS rounds. The difference of the CPU medians,
    // divided by the rounds, is the CPU time of one round: the SDK call, the tool and the loop.
    const handler = await startHandler(AGENT_BUNDLE, server, module);
    for (let warmUp = 0; warmUp < 20; warmUp++) {
      await handler.invoke(warmUp % 2 === 0 ? 0 : TOOL_ROUNDS);
    }
    const cpu = { none: [], rounds: [], noneWall: [] };
    for (let run = 0; run < Math.max(runs * 5, 30); run++) {
      const none = await handler.invoke(0);
      cpu.none.push(none.cpuMs);
      cpu.noneWall.push(none.wallMs);
      cpu.rounds.push((await handler.invoke(TOOL_ROUNDS)).cpuMs);
    }
    await handler.stop();

    // The baseline's warm Converse call, with the SDK's default settings, for the SDK's share.
    const baseline = await startHandler(BASELINE_BUNDLE, server, module);
    const baselineCpu = [];
    for (let run = 0; run < Math.max(runs * 5, 30) + 20; run++) {
      const result = await baseline.invoke(0);
      if (run >= 20) {
        baselineCpu.push(result.cpuMs);
      }
    }
    await baseline.stop();
    return {
      baselineInvocationCpuMs: median(baselineCpu),
      firstAgentMs: median(first.agent),
      firstBaselineMs: median(first.baseline),
      invocationCpuMs: median(cpu.none),
      invocationWallMs: median(cpu.noneWall),
      cpuPerRoundMs: (median(cpu.rounds) - median(cpu.none)) / TOOL_ROUNDS,
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const runs = RUNS || 10;
  printHeader(`Agent handler on Node.js 22 (median of ${runs} fresh processes per row, rows interleaved)`);
  build();

  const agentSize = sizes(AGENT_BUNDLE);
  const baselineSize = sizes(BASELINE_BUNDLE);
  printTable(['bundle', 'minified KiB', 'gzip -9 KiB'], [
    ['agent (assets/agent.lambda/index.js)', agentSize.minifiedKiB.toFixed(1), agentSize.gzipKiB.toFixed(1)],
    ['two clients at start-up (baseline)', baselineSize.minifiedKiB.toFixed(1), baselineSize.gzipKiB.toFixed(1)],
  ]);

  const env = handlerEnvironment('http://127.0.0.1:9');
  const samples = interleave([
    { name: 'floor', measure: () => ({ processMs: processWallMs(['-e', ''], env) }) },
    { name: 'agent', measure: () => ({ ...runProbe(PROBE, ['require', AGENT_BUNDLE], { node: NODE22, env }), processMs: processWallMs([PROBE, 'require', AGENT_BUNDLE], env) }) },
    { name: 'baseline', measure: () => ({ ...runProbe(PROBE, ['require', BASELINE_BUNDLE], { node: NODE22, env }), processMs: processWallMs([PROBE, 'require', BASELINE_BUNDLE], env) }) },
  ], runs);
  const floor = medians(samples.floor);
  const agent = medians(samples.agent);
  const baseline = medians(samples.baseline);
  printTable(['cold start', 'require ms', 'vs baseline', 'process ms (spawn to exit)', 'above `node -e \'\'`', 'peak RSS MiB'], [
    ["floor: `node -e ''`", '-', '-', floor.processMs.toFixed(0), '0', '-'],
    ['agent bundle', agent.requireMs.toFixed(1), ratio(agent.requireMs, baseline.requireMs), agent.processMs.toFixed(0), (agent.processMs - floor.processMs).toFixed(0), agent.peakRssMiB.toFixed(0)],
    ['two clients at start-up (baseline)', baseline.requireMs.toFixed(1), '1.00×', baseline.processMs.toFixed(0), (baseline.processMs - floor.processMs).toFixed(0), baseline.peakRssMiB.toFixed(0)],
  ]);

  const invocations = await measureInvocations(runs);
  printTable(['invocation against the local Converse server', 'ms'], [
    ['first invocation, agent (wall, one Converse call, no tool)', invocations.firstAgentMs.toFixed(1)],
    ['first invocation, baseline (wall, one Converse call)', invocations.firstBaselineMs.toFixed(1)],
    ['warm invocation, agent (wall, no tool)', invocations.invocationWallMs.toFixed(1)],
    ['warm invocation, agent (CPU, no tool)', invocations.invocationCpuMs.toFixed(2)],
    [`CPU per tool round, agent (difference of ${TOOL_ROUNDS} rounds and none, divided by ${TOOL_ROUNDS})`, invocations.cpuPerRoundMs.toFixed(2)],
    ['warm invocation, baseline (CPU, one Converse call with the SDK defaults)', invocations.baselineInvocationCpuMs.toFixed(2)],
  ]);
  console.log('CPU times are user plus system time of the handler process; the Converse server runs in another process, so the model latency and the server are not counted.');
  return { agentSize, baselineSize, floor, agent, baseline, invocations };
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
module.exports = { main };
