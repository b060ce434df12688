/**
 * Boundary tests of the synth-time validators: each limit is accepted at its edge and rejected one
 * step past it, and each message shows the value as the rules in src/private/validation.ts format it.
 * The mutation tests (stryker.config.mjs, scope "validators") run this file, so it is kept fast.
 */
import { App, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  BedrockModel,
  CostTrackedInferenceProfile,
  CostTrackedInferenceProfileProps,
} from '../../src';
import { geographyServesRegion, routedFoundationModelArnsIn, systemProfileArnIn } from '../../src/bedrock-model';
import { costAllocationTagMap } from '../../src/cost-allocation-tags';
import { checkFraction, checkIntegerRange, firstInvalidCharacter, isConcrete, throwInvalidProp } from '../../src/private/validation';

/**
 * Generated names of a profile "Profile" in stack "CostStack" that copies amazon.nova-pro-v1:0,
 * without and with the description "Nova for finance". The suffix is the first 8 hex digits of
 * SHA-256 over the stack name, construct path, model id and description, joined by newlines.
 */
const STABLE_GENERATED_NAME = 'CostStack-Profile-5054df4d';
const STABLE_DESCRIBED_NAME = 'CostStack-Profile-cbfc2369';

function newStack(stackName = 'RulesStack'): Stack {
  return new Stack(new App(), stackName, { env: { account: '111122223333', region: 'us-east-1' } });
}

function newProfile(overrides: Partial<CostTrackedInferenceProfileProps> = {}, scope: Construct = newStack(), id = 'Profile'): CostTrackedInferenceProfile {
  return new CostTrackedInferenceProfile(scope, id, {
    model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    costAllocationTags: { application: 'App' },
    ...overrides,
  });
}

describe('validation helpers', () => {
  const scope = newStack();

  test('message format', () => {
    expect(() => throwInvalidProp(scope, 'prop', 'value', 'the rule', 'the fix')).toThrow(/^RulesStack: invalid prop "value": the rule; the fix$/);
  });

  test('long string cut at 80', () => {
    expect(() => throwInvalidProp(scope, 'prop', 'x'.repeat(80), 'rule', 'fix')).toThrow(`invalid prop "${'x'.repeat(80)}": rule`);
    expect(() => throwInvalidProp(scope, 'prop', 'y'.repeat(81), 'rule', 'fix')).toThrow(`invalid prop "${'y'.repeat(80)}..." (81 characters): rule`);
  });

  test('numbers and objects shown', () => {
    expect(() => throwInvalidProp(scope, 'prop', NaN, 'rule', 'fix')).toThrow('invalid prop NaN: rule');
    expect(() => throwInvalidProp(scope, 'prop', -Infinity, 'rule', 'fix')).toThrow('invalid prop -Infinity: rule');
    expect(() => throwInvalidProp(scope, 'prop', { a: 1 }, 'rule', 'fix')).toThrow('invalid prop {"a":1}: rule');
    expect(() => throwInvalidProp(scope, 'prop', undefined, 'rule', 'fix')).toThrow('invalid prop undefined: rule');
  });

  test('isConcrete', () => {
    expect(isConcrete('text')).toBe(true);
    expect(isConcrete('')).toBe(true);
    expect(isConcrete(undefined)).toBe(false);
    expect(isConcrete(Lazy.string({ produce: () => 'x' }))).toBe(false);
  });

  test('integer range edges', () => {
    expect(() => checkIntegerRange(scope, 'count', 1, 1, 20, 'rounds')).not.toThrow();
    expect(() => checkIntegerRange(scope, 'count', 20, 1, 20, 'rounds')).not.toThrow();
    expect(() => checkIntegerRange(scope, 'count', undefined, 1, 20, 'rounds')).not.toThrow();
    expect(() => checkIntegerRange(scope, 'count', 0, 1, 20, 'rounds'))
      .toThrow('invalid count 0: must be a whole number of rounds from 1 to 20; set count within that range');
    expect(() => checkIntegerRange(scope, 'count', 21, 1, 20, 'rounds')).toThrow('invalid count 21');
    expect(() => checkIntegerRange(scope, 'count', 1.5, 1, 20, 'rounds')).toThrow('invalid count 1.5');
    expect(() => checkIntegerRange(scope, 'count', Token.asNumber(Lazy.any({ produce: () => 99 })), 1, 20, 'rounds')).not.toThrow();
  });

  test('fraction edges', () => {
    expect(() => checkFraction(scope, 'share', 0)).not.toThrow();
    expect(() => checkFraction(scope, 'share', 1)).not.toThrow();
    expect(() => checkFraction(scope, 'share', undefined)).not.toThrow();
    expect(() => checkFraction(scope, 'share', -0.001)).toThrow('invalid share -0.001: must be a number from 0 to 1; set share within that range');
    expect(() => checkFraction(scope, 'share', 1.001)).toThrow('invalid share 1.001');
    expect(() => checkFraction(scope, 'share', NaN)).toThrow('invalid share NaN');
    expect(() => checkFraction(scope, 'share', Token.asNumber(Lazy.any({ produce: () => 5 })))).not.toThrow();
  });

  test('first invalid character', () => {
    expect(firstInvalidCharacter('ab!c?', /^[a-z]$/)).toBe(' (found "!")');
    expect(firstInvalidCharacter('abc', /^[a-z]$/)).toBe('');
    // A character outside the Basic Multilingual Plane is one character, not two halves.
    expect(firstInvalidCharacter('a\u{1f600}', /^[a-z]$/)).toBe(' (found "\u{1f600}")');
  });
});

describe('cost allocation tags', () => {
  const tagsOf = (tags: Parameters<typeof costAllocationTagMap>[1]) => costAllocationTagMap(newStack(), tags, 'tags');

  test('named fields and order', () => {
    expect(tagsOf({ application: 'App', environment: 'Prod', costCenter: 'CC', additionalTags: { Team: 'T' } }))
      .toEqual({ Application: 'App', Environment: 'Prod', CostCenter: 'CC', Team: 'T' });
    expect(Object.keys(tagsOf({ application: 'App', additionalTags: { Zeta: 'z', Alpha: 'a' } }))).toEqual(['Application', 'Zeta', 'Alpha']);
  });

  test('application required', () => {
    expect(() => tagsOf({} as any))
      .toThrow('invalid tags.application undefined: the Application tag is required; set application to the name of the application that pays');
  });

  test('one-character key and value', () => {
    expect(tagsOf({ application: 'a', additionalTags: { k: 'v' } })).toEqual({ Application: 'a', k: 'v' });
  });

  test('additional value named by key', () => {
    expect(() => tagsOf({ application: 'App', additionalTags: { Team: '' } }))
      .toThrow('invalid tags.additionalTags["Team"] "": an empty tag value cannot group costs; set a value, or leave the optional field out');
    expect(() => tagsOf({ application: 'App', additionalTags: { Team: 'a;b' } }))
      .toThrow('invalid tags.additionalTags["Team"] "a;b": a tag value may contain only letters, digits, white space and _ . : / = + @ - (found ";"); remove the other characters');
  });

  test('key length edges', () => {
    expect(() => tagsOf({ application: 'App', additionalTags: { ['k'.repeat(128)]: 'v' } })).not.toThrow();
    expect(() => tagsOf({ application: 'App', additionalTags: { ['k'.repeat(129)]: 'v' } }))
      .toThrow('a tag key must have 1 to 128 characters; shorten or rename the key');
    expect(() => tagsOf({ application: 'App', additionalTags: { '': 'v' } })).toThrow('invalid tags.additionalTags "": a tag key must have 1 to 128 characters');
  });

  test('value length edges', () => {
    expect(() => tagsOf({ application: 'v'.repeat(256) })).not.toThrow();
    expect(() => tagsOf({ application: 'v'.repeat(257) })).toThrow('a tag value may have at most 256 characters; shorten the value');
  });

  test('reserved prefix in any case', () => {
    for (const key of ['aws:x', 'AWS:x', 'Aws:x']) {
      expect(() => tagsOf({ application: 'App', additionalTags: { [key]: 'v' } }))
        .toThrow(`invalid tags.additionalTags "${key}": the "aws:" prefix is reserved for tags that AWS creates; choose a key without the "aws:" prefix`);
    }
    expect(() => tagsOf({ application: 'App', additionalTags: { 'x-aws:': 'v' } })).not.toThrow();
  });

  test('characters rejected with the first one', () => {
    expect(() => tagsOf({ application: 'App', additionalTags: { 'Team!': 'v' } }))
      .toThrow('a tag key may contain only letters, digits, white space and _ . : / = + @ - (found "!"); remove the other characters');
    expect(() => tagsOf({ application: 'App#1' })).toThrow('invalid tags.application "App#1": a tag value may contain only letters, digits, white space and _ . : / = + @ - (found "#")');
    expect(() => tagsOf({ application: 'a_b.c:d/e=f+g@h-i j' })).not.toThrow();
  });

  test('blank values rejected', () => {
    expect(() => tagsOf({ application: '   ' })).toThrow('invalid tags.application "   ": an empty tag value cannot group costs; set a value');
    expect(() => tagsOf({ application: 'App', environment: '' }))
      .toThrow('invalid tags.environment "": an empty tag value cannot group costs; set a value, or leave the optional field out');
    expect(() => tagsOf({ application: 'App', costCenter: ' ' })).toThrow('invalid tags.costCenter " "');
  });

  test('non-string value rejected', () => {
    expect(() => tagsOf({ application: 42 as any })).toThrow('invalid tags.application 42: a tag value must be a string; pass the value as a string');
  });

  test('duplicate keys without case', () => {
    expect(() => tagsOf({ application: 'App', additionalTags: { Team: 'a', TEAM: 'b' } }))
      .toThrow('invalid tags.additionalTags "TEAM": the key duplicates "Team" (tag keys are compared without case); '
        + 'remove "TEAM" from additionalTags or set the value through the matching field');
    expect(() => tagsOf({ application: 'App', additionalTags: { environment: 'x' } }))
      .toThrow('invalid tags.additionalTags "environment": the key duplicates a named field (tag keys are compared without case); set tags.environment instead');
    expect(() => tagsOf({ application: 'App', additionalTags: { COSTCENTER: 'x' } })).toThrow('set tags.costCenter instead');
    expect(() => tagsOf({ application: 'App', additionalTags: { Application: 'x' } })).toThrow('set tags.application instead');
  });

  test('tokens pass unchecked', () => {
    const token = Lazy.string({ produce: () => 'aws:anything!' });
    expect(() => tagsOf({ application: token, additionalTags: { [token]: token, [Lazy.string({ produce: () => 'x' })]: 'v' } })).not.toThrow();
  });
});

describe('model ids', () => {
  const part63 = 'a'.repeat(63);

  test('foundation model id edges', () => {
    expect(BedrockModel.foundationModel(`${part63}.${part63}`).modelId).toBe(`${part63}.${part63}`);
    expect(() => BedrockModel.foundationModel(`${part63}a.model`)).toThrow('expected "provider.model"');
    expect(() => BedrockModel.foundationModel('a.b:1.2.3.4.5.6')).not.toThrow();
    expect(() => BedrockModel.foundationModel('a.b:1.2.3.4.5.6.7')).toThrow('expected "provider.model"');
    // Version and variant parts may have several characters, as in amazon.titan-embed-text-v2:0:8k.
    expect(BedrockModel.foundationModel('amazon.titan-embed-text-v2:0:8k').modelId).toBe('amazon.titan-embed-text-v2:0:8k');
    expect(BedrockModel.crossRegionProfile('us.amazon.titan-embed-text-v2:0:8k').foundationModelId).toBe('amazon.titan-embed-text-v2:0:8k');
    expect(() => BedrockModel.foundationModel('amazon')).toThrow('invalid modelId "amazon"');
    expect(() => BedrockModel.foundationModel('Amazon.nova')).toThrow('invalid modelId "Amazon.nova"');
    expect(() => BedrockModel.foundationModel('amazon.nova\n')).toThrow('invalid modelId');
    expect(() => BedrockModel.foundationModel('xamazon.nova-pro-v1:0x ')).toThrow('invalid modelId');
  });

  test('foundation model rejects prefixes and ARNs', () => {
    for (const geography of ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global']) {
      expect(() => BedrockModel.foundationModel(`${geography}.anthropic.claude`))
        .toThrow(`the "${geography}." prefix names a cross-Region inference profile; use BedrockModel.crossRegionProfile("${geography}.anthropic.claude") instead`);
    }
    expect(() => BedrockModel.foundationModel('arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0')).toThrow('not an ARN');
  });

  test('foundation model attributes', () => {
    const model = BedrockModel.foundationModel('amazon.nova-pro-v1:0');
    expect(model.foundationModelId).toBe('amazon.nova-pro-v1:0');
    expect(model.crossRegionProfileId).toBeUndefined();
    expect(model.isCrossRegion).toBe(false);
    expect(model.geography).toBeUndefined();
  });

  test('profile id edges', () => {
    const model = BedrockModel.crossRegionProfile('us-gov.anthropic.claude-3:0');
    expect(model.foundationModelId).toBe('anthropic.claude-3:0');
    expect(model.geography).toBe('us-gov');
    expect(model.isCrossRegion).toBe(true);
    expect(() => BedrockModel.crossRegionProfile('.anthropic.claude')).toThrow('a system-defined profile id starts with a geography prefix ("us.", "us-gov.", "eu."');
    expect(() => BedrockModel.crossRegionProfile('xx.anthropic.claude')).toThrow('invalid profileId "xx.anthropic.claude"');
    expect(() => BedrockModel.crossRegionProfile('us')).toThrow('invalid profileId "us"');
    expect(() => BedrockModel.crossRegionProfile('us.Anthropic')).toThrow('"Anthropic" after the geography prefix is not a foundation-model id');
    expect(() => BedrockModel.crossRegionProfile('arn:aws:bedrock:us-east-1:1:inference-profile/us.a.b')).toThrow('not an ARN');
  });

  test('token profile id', () => {
    const token = Lazy.string({ produce: () => 'us.a.b' });
    const model = BedrockModel.crossRegionProfile(token);
    expect(model.foundationModelId).toBeUndefined();
    expect(model.isCrossRegion).toBe(true);
    expect(model.geography).toBeUndefined();
    expect(routedFoundationModelArnsIn(model, 'aws', 'us-east-1')).toEqual([
      'arn:aws:bedrock:*::foundation-model/*',
      'arn:aws:bedrock:::foundation-model/*',
    ]);
    expect(() => BedrockModel.foundationModel(token)).not.toThrow();
  });

  test('routed ARNs per source', () => {
    expect(routedFoundationModelArnsIn(BedrockModel.foundationModel('a.b'), 'aws-cn', 'cn-north-1')).toEqual(['arn:aws-cn:bedrock:cn-north-1::foundation-model/a.b']);
    expect(routedFoundationModelArnsIn(BedrockModel.crossRegionProfile('eu.a.b'), 'aws', 'eu-west-1')).toEqual(['arn:aws:bedrock:*::foundation-model/a.b']);
    expect(routedFoundationModelArnsIn(BedrockModel.crossRegionProfile('global.a.b'), 'aws', 'eu-west-1')).toEqual([
      'arn:aws:bedrock:*::foundation-model/a.b',
      'arn:aws:bedrock:::foundation-model/a.b',
    ]);
    expect(systemProfileArnIn(BedrockModel.crossRegionProfile('us.a.b'), 'aws', 'us-east-1', '111122223333'))
      .toBe('arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.a.b');
  });

  test('copy-from ARN per source', () => {
    const stack = newStack();
    expect(stack.resolve(BedrockModel.foundationModel('a.b').copyFromArn(stack)))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/a.b']] });
    expect(stack.resolve(BedrockModel.crossRegionProfile('us.a.b').copyFromArn(stack)))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1:111122223333:inference-profile/us.a.b']] });
    expect(stack.resolve(BedrockModel.crossRegionProfile('us.a.b').routedFoundationModelArns(stack)))
      .toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:*::foundation-model/a.b']] }]);
  });

  test.each([
    ['us', 'us-west-2', 'us-gov-west-1'],
    ['us-gov', 'us-gov-east-1', 'us-east-1'],
    ['eu', 'eu-central-1', 'us-east-1'],
    ['apac', 'ap-south-1', 'eu-west-1'],
    ['jp', 'ap-northeast-3', 'ap-northeast-2'],
    ['au', 'ap-southeast-4', 'ap-southeast-3'],
    ['ca', 'ca-west-1', 'us-west-1'],
  ])('%s geography regions', (geography, served, unserved) => {
    expect(geographyServesRegion(geography, served)).toBe(true);
    expect(geographyServesRegion(geography, unserved)).toBe(false);
  });

  test('geography serves region', () => {
    expect(geographyServesRegion('us', 'us-east-1')).toBe(true);
    expect(geographyServesRegion('us', 'eu-west-1')).toBe(false);
    expect(geographyServesRegion('apac', 'me-south-1')).toBe(true);
    expect(geographyServesRegion('au', 'ap-southeast-2')).toBe(true);
    expect(geographyServesRegion('au', 'ap-southeast-1')).toBe(false);
    expect(geographyServesRegion('global', 'sa-east-1')).toBe(true);
    expect(geographyServesRegion(undefined, 'sa-east-1')).toBe(true);
    expect(geographyServesRegion('unknown', 'sa-east-1')).toBe(true);
    expect(geographyServesRegion('us', Lazy.string({ produce: () => 'eu-west-1' }))).toBe(true);
  });
});

describe('profile name and description', () => {
  test('name length edges', () => {
    expect(newProfile({ inferenceProfileName: 'n'.repeat(64) }).inferenceProfileName).toBe('n'.repeat(64));
    expect(() => newProfile({ inferenceProfileName: 'n'.repeat(65) }))
      .toThrow('must have 1 to 64 characters; shorten the name, or leave it out to get a generated one');
    expect(() => newProfile({ inferenceProfileName: '' })).toThrow('invalid inferenceProfileName "": must have 1 to 64 characters');
  });

  test('name pattern', () => {
    expect(() => newProfile({ inferenceProfileName: 'a b_c-d' })).not.toThrow();
    expect(() => newProfile({ inferenceProfileName: 'a  b' }))
      .toThrow('invalid inferenceProfileName "a  b": must match ^([0-9a-zA-Z][ _-]?)+$: letters and digits, with single spaces, "_" or "-" between them; remove other characters and repeated separators');
    expect(() => newProfile({ inferenceProfileName: '-a' })).toThrow('invalid inferenceProfileName "-a"');
    expect(() => newProfile({ inferenceProfileName: 'a.b' })).toThrow('invalid inferenceProfileName "a.b"');
  });

  test('description edges', () => {
    expect(() => newProfile({ description: 'd'.repeat(200) })).not.toThrow();
    expect(() => newProfile({ description: 'd'.repeat(201) })).toThrow('must have 1 to 200 characters; shorten the description, or leave it out');
    expect(() => newProfile({ description: '' })).toThrow('invalid description "": must have 1 to 200 characters');
    expect(() => newProfile({ description: 'v1.2: a model' })).not.toThrow();
    expect(() => newProfile({ description: 'a, b' }))
      .toThrow('invalid description "a, b": must match ^([0-9a-zA-Z:.][ _-]?)+$: letters, digits, ":" and ".", with single spaces, "_" or "-" between them; remove other characters such as "," or "(" and repeated separators');
  });

  test('required props', () => {
    expect(() => newProfile({ model: undefined as any }))
      .toThrow('invalid model undefined: a model is required; pass BedrockModel.foundationModel(...) or BedrockModel.crossRegionProfile(...)');
    expect(() => newProfile({ costAllocationTags: undefined as any }))
      .toThrow('invalid costAllocationTags undefined: cost allocation tags are required; pass at least { application: "..." }');
  });

  test('one-character name and description', () => {
    const profile = newProfile({ inferenceProfileName: 'n', description: 'd' });
    expect(profile.inferenceProfileName).toBe('n');
  });

  test('tokens pass unchecked', () => {
    expect(() => newProfile({ inferenceProfileName: Lazy.string({ produce: () => '!!' }), description: Lazy.string({ produce: () => '' }) })).not.toThrow();
  });
});

describe('generated profile name', () => {
  test('stack name, path and hash', () => {
    const stack = newStack('My-Stack');
    const parent = new Construct(stack, 'Team_A');
    const name = newProfile({}, parent, 'Profile.v2').inferenceProfileName;
    expect(name).toMatch(/^My-Stack-Team-A-Profilev2-[0-9a-f]{8}$/);
  });

  test('separators collapsed and trimmed', () => {
    const stack = newStack('S');
    const name = newProfile({}, new Construct(stack, '__--  x'), '--').inferenceProfileName;
    expect(name).toMatch(/^S-x-[0-9a-f]{8}$/);
  });

  test('prefix cut to fit 64', () => {
    const stack = newStack(`S${'a'.repeat(120)}`);
    const name = newProfile({}, stack).inferenceProfileName;
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^Sa+-[0-9a-f]{8}$/);
  });

  test('cut prefix loses trailing dash', () => {
    // The readable part is cut at 55 characters, which here ends in "-".
    const stack = newStack(`S${'a'.repeat(53)}`);
    const name = newProfile({}, new Construct(stack, 'b'), 'c').inferenceProfileName;
    expect(name).toMatch(new RegExp(`^S${'a'.repeat(53)}-[0-9a-f]{8}$`));
  });

  test('name stable across releases', () => {
    // A changed hash would rename every deployed profile that uses a generated name.
    const stack = newStack('CostStack');
    expect(newProfile({}, stack).inferenceProfileName).toBe(STABLE_GENERATED_NAME);
    expect(newProfile({ description: 'Nova for finance' }, newStack('CostStack')).inferenceProfileName).toBe(STABLE_DESCRIBED_NAME);
  });

  test('hash changes with replacement inputs', () => {
    const base = newProfile({}, newStack()).inferenceProfileName;
    expect(newProfile({}, newStack()).inferenceProfileName).toBe(base);
    expect(newProfile({ description: 'other' }, newStack()).inferenceProfileName).not.toBe(base);
    expect(newProfile({ model: BedrockModel.foundationModel('amazon.nova-lite-v1:0') }, newStack()).inferenceProfileName).not.toBe(base);
    expect(newProfile({}, newStack(), 'Other').inferenceProfileName.slice(-8)).not.toBe(base.slice(-8));
  });

  test('unreadable id dropped', () => {
    const stack = newStack('S');
    const name = newProfile({}, stack, '!!!').inferenceProfileName;
    expect(name).toMatch(/^S-[0-9a-f]{8}$/);
  });
});
