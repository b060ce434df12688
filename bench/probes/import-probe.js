'use strict';
/**
 * Loads one target in this fresh process and prints, as JSON, the time that `require` took, the
 * peak resident set size of the process and the number of modules in the require cache.
 *
 * Usage: node import-probe.js TARGET, where TARGET is one of the keys of TARGETS.
 */
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const benchModules = path.join(__dirname, '..', 'node_modules');
const rootModules = path.join(repoRoot, 'node_modules');

/** Lists the aws-cdk-lib service modules that lib/ requires, by reading its compiled files. */
function libraryServiceModules() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('.js')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/require\("aws-cdk-lib\/([^"]+)"\)/g)) {
          names.add(match[1]);
        }
      }
    }
  };
  walk(path.join(repoRoot, 'lib'));
  return [...names].sort();
}

function loadFloor(modulesDir) {
  require(path.join(modulesDir, 'aws-cdk-lib'));
  for (const name of libraryServiceModules()) {
    require(path.join(modulesDir, 'aws-cdk-lib', name));
  }
}

const TARGETS = {
  'floor-root': () => loadFloor(rootModules),
  'library-root': () => require(path.join(repoRoot, 'lib', 'index.js')),
  'floor-bench': () => loadFloor(benchModules),
  // Run with `-r ./redirect-cdk.js`, so that lib/ resolves bench/'s aws-cdk-lib.
  'library-bench': () => require(path.join(repoRoot, 'lib', 'index.js')),
  'aws-bedrock-alpha': () => require(path.join(benchModules, '@aws-cdk', 'aws-bedrock-alpha')),
  'generative-ai-cdk-constructs': () => require(path.join(benchModules, '@cdklabs', 'generative-ai-cdk-constructs')),
  'solutions-constructs': () => require(path.join(benchModules, '@aws-solutions-constructs', 'aws-lambda-bedrockinferenceprofile')),
};

const target = TARGETS[process.argv[2]];
if (target === undefined) {
  throw new Error(`unknown target ${process.argv[2]}: use one of ${Object.keys(TARGETS).join(', ')}`);
}
const modulesBefore = Object.keys(require.cache).length;
const start = performance.now();
target();
const requireMs = performance.now() - start;
console.log(JSON.stringify({
  requireMs,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  modules: Object.keys(require.cache).length - modulesBefore,
}));
