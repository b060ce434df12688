import { awscdk, javascript } from 'projen';

// The lowest aws-cdk-lib release with AWS::Bedrock::ApplicationInferenceProfile
// (CfnApplicationInferenceProfile). The Lambda runtime is named by its string 'nodejs22.x', so
// lambda.Runtime.NODEJS_22_X (2.168.0) is not needed.
const MIN_CDK_VERSION = '2.166.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-bedrock-cost-tracking',
  description:
    'AWS CDK constructs for Amazon Bedrock cost allocation: a tagged application inference profile, least-privilege IAM, a CloudWatch dashboard and a Converse agent that answers cost questions from Cost Explorer',
  author: 'cdk-bedrock-cost-tracking contributors',
  authorAddress: 'cdk-bedrock-cost-tracking@users.noreply.github.com',
  authorOrganization: true,
  repositoryUrl: 'https://github.com/cdk-bedrock-cost-tracking/cdk-bedrock-cost-tracking.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'bedrock', 'cost allocation', 'finops', 'inference profile', 'cost explorer'],

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  minNodeVersion: '20.0.0',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',

  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.0.5',

  // The CI of this project is `.ci/run`, and nothing is published from here yet.
  github: false,
  release: false,

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    bundlingOptions: {
      // Bundle the AWS SDK instead of taking the runtime's copy, so that the handler runs the
      // client version it was tested with.
      externals: [],
      sourcemap: false,
    },
    awsSdkConnectionReuse: false,
  },

  publishToPypi: {
    distName: 'cdk-bedrock-cost-tracking',
    module: 'cdk_bedrock_cost_tracking',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkbedrockcosttracking',
    mavenGroupId: 'io.github.cdk-bedrock-cost-tracking',
    mavenArtifactId: 'cdk-bedrock-cost-tracking',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkBedrockCostTracking',
    packageId: 'CdkBedrockCostTracking',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-bedrock-cost-tracking/cdk-bedrock-cost-tracking-go',
    packageName: 'cdkbedrockcosttracking',
  },

  devDeps: [
    'aws-cdk@^2.1000.0',
    '@aws-sdk/client-bedrock-runtime',
    '@aws-sdk/client-cost-explorer',
    '@aws-lambda-powertools/logger',
    '@types/aws-lambda',
    'ts-node',
    'fast-check',
    // The last cdk-nag release whose peer range admits aws-cdk-lib 2.166.0.
    'cdk-nag@2.36.50',
    '@cloud-copilot/iam-simulate',
    '@stryker-mutator/core@^9.5.1',
    '@stryker-mutator/jest-runner@^9.5.1',
  ],

  jestOptions: {
    jestConfig: {
      testTimeout: 120_000,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The bundled handler in assets/ is covered through its source in src/.
      coveragePathIgnorePatterns: ['/node_modules/', '/assets/'],
    },
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
  },

  // The tests and examples are type-checked with tsconfig.dev.json, which includes them.
  eslintOptions: { dirs: ['src'], tsconfigPath: './tsconfig.dev.json', projectService: false },

  gitignore: ['/cdk.out/', '/.tmp/', '__pycache__/'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/bench/', '/docs/', '/.ci/', '/scripts/', '/rosetta/', '/requirements-dev.txt', '/cdk.out/', '/.tmp/', '/reports/', '/stryker.config.mjs'] },
});

project.tsconfigDev.addInclude('examples/**/*.ts');
project.tsconfigDev.addInclude('.projenrc.ts');
// Maven's build output of the Java consumer app.
project.gitignore.addPatterns('/test/consumers/java/target/');
// The handler ships bundled in assets/, so its compiled modules stay out of the package.
project.npmignore?.addPatterns('/lib/agent/', '/lib/agent.lambda.*', '/lib/tag-activation/', '/lib/tag-activation.lambda.*');
project.eslint?.addLintPattern('examples');
// The handler modules are bundled into the Lambda asset, so they may import dev dependencies.
project.eslint?.allowDevDeps('src/agent/**');
project.eslint?.allowDevDeps('src/shared/**');
project.eslint?.allowDevDeps('src/tag-activation/**');

// The handler tests need the bundled assets and the cfn-lint tests need cfn-lint, so the test task
// prepares both. That keeps `npx projen test` working on a fresh clone.
const testTask = project.tasks.tryFind('test')!;
testTask.prependExec('python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt');
testTask.prependSpawn(project.tasks.tryFind('bundle')!);
testTask.prependSpawn(project.tasks.tryFind('compile')!);

// Construct Hub shows the TSDoc and translates the README's TypeScript snippets, so the build fails
// on a public member without docs and on a snippet that does not compile.
const postCompile = project.tasks.tryFind('post-compile')!;
postCompile.exec('node scripts/check-api-docs.js');
postCompile.exec('jsii-rosetta extract --strict');
project.gitignore.addPatterns('.jsii.tabl.json');

// Minify the Lambda bundles: projen's lambda options have no minify switch, so the bundle tasks
// get the flags appended. A smaller asset loads faster on a cold start (docs/benchmarks.md).
const extraBundleFlags: Record<string, string[]> = {
  'agent': [
    '--minify',
    '--main-fields=module,main',
    // In Lambda the execution role's credentials are in environment variables, so the SDK's other
    // credential providers and the STS and SSO clients they load are left out of the bundle.
    '--alias:@aws-sdk/credential-provider-node=./src/agent/lambda-credentials.ts',
    '--alias:@aws-sdk/token-providers=./src/agent/lambda-credentials.ts',
    // Only the Cost Explorer client and the one command the agent sends.
    '--alias:@aws-sdk/client-cost-explorer=./src/agent/cost-explorer-sdk.mjs',
  ],
  'tag-activation': ['--minify', '--keep-names'],
};
for (const [entry, flags] of Object.entries(extraBundleFlags)) {
  const bundleTask = project.tasks.tryFind(`bundle:${entry}.lambda`)!;
  const step = bundleTask.steps[0];
  bundleTask.reset();
  bundleTask.exec([...step.execArgs!, ...flags].join(' '));
}

// Synthesise the example app with the real CDK CLI, offline, with notices and telemetry off.
const exampleSynth = project.addTask('example:synth', {
  description: 'Synthesise the example app into cdk.out with the CDK CLI',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_REGION: 'ap-southeast-2', AWS_EC2_METADATA_DISABLED: 'true' },
});
exampleSynth.spawn(project.tasks.tryFind('bundle')!);
// The CLI leaves old templates in cdk.out, which the listing below and CI's cfn-lint would pick up.
exampleSynth.exec('node -e "require(\'fs\').rmSync(\'cdk.out\', { recursive: true, force: true })"');
exampleSynth.exec(
  'cdk synth --app "ts-node --prefer-ts-exts examples/app.ts" --output cdk.out --no-notices --no-version-reporting --quiet',
);
exampleSynth.exec('node -e "for (const f of require(\'fs\').readdirSync(\'cdk.out\').filter((n) => n.endsWith(\'.template.json\'))) console.log(\'Template written: cdk.out/\' + f)"');

// .NET packaging needs the .NET SDK. Where a language's tool is missing, generate its code instead
// of failing the build.
const packagingTools: Record<string, string> = { dotnet: 'dotnet', java: 'mvn', python: 'python3', go: 'go' };
for (const [language, tool] of Object.entries(packagingTools)) {
  project.tasks.tryFind(`package:${language}`)?.reset(`bash scripts/package-language.sh ${language} ${tool}`);
}

project.synth();
