// Stryker mutation testing of the synth-time validators and the agent's tool loop. Run it through
// scripts/mutation-test.sh, which sets MUTATION_SCOPE and fails below its score threshold.
//
// Each scope runs only the test files that cover its sources. For a static mutant, one in a
// module-level constant such as a regular expression, Stryker runs every test of the scope. The
// full suite synthesises whole apps and runs the CDK CLI, so that would take hours on 2 cores.

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
};

const scopeNames = (process.env.MUTATION_SCOPE ?? 'all') === 'all' ? Object.keys(SCOPES) : [process.env.MUTATION_SCOPE];
for (const name of scopeNames) {
  if (SCOPES[name] === undefined) {
    throw new Error(`unknown MUTATION_SCOPE "${name}": use all, ${Object.keys(SCOPES).join(' or ')}`);
  }
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  mutate: scopeNames.flatMap((name) => SCOPES[name].mutate),
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: false,
    config: {
      testTimeout: 120000,
      testMatch: scopeNames.flatMap((name) => SCOPES[name].tests).map((pattern) => `<rootDir>/${pattern}`),
      testPathIgnorePatterns: ['/node_modules/'],
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
  jsonReporter: { fileName: 'coverage/mutation/mutation.json' },
  htmlReporter: { fileName: 'coverage/mutation/mutation.html' },
  tempDirName: '.tmp/stryker',
  cleanTempDir: true,
};
