'use strict';
/**
 * Runs in a fresh Node.js 22 process. Modes:
 *   node agent-probe.js require BUNDLE  prints, as JSON, the time that `require(BUNDLE)` took and
 *                                       the peak resident set size.
 *   node agent-probe.js serve BUNDLE    (forked with IPC) loads BUNDLE, then runs one invocation per
 *                                       message `{ toolRounds }` from the parent, which scripts the
 *                                       local Converse server first, and replies with the wall time and
 *                                       the CPU time of this process during the invocation.
 * The Converse server runs in the parent process, so its CPU time is not counted here.
 */
const [mode, bundle] = process.argv.slice(2);

function lambdaContext(requestId) {
  return {
    awsRequestId: requestId,
    functionName: 'bench-agent',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:bench-agent',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/bench-agent',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done() {}, fail() {}, succeed() {},
  };
}

if (mode === 'require') {
  const start = performance.now();
  require(bundle);
  const requireMs = performance.now() - start;
  console.log(JSON.stringify({ requireMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
} else if (mode === 'serve') {
  const loadStart = performance.now();
  const { handler } = require(bundle);
  const requireMs = performance.now() - loadStart;
  let invocation = 0;
  process.on('message', async (message) => {
    if (message.stop) {
      process.disconnect();
      return;
    }
    invocation += 1;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const reply = await handler({ prompt: 'What did we spend on Bedrock this month?' }, lambdaContext(`bench-${invocation}`));
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const ok = typeof reply.answer === 'string' && (reply.toolCalls?.length ?? 0) === message.toolRounds;
    process.send({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, requireMs, ok, reply: ok ? undefined : reply });
  });
  process.send({ ready: true });
} else {
  throw new Error(`unknown mode ${mode}: use require or serve`);
}
