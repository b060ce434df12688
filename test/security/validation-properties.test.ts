/**
 * Property tests of the synth-time validators, with fast-check:
 *
 * - Any accepted configuration synthesises a template that cfn-lint accepts. The configurations are
 *   synthesised first and linted in one cfn-lint run, because each run starts a Python process.
 * - Any rejected value fails with an error that names the prop and shows the value.
 * - An unresolved token is never rejected, because its value is unknown at synth time.
 * - A generated profile name is valid whatever the stack name and construct path contain.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  AnomalyThreshold,
  BedrockModel,
  BudgetAlert,
  CostTrackedBedrockAgent,
  CostTrackedBedrockAgentProps,
  CostTrackedInferenceProfile,
} from '../../src';

const REGION = 'us-east-1';
/** Accepted configurations that are synthesised and linted. Kept small for a 2-core CI machine. */
const LINTED_CONFIGURATIONS = 25;
const RUNS = 100;
const NAME_RULE = /^([0-9a-zA-Z][ _-]?)+$/;

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const TAG_CHARACTERS = [...ALNUM, ' ', '_', '.', ':', '/', '=', '+', '@', '-'];

// --- Arbitraries of accepted values ---

/** Letters and digits, each optionally followed by one separator, as the profile name rule allows. */
function separatedText(characters: string[], maxLength: number): fc.Arbitrary<string> {
  const unit = fc.tuple(fc.constantFrom(...characters), fc.constantFrom('', ' ', '_', '-')).map(([character, separator]) => character + separator);
  return fc.array(unit, { minLength: 1, maxLength: Math.ceil(maxLength / 2) }).map((units) => units.join('').slice(0, maxLength));
}

const profileName = separatedText(ALNUM, 64);
const description = separatedText([...ALNUM, ':', '.'], 200);
const tagValue = fc.string({ unit: fc.constantFrom(...TAG_CHARACTERS), minLength: 1, maxLength: 256 }).filter((value) => value.trim() !== '');
const tagKey = fc.string({ unit: fc.constantFrom(...TAG_CHARACTERS), minLength: 1, maxLength: 128 })
  .filter((key) => !key.toLowerCase().startsWith('aws:'))
  .filter((key) => !['application', 'environment', 'costcenter', 'caller'].includes(key.toLowerCase()));
const modelPart = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 20 });
const foundationModelId = fc.tuple(modelPart, modelPart, fc.option(modelPart, { nil: undefined }))
  .filter(([provider]) => !['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'].includes(provider))
  .map(([provider, model, version]) => `${provider}.${model}${version === undefined ? '' : `:${version}`}`);
const model = fc.oneof(
  foundationModelId.map((id) => BedrockModel.foundationModel(id)),
  fc.tuple(fc.constantFrom('us', 'global'), foundationModelId).map(([geography, id]) => BedrockModel.crossRegionProfile(`${geography}.${id}`)),
);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const systemPrompt = fc.string({ minLength: 1, maxLength: 500 }).filter((text) => text.trim() !== '' && Buffer.byteLength(text) <= 2048);
const dashboardName = fc.string({ unit: fc.constantFrom(...ALNUM, '-', '_'), minLength: 1, maxLength: 255 });

/** Accepted agent props, every optional prop sometimes left out. */
const agentProps: fc.Arbitrary<CostTrackedBedrockAgentProps> = fc.record({
  model,
  costAllocationTags: fc.record({
    application: tagValue,
    environment: fc.option(tagValue, { nil: undefined }),
    costCenter: fc.option(tagValue, { nil: undefined }),
    additionalTags: fc.option(fc.dictionary(tagKey, tagValue, { maxKeys: 3 }), { nil: undefined }),
  }),
  inferenceProfileName: fc.option(profileName, { nil: undefined }),
  description: fc.option(description, { nil: undefined }),
  systemPrompt: fc.option(systemPrompt, { nil: undefined }),
  maxToolRounds: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  maxOutputTokens: fc.option(fc.integer({ min: 1, max: 8192 }), { nil: undefined }),
  memorySize: fc.option(fc.integer({ min: 128, max: 10240 }), { nil: undefined }),
  temperature: fc.option(fraction, { nil: undefined }),
  topP: fc.option(fraction, { nil: undefined }),
  timeout: fc.option(fc.integer({ min: 10, max: 900 }).map((seconds) => Duration.seconds(seconds)), { nil: undefined }),
  dashboardName: fc.option(dashboardName, { nil: undefined }),
  budget: fc.option(fc.record({
    monthlyLimit: fc.double({ min: 0.01, max: 1e9, noNaN: true }),
    alerts: fc.constant([BudgetAlert.actualPercentage(80), BudgetAlert.forecastedPercentage(100)]).map((alerts) => [...alerts]),
    emailAddresses: fc.constant(['finops@example.com']).map((addresses) => [...addresses]),
  }), { nil: undefined }),
  anomalyAlert: fc.option(fc.record({
    threshold: fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }))
      .map(([amount, percent]) => AnomalyThreshold.absoluteAndPercentageImpact(amount, percent)),
    emailAddresses: fc.constant(['finops@example.com']).map((addresses) => [...addresses]),
  }), { nil: undefined }),
}, { requiredKeys: ['model', 'costAllocationTags'] }).filter((props) => {
  // Tag keys are compared without case, so additional keys must not collide with each other.
  const keys = Object.keys(props.costAllocationTags.additionalTags ?? {}).map((key) => key.toLowerCase());
  return new Set(keys).size === keys.length;
});

function newStack(app = new App(), stackName = 'PropertyStack'): Stack {
  return new Stack(app, stackName, { env: { account: '111122223333', region: REGION } });
}

const BASE_PROPS: CostTrackedBedrockAgentProps = {
  model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
  costAllocationTags: { application: 'CloudEngineer' },
};

/** Builds an agent with `overrides` on top of valid props. */
function buildAgent(overrides: Partial<CostTrackedBedrockAgentProps>, stack = newStack()): CostTrackedBedrockAgent {
  return new CostTrackedBedrockAgent(stack, 'Agent', { ...BASE_PROPS, ...overrides });
}

/** Returns the message of the error that `build` throws, or fails the test when it throws none. */
function errorMessageOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a validation error, but none was thrown');
}

/** Formats a value as the error message shows it: strings quoted and cut at 80 characters, numbers as text. */
function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80 ? `"${value.slice(0, 80)}..."` : `"${value}"`;
  }
  return String(value);
}

function expectRejected(build: () => unknown, prop: string, value: unknown): void {
  const message = errorMessageOf(build);
  expect(message).toContain(`invalid ${prop} `);
  expect(message).toContain(shownValue(value));
}

interface CfnLintFinding {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: Array<string | number> };
}

/**
 * Returns true for cfn-lint's W3005 on a Lambda function's DependsOn entry for its own role.
 * lambda.Function in aws-cdk-lib adds that entry although the Role property's Fn::GetAtt already
 * orders the two, so the warning is about aws-cdk-lib's output, not this library's.
 */
function isRoleDependsOnWarning(finding: CfnLintFinding): boolean {
  const template = JSON.parse(fs.readFileSync(finding.Filename, 'utf8'));
  const [section, logicalId, attribute, index] = finding.Location.Path;
  const resource = section === 'Resources' ? template.Resources[logicalId] : undefined;
  return finding.Rule.Id === 'W3005'
    && attribute === 'DependsOn'
    && resource?.Type === 'AWS::Lambda::Function'
    && resource.DependsOn?.[index as number] === resource.Properties?.Role?.['Fn::GetAtt']?.[0];
}

// --- Accepted values ---

describe('accepted configurations', () => {
  test('pass cfn-lint', () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-properties-'));
    try {
      const configurations = fc.sample(agentProps, { numRuns: LINTED_CONFIGURATIONS, seed: 20261204 });
      const templateFiles = configurations.map((props, index) => {
        const stack = newStack(new App(), `Accepted${index}`);
        new CostTrackedBedrockAgent(stack, 'Agent', props);
        const file = path.join(outDir, `Accepted${index}.template.json`);
        fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
        return file;
      });

      const output = execFileSync('python3', [
        '-c', 'from cfnlint.runner import main; main()',
        '--format', 'json',
        '--regions', REGION,
        // The test judges the findings, so the exit code only reports a failure of cfn-lint itself.
        '--non-zero-exit-code', 'none',
        '--', ...templateFiles,
      ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const findings = (JSON.parse(output) as CfnLintFinding[])
        .filter((finding) => finding.Level !== 'Informational')
        .filter((finding) => !isRoleDependsOnWarning(finding));

      expect(findings.map((finding) => `${finding.Filename} ${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`)).toEqual([]);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('props synthesise without error', () => {
    fc.assert(fc.property(agentProps, (props) => {
      buildAgent(props);
    }), { numRuns: 30 });
  });
});

// --- Rejected values ---

describe('rejected values name prop and value', () => {
  test('profile name', () => {
    const invalid = fc.oneof(
      fc.string({ minLength: 1, maxLength: 70 }).filter((name) => !NAME_RULE.test(name)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 65, maxLength: 300 }),
    );
    fc.assert(fc.property(invalid, (name) => {
      expectRejected(() => buildAgent({ inferenceProfileName: name }), 'inferenceProfileName', name);
    }), { numRuns: RUNS });
  });

  test('empty profile name', () => {
    expectRejected(() => buildAgent({ inferenceProfileName: '' }), 'inferenceProfileName', '');
  });

  test('description', () => {
    const invalid = fc.oneof(
      fc.string({ minLength: 1, maxLength: 70 }).filter((text) => !/^([0-9a-zA-Z:.][ _-]?)+$/.test(text)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 201, maxLength: 500 }),
      fc.constant(''),
    );
    fc.assert(fc.property(invalid, (text) => {
      expectRejected(() => buildAgent({ description: text }), 'description', text);
    }), { numRuns: RUNS });
  });

  test('tag values', () => {
    const invalid = fc.oneof(
      fc.string({ maxLength: 40 }).filter((value) => value.trim() === '' || !/^[a-zA-Z0-9\s._:/=+@-]*$/.test(value)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 257, maxLength: 400 }),
    );
    fc.assert(fc.property(invalid, fc.constantFrom('application', 'environment', 'costCenter'), (value, field) => {
      expectRejected(() => buildAgent({ costAllocationTags: { application: 'App', [field]: value } }), `costAllocationTags.${field}`, value);
    }), { numRuns: RUNS });
  });

  test('tag keys', () => {
    const invalid = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }).filter((key) => !/^[a-zA-Z0-9\s._:/=+@-]*$/.test(key)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 129, maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...TAG_CHARACTERS), maxLength: 20 }).map((rest) => `aws:${rest}`),
      fc.string({ unit: fc.constantFrom(...TAG_CHARACTERS), maxLength: 20 }).map((rest) => `AWS:${rest}`),
      fc.constantFrom('application', 'ENVIRONMENT', 'costcenter'),
    );
    fc.assert(fc.property(invalid, (key) => {
      expectRejected(() => buildAgent({ costAllocationTags: { application: 'App', additionalTags: { [key]: 'value' } } }),
        'costAllocationTags.additionalTags', key);
    }), { numRuns: RUNS });
  });

  test('foundation model ids', () => {
    const invalid = fc.oneof(
      fc.string({ maxLength: 40 }).filter((id) => !/^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}([.:][a-z0-9-]{1,63}){0,6}$/.test(id)),
      fc.tuple(fc.constantFrom('us', 'eu', 'apac', 'global'), foundationModelId).map(([geography, id]) => `${geography}.${id}`),
      foundationModelId.map((id) => `arn:aws:bedrock:us-east-1::foundation-model/${id}`),
    );
    fc.assert(fc.property(invalid, (id) => {
      const message = errorMessageOf(() => BedrockModel.foundationModel(id));
      expect(message).toContain(`invalid modelId "${id}"`);
    }), { numRuns: RUNS });
  });

  test('cross-Region profile ids', () => {
    const invalid = fc.oneof(
      foundationModelId,
      fc.tuple(fc.constantFrom('us', 'eu', 'apac', 'global'), fc.string({ maxLength: 30 }))
        .map(([geography, rest]) => `${geography}.${rest}`)
        .filter((id) => !/^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}([.:][a-z0-9-]{1,63}){0,6}$/.test(id.slice(id.indexOf('.') + 1))),
      foundationModelId.map((id) => `arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.${id}`),
    );
    fc.assert(fc.property(invalid, (id) => {
      const message = errorMessageOf(() => BedrockModel.crossRegionProfile(id));
      expect(message).toContain(`invalid profileId "${id}"`);
    }), { numRuns: RUNS });
  });

  test.each([
    ['maxToolRounds', 1, 20],
    ['maxOutputTokens', 1, 8192],
    ['memorySize', 128, 10240],
  ] as const)('%s outside its range', (prop, min, max) => {
    const invalid = fc.oneof(
      fc.integer({ max: min - 1 }),
      fc.integer({ min: max + 1 }),
      fc.double({ min, max, noNaN: true }).filter((value) => !Number.isInteger(value)),
      fc.constantFrom(NaN, Infinity, -Infinity),
    );
    fc.assert(fc.property(invalid, (value) => {
      expectRejected(() => buildAgent({ [prop]: value }), prop, value);
    }), { numRuns: RUNS });
  });

  test.each(['temperature', 'topP'] as const)('%s outside 0 to 1', (prop) => {
    const invalid = fc.oneof(
      fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
      fc.double({ min: 1.0000001, noNaN: true }),
      fc.constantFrom(NaN, Infinity, -Infinity),
    );
    fc.assert(fc.property(invalid, (value) => {
      expectRejected(() => buildAgent({ [prop]: value }), prop, value);
    }), { numRuns: RUNS });
  });

  test('timeout', () => {
    const invalid = fc.oneof(
      fc.integer({ min: 0, max: 9 }).map((seconds) => Duration.seconds(seconds)),
      fc.integer({ min: 901, max: 100_000 }).map((seconds) => Duration.seconds(seconds)),
      fc.integer({ min: 10_001, max: 899_999 }).filter((ms) => ms % 1000 !== 0).map((ms) => Duration.millis(ms)),
    );
    fc.assert(fc.property(invalid, (timeout) => {
      expectRejected(() => buildAgent({ timeout }), 'timeout', timeout.toHumanString());
    }), { numRuns: RUNS });
  });

  test('system prompt', () => {
    const invalid = fc.oneof(
      fc.string({ unit: fc.constantFrom(' ', '\t', '\n'), minLength: 1, maxLength: 20 }),
      fc.string({ unit: fc.constantFrom('a', '\u00e9', '\u4e2d', '\u{1f600}'), minLength: 700, maxLength: 3000 })
        .filter((text) => Buffer.byteLength(text) > 2048),
    );
    fc.assert(fc.property(invalid, (text) => {
      expectRejected(() => buildAgent({ systemPrompt: text }), 'systemPrompt', text);
    }), { numRuns: 30 });
  });

  test('dashboard name', () => {
    const invalid = fc.oneof(
      fc.string({ maxLength: 40 }).filter((name) => !/^[A-Za-z0-9_-]+$/.test(name)),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 256, maxLength: 400 }),
    );
    fc.assert(fc.property(invalid, (name) => {
      expectRejected(() => buildAgent({ dashboardName: name }), 'dashboardName', name);
    }), { numRuns: RUNS });
  });

  test('budget limit', () => {
    const invalid = fc.oneof(fc.double({ max: 0, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(fc.property(invalid, (monthlyLimit) => {
      expectRejected(() => buildAgent({ budget: { monthlyLimit, emailAddresses: ['finops@example.com'] } }), 'monthlyLimit', monthlyLimit);
    }), { numRuns: RUNS });
  });

  test('budget alert threshold', () => {
    // A percentage threshold must be from 0.1 to 1,000,000.
    const invalid = fc.oneof(fc.double({ max: 0.0999, noNaN: true }), fc.double({ min: 1_000_000.01, noNaN: true }), fc.constant(NaN));
    fc.assert(fc.property(invalid, (threshold) => {
      expectRejected(() => buildAgent({
        budget: { monthlyLimit: 100, alerts: [BudgetAlert.actualPercentage(threshold)], emailAddresses: ['finops@example.com'] },
      }), 'alerts[0]', threshold);
    }), { numRuns: RUNS });
  });

  test('budget email address', () => {
    const invalid = fc.string({ maxLength: 40 }).filter((address) => !/^[a-zA-Z0-9.!#$%&'*+=?^_`{|}~-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/.test(address));
    fc.assert(fc.property(invalid, (address) => {
      expectRejected(() => buildAgent({ budget: { monthlyLimit: 100, emailAddresses: [address] } }), 'emailAddresses[0]', address);
    }), { numRuns: RUNS });
  });

  test('anomaly threshold', () => {
    const invalid = fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constantFrom(NaN, Infinity));
    fc.assert(fc.property(invalid, (amount) => {
      expectRejected(() => buildAgent({
        anomalyAlert: { threshold: AnomalyThreshold.absoluteImpact(amount), emailAddresses: ['finops@example.com'] },
      }), 'threshold.absoluteAmount', amount);
    }), { numRuns: RUNS });
  });
});

// --- Tokens ---

describe('unresolved tokens accepted', () => {
  const lazyString = () => Lazy.string({ produce: () => 'resolved-later' });
  const lazyNumber = () => Token.asNumber(Lazy.any({ produce: () => 1 }));

  test.each<[string, () => Partial<CostTrackedBedrockAgentProps>]>([
    ['inferenceProfileName', () => ({ inferenceProfileName: lazyString() })],
    ['description', () => ({ description: lazyString() })],
    ['tag value', () => ({ costAllocationTags: { application: lazyString(), environment: lazyString(), costCenter: lazyString() } })],
    ['tag key', () => ({ costAllocationTags: { application: 'App', additionalTags: { [lazyString()]: lazyString() } } })],
    ['systemPrompt', () => ({ systemPrompt: lazyString() })],
    ['dashboardName', () => ({ dashboardName: lazyString() })],
    ['maxToolRounds', () => ({ maxToolRounds: lazyNumber() })],
    ['maxOutputTokens', () => ({ maxOutputTokens: lazyNumber() })],
    ['memorySize', () => ({ memorySize: lazyNumber() })],
    ['temperature', () => ({ temperature: lazyNumber() })],
    ['topP', () => ({ topP: lazyNumber() })],
    ['timeout', () => ({ timeout: Duration.seconds(lazyNumber()) })],
    ['model id', () => ({ model: BedrockModel.foundationModel(lazyString()) })],
    ['profile id', () => ({ model: BedrockModel.crossRegionProfile(lazyString()) })],
    ['budget limit', () => ({ budget: { monthlyLimit: lazyNumber(), currency: lazyString(), emailAddresses: [lazyString()] } })],
    ['anomaly threshold', () => ({ anomalyAlert: { threshold: AnomalyThreshold.absoluteImpact(lazyNumber()), emailAddresses: ['finops@example.com'] } })],
  ])('%s', (_name, overrides) => {
    expect(() => buildAgent(overrides())).not.toThrow();
  });
});

// --- Generated names ---

describe('generated profile names', () => {
  // CloudFormation stack names: a letter, then letters, digits and "-".
  const stackName = fc.tuple(fc.constantFrom(...ALNUM.filter((character) => /[a-zA-Z]/.test(character))),
    fc.string({ unit: fc.constantFrom(...ALNUM, '-'), maxLength: 120 })).map(([first, rest]) => first + rest);
  // Construct ids may contain any character but "/", including ones the profile name rejects.
  // constructs 10.0.5 keeps children in a plain object, so an id such as "valueOf" collides with an
  // Object.prototype member and fails in constructs, not in this library.
  const constructId = fc.string({ minLength: 1, maxLength: 40 })
    .filter((id) => !id.includes('/') && id.trim() !== '' && !(id in Object.prototype));

  test('match the name rule', () => {
    fc.assert(fc.property(stackName, fc.array(constructId, { minLength: 1, maxLength: 4 }), (name, ids) => {
      const stack = newStack(new App(), name);
      let scope: Construct = stack;
      for (const [index, id] of ids.slice(0, -1).entries()) {
        scope = new Construct(scope, `${id}${index}`);
      }
      const profile = new CostTrackedInferenceProfile(scope, ids[ids.length - 1], {
        model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
        costAllocationTags: { application: 'App' },
      });

      expect(profile.inferenceProfileName).toMatch(NAME_RULE);
      expect(profile.inferenceProfileName.length).toBeLessThanOrEqual(64);
    }), { numRuns: RUNS });
  });

  test('differ between siblings', () => {
    fc.assert(fc.property(fc.uniqueArray(constructId, { minLength: 2, maxLength: 5 }), (ids) => {
      const stack = newStack();
      const names = ids.map((id) => new CostTrackedInferenceProfile(stack, id, {
        model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
        costAllocationTags: { application: 'App' },
      }).inferenceProfileName);

      expect(new Set(names).size).toBe(ids.length);
    }), { numRuns: 30 });
  });
});
