/**
 * Synthesises examples/app.ts with the real CDK CLI, then checks each template with cfn-lint and
 * with assertions on the resources that the example is meant to create.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';

const REPO_ROOT = path.join(__dirname, '..');
const CDK_CLI = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const REGION = 'ap-southeast-2';

// ts-node type-checks the example and the library before the CLI synthesises. That took about 8 s
// on an idle 2-core machine, and the limits leave room for a loaded one.
const SYNTH_TIMEOUT_MS = 300_000;
const CFN_LINT_TIMEOUT_MS = 120_000;

/** The example's stacks and what each one is configured with in examples/app.ts. */
const STACKS = [
  { stackName: 'CloudEngineerAgentStack', profileId: 'au.anthropic.claude-sonnet-4-6', environment: 'Production', outputCount: 4 },
  { stackName: 'CloudEngineerGlobalAgentStack', profileId: 'global.anthropic.claude-sonnet-4-6', environment: 'Staging', outputCount: 4 },
  // The tag activation adds a fifth output, its status message.
  { stackName: 'CloudEngineerGovernedAgentStack', profileId: 'au.anthropic.claude-sonnet-4-6', environment: 'Production', outputCount: 5 },
];
const GOVERNED_STACK = 'CloudEngineerGovernedAgentStack';

/** One finding of `cfn-lint --format json`. */
interface CfnLintFinding {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: Array<string | number> };
}

let outDir: string;
let cfnLintFindings: CfnLintFinding[] | undefined;

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
  execFileSync(CDK_CLI, [
    'synth',
    '--app', 'npx ts-node --prefer-ts-exts examples/app.ts',
    '-o', outDir,
    '--no-notices',
    '--no-version-reporting',
    '--quiet',
  ], { cwd: REPO_ROOT, env: offlineCdkEnv(outDir), stdio: 'pipe', timeout: SYNTH_TIMEOUT_MS });
}, SYNTH_TIMEOUT_MS + 10_000);

afterAll(() => {
  if (outDir) {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

describe.each(STACKS)('$stackName', ({ stackName, profileId, environment, outputCount }) => {
  const templatePath = () => path.join(outDir, `${stackName}.template.json`);
  const templateJson = () => JSON.parse(fs.readFileSync(templatePath(), 'utf8'));
  const template = () => Template.fromJSON(templateJson());

  test('has no cfn-lint errors', () => {
    const errors = lintTemplate(templatePath()).filter((finding) => finding.Level === 'Error');

    expect(errors.map(describeFinding)).toEqual([]);
  });

  test('has no unexpected cfn-lint warnings', () => {
    const json = templateJson();
    const warnings = lintTemplate(templatePath())
      .filter((finding) => finding.Level === 'Warning')
      .filter((finding) => !isAcceptedWarning(finding, json));

    expect(warnings.map(describeFinding)).toEqual([]);
  });

  test('copies the cross-Region profile', () => {
    const profiles = template().findResources('AWS::Bedrock::ApplicationInferenceProfile');
    expect(Object.keys(profiles)).toHaveLength(1);

    const copyFrom = Object.values(profiles)[0].Properties.ModelSource.CopyFrom;
    expect(joinedText(copyFrom)).toMatch(new RegExp(`:inference-profile/${escapeRegExp(profileId)}$`));
  });

  test('tags the inference profile', () => {
    const expectTag = (key: string, value: string) =>
      template().hasResourceProperties('AWS::Bedrock::ApplicationInferenceProfile', {
        Tags: Match.arrayWith([{ Key: key, Value: value }]),
      });

    expectTag('Application', 'CloudEngineer');
    expectTag('Environment', environment);
    expectTag('CostCenter', 'Engineering');
  });

  test('runs the agent on nodejs22.x', () => {
    template().hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  test('runs the agent on arm64', () => {
    template().hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
  });

  test('passes the profile ARN to the agent', () => {
    const profileLogicalId = Object.keys(template().findResources('AWS::Bedrock::ApplicationInferenceProfile'))[0];

    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          BEDROCK_MODEL_ID: { 'Fn::GetAtt': [profileLogicalId, 'InferenceProfileArn'] },
        },
      },
    });
  });

  test('declares its outputs', () => {
    expect(Object.keys(template().findOutputs('*'))).toHaveLength(outputCount);
  });
});

describe(`${GOVERNED_STACK} governance`, () => {
  const template = () => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(outDir, `${GOVERNED_STACK}.template.json`), 'utf8')));
  const topicRef = () => ({ Ref: Object.keys(template().findResources('AWS::SNS::Topic'))[0] });

  test('budget filters on the application', () => {
    template().hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 500, Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:Application$CloudEngineer'] },
      },
    });
  });

  test('budget alerts email and topic', () => {
    const budget = Object.values(template().findResources('AWS::Budgets::Budget'))[0];
    const notifications = budget.Properties.NotificationsWithSubscribers;

    expect(notifications).toHaveLength(3);
    for (const notification of notifications) {
      expect(notification.Subscribers).toEqual([
        { SubscriptionType: 'EMAIL', Address: 'finops@example.com' },
        { SubscriptionType: 'SNS', Address: topicRef() },
      ]);
    }
  });

  test('anomaly monitor selects the application', () => {
    template().hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorType: 'CUSTOM',
      MonitorSpecification: JSON.stringify({ Tags: { Key: 'Application', Values: ['CloudEngineer'] } }),
    });
  });

  test('anomaly email is daily', () => {
    template().hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'DAILY',
      Subscribers: [{ Type: 'EMAIL', Address: 'finops@example.com' }],
    });
  });

  test('anomaly topic is immediate', () => {
    template().hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'IMMEDIATE',
      Subscribers: [{ Type: 'SNS', Address: topicRef() }],
    });
  });

  const topicStatements = (): any[] => Object.values(template().findResources('AWS::SNS::TopicPolicy'))[0]
    .Properties.PolicyDocument.Statement;

  test('topic policy admits both services', () => {
    const services = topicStatements().filter((statement) => statement.Effect === 'Allow')
      .map((statement) => statement.Principal.Service);

    expect(services).toEqual(['budgets.amazonaws.com', 'costalerts.amazonaws.com']);
  });

  test('topic denies publishing without TLS', () => {
    expect(topicStatements()).toContainEqual(expect.objectContaining({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('four alarms notify the topic', () => {
    const alarms = Object.values(template().findResources('AWS::CloudWatch::Alarm'));

    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef()]);
    }
  });

  test('activates every tag key', () => {
    template().hasResourceProperties('Custom::CostAllocationTagActivation', {
      TagKeys: ['Application', 'Environment', 'CostCenter'],
    });
  });

  test('every function runs Node.js 22', () => {
    const functions = Object.values(template().findResources('AWS::Lambda::Function'));

    expect(functions.map((fn) => fn.Properties.Runtime)).toEqual(['nodejs22.x', 'nodejs22.x', 'nodejs22.x']);
  });

  test('agent role carries the tags', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^Agent function role'),
      Tags: Match.arrayWith([{ Key: 'Application', Value: 'CloudEngineer' }]),
    });
  });

  test('dashboard shows the estimate', () => {
    const dashboard = Object.values(template().findResources('AWS::CloudWatch::Dashboard'))[0];

    expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain('List-price estimate (USD)');
  });
});

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
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(scratchDir, 'missing-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratchDir, 'missing-aws-credentials'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/**
 * Runs cfn-lint once on all templates of the example, on first use, and returns the findings for
 * `templateFile`. Informational findings are not requested.
 *
 * cfn-lint 1.x has no `python3 -m cfnlint` entry point, so this calls the function behind its
 * `cfn-lint` console script, with the same `python3` that `pip install -r requirements-dev.txt` used.
 */
function lintTemplate(templateFile: string): CfnLintFinding[] {
  if (cfnLintFindings === undefined) {
    const templateFiles = STACKS.map(({ stackName }) => path.join(outDir, `${stackName}.template.json`));
    let output: string;
    try {
      output = execFileSync('python3', [
        '-c', 'from cfnlint.runner import main; main()',
        '--format', 'json',
        '--regions', REGION,
        // Findings are judged by the tests, so the exit code reports only a failure of cfn-lint itself.
        '--non-zero-exit-code', 'none',
        '--', ...templateFiles,
      ], { encoding: 'utf8', stdio: 'pipe', timeout: CFN_LINT_TIMEOUT_MS });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      if (stderr.includes("No module named 'cfnlint'")) {
        throw new Error('cfn-lint is not installed for python3: run `python3 -m pip install -r requirements-dev.txt`');
      }
      throw error;
    }
    cfnLintFindings = JSON.parse(output) as CfnLintFinding[];
  }
  return cfnLintFindings.filter((finding) => path.resolve(finding.Filename) === path.resolve(templateFile));
}

/**
 * Returns true for a warning that aws-cdk-lib causes and this library cannot avoid.
 *
 * That is W3005 on a Lambda function's DependsOn entry for its execution role. lambda.Function
 * (aws-cdk-lib 2.168.0) adds that dependency unconditionally, although the `Role` property's
 * Fn::GetAtt already implies it, and CloudFormation deploys the same either way. Any other W3005
 * still fails the test.
 */
function isAcceptedWarning(finding: CfnLintFinding, templateJson: any): boolean {
  if (finding.Rule.Id !== 'W3005') {
    return false;
  }
  const [section, logicalId, attribute, index] = finding.Location.Path;
  if (section !== 'Resources' || attribute !== 'DependsOn' || typeof index !== 'number') {
    return false;
  }
  const resource = templateJson.Resources[logicalId];
  const roleLogicalId = resource?.Properties?.Role?.['Fn::GetAtt']?.[0];
  return resource?.Type === 'AWS::Lambda::Function' && roleLogicalId !== undefined && resource.DependsOn?.[index] === roleLogicalId;
}

function describeFinding(finding: CfnLintFinding): string {
  return `${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`;
}

/** Returns the text of an `Fn::Join` with an empty separator, showing each `Ref` as `${Name}`. */
function joinedText(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  const [separator, parts] = value['Fn::Join'];
  return parts.map((part: any) => (typeof part === 'string' ? part : `\${${part.Ref}}`)).join(separator);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
