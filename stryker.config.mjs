// Stryker mutation testing. Run it through scripts/mutation-test.sh, which sets MUTATION_SCOPE and
// fails below its score threshold.
//
// Each scope runs only the test files that cover its sources. For a static mutant, one in a
// module-level constant such as a regular expression, Stryker runs every test of the scope. In the
// validators and loop scopes every mutant counts, static ones too. The handler and constructs
// scopes cover many more tests, several of which synthesise whole apps, so a static mutant there
// would cost minutes. Those scopes ignore static mutants, which Stryker then reports as "Ignored"
// and leaves out of the score.

/** Sources to mutate and the tests that cover them, per scope. */
const SCOPES = {
  validators: {
    mutate: [
      'src/private/validation.ts',
      'src/cost-allocation-tags.ts',
      'src/bedrock-model.ts',
      // validateProps and defaultName: the name and description checks and the generated name.
      'src/cost-tracked-inference-profile.ts:321-375',
    ],
    tests: [
      'test/bedrock-model.test.ts',
      'test/cost-tracked-inference-profile.test.ts',
      'test/security/validation-rules.test.ts',
    ],
  },
  loop: {
    mutate: [
      'src/agent/converse-loop.ts',
      'src/agent/tool-round.ts',
      'src/agent/stop-reasons.ts',
      'src/agent/history.ts',
    ],
    tests: [
      'test/agent-converse-loop.test.ts',
      'test/agent-loop-*.test.ts',
      'test/agent-request.test.ts',
      'test/agent-fuzz.test.ts',
    ],
  },
  handler: {
    // The rest of the two Lambda handlers, without static mutants (see the top of this file).
    ignoreStatic: true,
    mutate: [
      'src/agent.lambda.ts',
      ...[
        'bedrock-client', 'config', 'cost-errors', 'cost-explorer', 'cost-period', 'cost-summary', 'deadline',
        'inference-parameters', 'lambda-credentials', 'model-errors', 'replies', 'request-metadata', 'request', 'tools',
      ].map((name) => `src/agent/${name}.ts`),
      'src/tag-activation.lambda.ts',
      'src/tag-activation/activate.ts',
      'src/shared/cost-explorer-url.ts',
    ],
    tests: [
      'test/agent-*.test.ts',
      'test/tag-activation-handler.test.ts',
      'test/cost-explorer-url.test.ts',
    ],
    // The bundle tests check esbuild's output, not the sources that Stryker mutates.
    skipTests: ['test/agent-bundle.test.ts'],
  },
  constructs: {
    // The constructs outside the validators scope. Static mutants are ignored in this scope.
    ignoreStatic: true,
    mutate: [
      'src/cost-tracked-inference-profile.ts:1-320',
      'src/cost-tracked-bedrock-agent.ts',
      'src/cost-budget.ts',
      'src/cost-anomaly-alert.ts',
      'src/usage-alarms.ts',
      'src/estimated-cost.ts',
      'src/cost-allocation-tag-activation.ts',
      'src/private/usage-dashboard.ts',
      'src/private/notification-topic.ts',
      'src/private/model-pricing.ts',
    ],
    tests: [
      'test/bedrock-model.test.ts',
      'test/cost-*.test.ts',
      'test/usage-alarms.test.ts',
      'test/tag-activation-construct.test.ts',
      'test/security/iam-simulation.test.ts',
    ],
    skipTests: ['test/cost-explorer-url.test.ts'],
  },
};

const scopeNames = (process.env.MUTATION_SCOPE ?? 'all') === 'all' ? Object.keys(SCOPES) : [process.env.MUTATION_SCOPE];
for (const name of scopeNames) {
  if (SCOPES[name] === undefined) {
    throw new Error(`unknown MUTATION_SCOPE "${name}": use all, ${Object.keys(SCOPES).join(', ')}`);
  }
}
/** Escapes a path for jest's testPathIgnorePatterns, which are regular expressions. */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const scopes = scopeNames.map((name) => SCOPES[name]);
// One run has one ignoreStatic setting, so a run that mixes scopes keeps every static mutant.
// MUTATION_IGNORE_STATIC=true drops them in any scope; .ci/run sets it for the loop scope.
const ignoreStatic = process.env.MUTATION_IGNORE_STATIC === 'true' || scopes.every((scope) => scope.ignoreStatic === true);

/** Folder of the JSON and HTML reports. scripts/mutation-test.sh sets one per scope. */
const reportDir = process.env.MUTATION_REPORT_DIR ?? 'coverage/mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  mutate: scopes.flatMap((scope) => scope.mutate),
  ignoreStatic,
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: false,
    config: {
      testTimeout: 120000,
      testMatch: scopes.flatMap((scope) => scope.tests).map((pattern) => `<rootDir>/${pattern}`),
      testPathIgnorePatterns: ['/node_modules/', ...scopes.flatMap((scope) => scope.skipTests ?? []).map(escapeRegExp)],
      clearMocks: true,
      collectCoverage: false,
      transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
    },
  },
  ignorePatterns: ['cdk.out', 'dist', 'lib', 'coverage', 'test-reports', '.jsii', '.tmp', '*.tsbuildinfo', 'test/consumers', 'bench'],
  concurrency: 2,
  timeoutMS: 30000,
  // No break threshold: scripts/mutation-test.sh prints the score first and then applies its own.
  thresholds: { high: 90, low: 80, break: null },
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  htmlReporter: { fileName: `${reportDir}/mutation.html` },
  tempDirName: '.tmp/stryker',
  cleanTempDir: true,
};
