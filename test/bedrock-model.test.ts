import { App, Stack, Token } from 'aws-cdk-lib';
import { BedrockModel } from '../src';
import { geographyServesRegion } from '../src/bedrock-model';

function stack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'ap-southeast-2' } });
}

describe('BedrockModel.foundationModel', () => {
  test('keeps the model id as foundation model id', () => {
    const model = BedrockModel.foundationModel('amazon.nova-pro-v1:0');

    expect(model.modelId).toBe('amazon.nova-pro-v1:0');
    expect(model.foundationModelId).toBe('amazon.nova-pro-v1:0');
    expect(model.isCrossRegion).toBe(false);
  });

  test('copies from the regional foundation-model ARN', () => {
    const scope = stack();
    const arn = scope.resolve(BedrockModel.foundationModel('amazon.nova-pro-v1:0').copyFromArn(scope));

    expect(arn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:ap-southeast-2::foundation-model/amazon.nova-pro-v1:0']],
    });
  });

  test('routes to the stack region only', () => {
    const scope = stack();
    const arns = scope.resolve(BedrockModel.foundationModel('amazon.nova-pro-v1:0').routedFoundationModelArns(scope));

    expect(arns).toHaveLength(1);
    expect(JSON.stringify(arns)).toContain(':bedrock:ap-southeast-2::foundation-model/amazon.nova-pro-v1:0');
  });

  test.each([
    ['an ARN', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', /not an ARN/],
    ['a geography prefix', 'us.anthropic.claude-sonnet-4-6', /BedrockModel\.crossRegionProfile\("us\.anthropic\.claude-sonnet-4-6"\)/],
    ['uppercase letters', 'Amazon.Nova-Pro', /expected "provider\.model"/],
    ['no provider', 'claude', /expected "provider\.model"/],
    ['an empty id', '', /expected "provider\.model"/],
  ])('fails for %s', (_case, modelId, message) => {
    expect(() => BedrockModel.foundationModel(modelId)).toThrow(message);
  });

  test('names the rejected value', () => {
    expect(() => BedrockModel.foundationModel('claude')).toThrow(/invalid modelId "claude"/);
  });

  test('accepts an unresolved token', () => {
    const modelId = Token.asString({ Ref: 'ModelId' });

    expect(BedrockModel.foundationModel(modelId).modelId).toBe(modelId);
  });
});

describe('BedrockModel.crossRegionProfile', () => {
  test.each([
    ['us.anthropic.claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6'],
    ['au.anthropic.claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6'],
    ['us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['apac.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    ['global.anthropic.claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6'],
  ])('derives the foundation model of %s', (profileId, foundationModelId) => {
    const model = BedrockModel.crossRegionProfile(profileId);

    expect(model.foundationModelId).toBe(foundationModelId);
    expect(model.isCrossRegion).toBe(true);
  });

  test('copies from the system profile ARN', () => {
    const scope = stack();
    const arn = scope.resolve(BedrockModel.crossRegionProfile('au.anthropic.claude-sonnet-4-6').copyFromArn(scope));

    expect(arn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:ap-southeast-2:123456789012:inference-profile/au.anthropic.claude-sonnet-4-6']],
    });
  });

  test('routes a geographic profile to any region', () => {
    const scope = stack();
    const arns = JSON.stringify(scope.resolve(BedrockModel.crossRegionProfile('eu.anthropic.claude-sonnet-4-6').routedFoundationModelArns(scope)));

    expect(arns).toContain(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6');
    expect(arns).not.toContain(':bedrock:::foundation-model/');
  });

  test('routes a global profile without region', () => {
    const scope = stack();
    const arns = JSON.stringify(scope.resolve(BedrockModel.crossRegionProfile('global.anthropic.claude-sonnet-4-6').routedFoundationModelArns(scope)));

    expect(arns).toContain(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6');
    expect(arns).toContain(':bedrock:::foundation-model/anthropic.claude-sonnet-4-6');
  });

  test.each([
    ['an unknown geography', 'xx.anthropic.claude-sonnet-4-6', /starts with a geography prefix/],
    ['no geography', 'anthropic.claude-sonnet-4-6', /starts with a geography prefix/],
    ['an ARN', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6', /not an ARN/],
    ['no model after the prefix', 'us.', /not a foundation-model id/],
  ])('fails for %s', (_case, profileId, message) => {
    expect(() => BedrockModel.crossRegionProfile(profileId)).toThrow(message);
  });

  test('accepts an unresolved token', () => {
    const profileId = Token.asString({ Ref: 'ProfileId' });
    const model = BedrockModel.crossRegionProfile(profileId);

    expect(model.foundationModelId).toBeUndefined();
    expect(model.isCrossRegion).toBe(true);
  });

  test('routes a token profile to every model', () => {
    const scope = stack();
    const arns = JSON.stringify(scope.resolve(BedrockModel.crossRegionProfile(Token.asString({ Ref: 'ProfileId' })).routedFoundationModelArns(scope)));

    expect(arns).toContain(':bedrock:*::foundation-model/*');
  });
});

describe('geography', () => {
  test('is the profile prefix', () => {
    expect(BedrockModel.crossRegionProfile('us-gov.anthropic.claude-sonnet-4-6').geography).toBe('us-gov');
  });

  test('is undefined for a foundation model', () => {
    expect(BedrockModel.foundationModel('amazon.nova-pro-v1:0').geography).toBeUndefined();
  });

  test('rejects prototype property names', () => {
    expect(() => BedrockModel.crossRegionProfile('constructor.anthropic.claude-sonnet-4-6')).toThrow(/starts with a geography prefix/);
  });

  test.each([
    ['us', 'us-east-1', true],
    ['us', 'ap-southeast-2', false],
    ['us', 'us-gov-west-1', false],
    ['us-gov', 'us-gov-west-1', true],
    ['au', 'ap-southeast-2', true],
    ['au', 'ap-northeast-1', false],
    ['apac', 'ap-south-1', true],
    ['eu', 'eu-west-3', true],
    ['global', 'sa-east-1', true],
  ])('%s serves %s: %s', (geography, region, expected) => {
    expect(geographyServesRegion(geography, region)).toBe(expected);
  });

  test('unknown region is served', () => {
    expect(geographyServesRegion('us', Token.asString({ Ref: 'AWS::Region' }))).toBe(true);
  });
});
