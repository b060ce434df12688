'use strict';
/**
 * Builds and synthesises one app in this fresh process, into a temporary directory that it deletes.
 * It prints as JSON the time from the start of this script to the end of the synthesis, the part
 * of it after aws-cdk-lib was loaded, the peak resident set size, the bytes of the CloudFormation
 * templates and their resource count.
 *
 * Usage: node synth-probe.js APP COUNT, where APP is a key of APPS in apps.js.
 */
const start = performance.now();
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { APPS, repoRoot, benchModules } = require('./apps');

const [name, countArgument] = process.argv.slice(2);
const spec = APPS[name];
if (spec === undefined) {
  throw new Error(`unknown app ${name}: use one of ${Object.keys(APPS).join(', ')}`);
}
if (spec.redirect) {
  require('./redirect-cdk');
}
const cdk = require(path.join(spec.cdk === 'root' ? path.join(repoRoot, 'node_modules') : benchModules, 'aws-cdk-lib'));
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
try {
  const app = new cdk.App({ outdir });
  const buildStart = performance.now();
  spec.build(cdk, app, Number(countArgument) || 1);
  const assembly = app.synth();
  const end = performance.now();

  let templateBytes = 0;
  let resources = 0;
  for (const stack of assembly.stacks) {
    templateBytes += fs.statSync(path.join(outdir, stack.templateFile)).size;
    resources += Object.keys(stack.template.Resources ?? {}).length;
  }
  console.log(JSON.stringify({
    wallMs: end - start,
    buildAndSynthMs: end - buildStart,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    templateBytes,
    resources,
  }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
