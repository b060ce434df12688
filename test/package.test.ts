/**
 * Packs the library with `npm pack`, installs the tarball into a new CDK app and synthesises that
 * app with the real CDK CLI, to prove that the bundled agent handler ships in the npm package.
 *
 * Needs `lib/` from `npx projen compile` and `assets/` from `npx projen bundle`; `npx projen test`
 * runs both first. `npm install` reads aws-cdk-lib and constructs from the npm cache, or from the
 * registry when the cache lacks them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO_ROOT = path.join(__dirname, '..');
const CDK_CLI = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const HANDLER_FILE = path.join('assets', 'agent.lambda', 'index.js');

// Limits for a 2-core machine. The install takes about 6 s there from a warm npm cache, but a cold
// cache first downloads aws-cdk-lib, which unpacks to about 150 MB.
const PACK_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 300_000;
const SYNTH_TIMEOUT_MS = 120_000;

const APP_JS = `const { App, Stack } = require('aws-cdk-lib');
const { BedrockModel, CostTrackedBedrockAgent } = require('cdk-bedrock-cost-tracking');

const app = new App();
const stack = new Stack(app, 'PackageTestStack', { env: { region: 'ap-southeast-2' } });
new CostTrackedBedrockAgent(stack, 'Agent', {
  model: BedrockModel.crossRegionProfile('au.anthropic.claude-sonnet-4-6'),
  costAllocationTags: { application: 'PackageTest' },
});
app.synth();
`;

let packDir: string;
let tarballPath: string;
let tarballFiles: string[];

beforeAll(() => {
  for (const required of [path.join('lib', 'index.js'), HANDLER_FILE]) {
    if (!fs.existsSync(path.join(REPO_ROOT, required))) {
      throw new Error(`${required} is missing: run \`npx projen compile\` and \`npx projen bundle\` before this test`);
    }
  }

  packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-pack-'));
  const packOutput = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
    cwd: REPO_ROOT, env: plainNpmEnv(), encoding: 'utf8', stdio: 'pipe', timeout: PACK_TIMEOUT_MS,
  });
  tarballPath = path.join(packDir, JSON.parse(packOutput)[0].filename);

  // List the tarball itself rather than trusting npm's report. npm puts every file under package/.
  tarballFiles = execFileSync('tar', ['-tzf', tarballPath], { encoding: 'utf8', timeout: PACK_TIMEOUT_MS })
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^package\//, ''));
}, PACK_TIMEOUT_MS * 2);

afterAll(() => {
  if (packDir) {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
});

describe('npm package', () => {
  test('contains the bundled agent handler', () => {
    expect(tarballFiles).toContain('assets/agent.lambda/index.js');
  });

  test('contains the compiled library', () => {
    expect(tarballFiles).toContain('lib/index.js');
    expect(tarballFiles).toContain('lib/index.d.ts');
  });

  test('leaves out sources, tests and examples', () => {
    expect(tarballFiles.filter((file) => file.startsWith('src/'))).toEqual([]);
    expect(tarballFiles.filter((file) => file.startsWith('test/'))).toEqual([]);
    expect(tarballFiles.filter((file) => file.startsWith('examples/'))).toEqual([]);
  });
});

describe('CDK app that installs the package', () => {
  let appDir: string;
  let template: any;

  beforeAll(() => {
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-app-'));
    fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'package-test-app', version: '0.0.0', private: true }, null, 2));
    fs.writeFileSync(path.join(appDir, 'app.js'), APP_JS);

    // --prefix keeps npm inside the app folder whatever npm configuration the test inherits.
    execFileSync('npm', [
      'install', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', appDir,
      tarballPath,
      `aws-cdk-lib@${installedVersion('aws-cdk-lib')}`,
      `constructs@${installedVersion('constructs')}`,
    ], { cwd: appDir, env: plainNpmEnv(), stdio: 'pipe', timeout: INSTALL_TIMEOUT_MS });

    execFileSync(CDK_CLI, [
      'synth',
      '--app', 'node app.js',
      '-o', 'cdk.out',
      '--no-notices',
      '--no-version-reporting',
      '--quiet',
    ], { cwd: appDir, env: offlineCdkEnv(appDir), stdio: 'pipe', timeout: SYNTH_TIMEOUT_MS });

    template = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.out', 'PackageTestStack.template.json'), 'utf8'));
  }, INSTALL_TIMEOUT_MS + SYNTH_TIMEOUT_MS + 10_000);

  afterAll(() => {
    if (appDir) {
      fs.rmSync(appDir, { recursive: true, force: true });
    }
  });

  test('synthesises the agent function', () => {
    expect(agentFunction(template).Properties.Runtime).toBe('nodejs22.x');
  });

  test('stages the handler in the cloud assembly', () => {
    const assetPath = agentFunction(template).Metadata['aws:asset:path'];

    expect(fs.existsSync(path.join(appDir, 'cdk.out', assetPath, 'index.js'))).toBe(true);
  });

  test('stages the handler that was bundled', () => {
    const assetPath = agentFunction(template).Metadata['aws:asset:path'];
    const staged = fs.readFileSync(path.join(appDir, 'cdk.out', assetPath, 'index.js'));

    expect(staged.equals(fs.readFileSync(path.join(REPO_ROOT, HANDLER_FILE)))).toBe(true);
  });
});

/** Returns the template's only Lambda function, failing when there is none or more than one. */
function agentFunction(templateJson: any): any {
  const functions = Object.values<any>(templateJson.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  return functions[0];
}

/** Returns the version of `packageName` installed in the repository's node_modules. */
function installedVersion(packageName: string): string {
  const packageJson = path.join(REPO_ROOT, 'node_modules', packageName, 'package.json');
  return JSON.parse(fs.readFileSync(packageJson, 'utf8')).version;
}

/**
 * Returns the environment without the `npm_*` variables that `npx jest` or `npm test` set for
 * this repository, so that the child npm reads only the user's configuration.
 */
function plainNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_')) {
      env[name] = value;
    }
  }
  return env;
}

/**
 * Returns the environment for the CDK CLI. The caller's AWS variables and shared config files are
 * left out, so that the CLI finds no credentials and makes no AWS calls, and instance metadata is
 * turned off so that it does not look for credentials there either.
 */
function offlineCdkEnv(scratchDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) {
      env[name] = value;
    }
  }
  return {
    ...env,
    AWS_REGION: 'ap-southeast-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(scratchDir, 'missing-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratchDir, 'missing-aws-credentials'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}
