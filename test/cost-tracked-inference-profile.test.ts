import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BedrockModel, CostTrackedInferenceProfile, CostTrackedInferenceProfileProps } from '../src';

const PROFILE_TYPE = 'AWS::Bedrock::ApplicationInferenceProfile';
const NAME_RULE = /^([0-9a-zA-Z][ _-]?)+$/;

function newStack(stackName = 'CostStack'): Stack {
  return new Stack(new App(), stackName, { env: { account: '123456789012', region: 'us-east-1' } });
}

function newProfile(overrides: Partial<CostTrackedInferenceProfileProps> = {}, stack = newStack()): CostTrackedInferenceProfile {
  return new CostTrackedInferenceProfile(stack, 'Profile', {
    model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    costAllocationTags: { application: 'CloudEngineer', environment: 'Production', costCenter: 'Engineering' },
    ...overrides,
  });
}

function profileProperties(stack: Stack): Record<string, any> {
  const resources = Template.fromStack(stack).findResources(PROFILE_TYPE);
  return Object.values(resources)[0].Properties;
}

function policyStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

describe('profile resource', () => {
  test('copies from the foundation model', () => {
    const stack = newStack();
    newProfile({}, stack);

    Template.fromStack(stack).hasResourceProperties(PROFILE_TYPE, {
      ModelSource: {
        CopyFrom: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0']] },
      },
    });
  });

  test('copies from the system profile', () => {
    const stack = newStack();
    newProfile({ model: BedrockModel.crossRegionProfile('us.anthropic.claude-sonnet-4-6') }, stack);

    Template.fromStack(stack).hasResourceProperties(PROFILE_TYPE, {
      ModelSource: {
        CopyFrom: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6']] },
      },
    });
  });

  test('carries the cost allocation tags', () => {
    const stack = newStack();
    newProfile({
      costAllocationTags: {
        application: 'CloudEngineer',
        environment: 'Production',
        costCenter: 'Engineering',
        additionalTags: { Team: 'Platform' },
      },
    }, stack);

    expect(profileProperties(stack).Tags).toEqual(expect.arrayContaining([
      { Key: 'Application', Value: 'CloudEngineer' },
      { Key: 'Environment', Value: 'Production' },
      { Key: 'CostCenter', Value: 'Engineering' },
      { Key: 'Team', Value: 'Platform' },
    ]));
  });

  test('omits unset optional tags', () => {
    const stack = newStack();
    newProfile({ costAllocationTags: { application: 'CloudEngineer' } }, stack);

    expect(profileProperties(stack).Tags).toEqual([{ Key: 'Application', Value: 'CloudEngineer' }]);
  });

  test('uses a given name and description', () => {
    const stack = newStack();
    newProfile({ inferenceProfileName: 'cloud-engineer', description: 'Cloud engineer agent v1.0' }, stack);

    Template.fromStack(stack).hasResourceProperties(PROFILE_TYPE, {
      InferenceProfileName: 'cloud-engineer',
      Description: 'Cloud engineer agent v1.0',
    });
  });

  test('arn attribute is the GetAtt', () => {
    const stack = newStack();
    const profile = newProfile({}, stack);

    expect(stack.resolve(profile.inferenceProfileArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Profile/), 'InferenceProfileArn'] });
  });
});

describe('default name', () => {
  test('matches the CloudFormation rule', () => {
    const stack = newStack('Cost--Stack-');
    const parent = new Construct(stack, '_Team agent (v2)!');
    const profile = new CostTrackedInferenceProfile(parent, '--Profile--', {
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
      costAllocationTags: { application: 'A' },
    });

    expect(profile.inferenceProfileName).toMatch(NAME_RULE);
    expect(profile.inferenceProfileName.length).toBeLessThanOrEqual(64);
  });

  test('stays within 64 characters', () => {
    const stack = newStack('A'.repeat(120));
    const profile = newProfile({}, stack);

    expect(profile.inferenceProfileName.length).toBeLessThanOrEqual(64);
    expect(profile.inferenceProfileName).toMatch(NAME_RULE);
  });

  test('differs between stacks', () => {
    const first = newProfile({}, newStack('First'));
    const second = newProfile({}, newStack('Second'));

    expect(first.inferenceProfileName).not.toBe(second.inferenceProfileName);
  });

  test('differs between construct paths', () => {
    const stack = newStack();
    const first = new CostTrackedInferenceProfile(stack, 'First', { model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'), costAllocationTags: { application: 'A' } });
    const second = new CostTrackedInferenceProfile(stack, 'Second', { model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'), costAllocationTags: { application: 'A' } });

    expect(first.inferenceProfileName).not.toBe(second.inferenceProfileName);
  });

  test('changes with the model', () => {
    const before = newProfile({}, newStack());
    const after = newProfile({ model: BedrockModel.foundationModel('amazon.nova-lite-v1:0') }, newStack());

    expect(before.inferenceProfileName).not.toBe(after.inferenceProfileName);
  });

  test('changes with the description', () => {
    const before = newProfile({}, newStack());
    const after = newProfile({ description: 'Second version' }, newStack());

    expect(before.inferenceProfileName).not.toBe(after.inferenceProfileName);
  });

  test('is stable across synths', () => {
    expect(newProfile({}, newStack()).inferenceProfileName).toBe(newProfile({}, newStack()).inferenceProfileName);
  });
});

describe('validation', () => {
  test.each([
    ['too long', 'a'.repeat(65), /must have 1 to 64 characters/],
    ['repeated separators', 'cloud--engineer', /must match/],
    ['a leading separator', '-cloud', /must match/],
    ['a dot', 'cloud.engineer', /must match/],
  ])('fails if name has %s', (_case, inferenceProfileName, message) => {
    expect(() => newProfile({ inferenceProfileName })).toThrow(message);
  });

  test('name error names prop and value', () => {
    expect(() => newProfile({ inferenceProfileName: 'bad!name' })).toThrow(/CostStack\/Profile: invalid inferenceProfileName "bad!name": must match/);
  });

  test('long values are cut in errors', () => {
    expect(() => newProfile({ inferenceProfileName: 'n'.repeat(100) })).toThrow(/"n{80}\.\.\." \(100 characters\)/);
  });

  test.each([
    ['too long', 'a'.repeat(201), /must have 1 to 200 characters/],
    ['a comma', 'Agent, version one', /must match/],
    ['empty', '', /must have 1 to 200 characters/],
  ])('fails if description is %s', (_case, description, message) => {
    expect(() => newProfile({ description })).toThrow(message);
  });

  test('accepts token name and description', () => {
    const stack = newStack();
    newProfile({ inferenceProfileName: Token.asString({ Ref: 'Name' }), description: Token.asString({ Ref: 'Description' }) }, stack);

    Template.fromStack(stack).hasResourceProperties(PROFILE_TYPE, { InferenceProfileName: { Ref: 'Name' }, Description: { Ref: 'Description' } });
  });

  test('fails if tag key starts with aws:', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { 'aws:team': 'x' } } }))
      .toThrow(/invalid costAllocationTags.additionalTags "aws:team".*reserved/);
  });

  test('fails if tag key is too long', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { ['k'.repeat(129)]: 'x' } } }))
      .toThrow(/1 to 128 characters/);
  });

  test('fails if tag key has a comma', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { 'Team,Name': 'x' } } }))
      .toThrow(/only letters, digits, white space/);
  });

  test('fails if tag key repeats a named field', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { costcenter: 'x' } } }))
      .toThrow(/"costcenter".*duplicates a named field.*set costAllocationTags.costCenter instead/);
  });

  test('fails if tag keys differ in case only', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { Team: 'x', team: 'y' } } }))
      .toThrow(/"team".*duplicates "Team"/);
  });

  test('fails if tag value is too long', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'v'.repeat(257) } }))
      .toThrow(/invalid costAllocationTags.application .*at most 256 characters/);
  });

  test('fails if tag value is empty', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', environment: ' ' } }))
      .toThrow(/invalid costAllocationTags.environment/);
  });

  test('fails if tag value has a quote', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', costCenter: 'Eng"ineering' } }))
      .toThrow(/invalid costAllocationTags.costCenter .*\(found "\\""\)/);
  });

  test('names the invalid key character', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', additionalTags: { 'Team,Name': 'x' } } }))
      .toThrow(/\(found ","\)/);
  });

  test('empty application must be set', () => {
    expect(() => newProfile({ costAllocationTags: { application: '' } }))
      .toThrow(/invalid costAllocationTags.application "": an empty tag value cannot group costs; set a value$/);
  });

  test('empty optional tag may be left out', () => {
    expect(() => newProfile({ costAllocationTags: { application: 'A', environment: '' } }))
      .toThrow(/set a value, or leave the optional field out$/);
  });

  test('accepts a token tag value', () => {
    const stack = newStack();
    newProfile({ costAllocationTags: { application: Token.asString({ Ref: 'App' }) } }, stack);

    expect(profileProperties(stack).Tags).toEqual([{ Key: 'Application', Value: { Ref: 'App' } }]);
  });
});

describe('grantInvoke', () => {
  const invokeActions = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

  function grantTo(model: BedrockModel): Stack {
    const stack = newStack();
    const profile = newProfile({ model }, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    profile.grantInvoke(role);
    return stack;
  }

  test('allows invoking the profile', () => {
    const statements = policyStatements(grantTo(BedrockModel.foundationModel('amazon.nova-pro-v1:0')));

    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: invokeActions,
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Profile/), 'InferenceProfileArn'] },
    });
  });

  test('restricts the foundation model to the profile', () => {
    const statements = policyStatements(grantTo(BedrockModel.foundationModel('amazon.nova-pro-v1:0')));
    const routed = statements.find((statement) => statement.Condition);

    expect(routed.Condition).toEqual({
      StringEquals: { 'bedrock:InferenceProfileArn': { 'Fn::GetAtt': [expect.stringMatching(/^Profile/), 'InferenceProfileArn'] } },
    });
    expect(JSON.stringify(routed.Resource)).toContain(':bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0');
  });

  test('covers system profile and regions', () => {
    const statements = policyStatements(grantTo(BedrockModel.crossRegionProfile('us.anthropic.claude-sonnet-4-6')));
    const routed = JSON.stringify(statements.find((statement) => statement.Condition).Resource);

    expect(routed).toContain(':bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6');
    expect(routed).toContain(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6');
  });

  test('grants no wildcard resource outside the condition', () => {
    const statements = policyStatements(grantTo(BedrockModel.crossRegionProfile('global.anthropic.claude-sonnet-4-6')));
    const unconditioned = statements.filter((statement) => !statement.Condition);

    expect(JSON.stringify(unconditioned)).not.toContain('*');
  });

  test('grants only the two invoke actions', () => {
    const statements = policyStatements(grantTo(BedrockModel.foundationModel('amazon.nova-pro-v1:0')));

    for (const statement of statements) {
      expect(statement.Action).toEqual(invokeActions);
    }
  });
});

describe('metrics', () => {
  test('use the profile id as ModelId', () => {
    const stack = newStack();
    const metric = newProfile({}, stack).metricInvocations();

    expect(metric.namespace).toBe('AWS/Bedrock');
    expect(metric.metricName).toBe('Invocations');
    expect(stack.resolve(metric.dimensions)).toEqual({ ModelId: { 'Fn::GetAtt': [expect.stringMatching(/^Profile/), 'InferenceProfileId'] } });
  });

  test('default to sum over five minutes', () => {
    const metric = newProfile().metricInputTokenCount();

    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
  });

  test('latency defaults to average', () => {
    expect(newProfile().metricInvocationLatency().statistic).toBe('Average');
  });

  test.each([
    ['metricInputTokenCount', 'InputTokenCount'],
    ['metricOutputTokenCount', 'OutputTokenCount'],
    ['metricInvocationLatency', 'InvocationLatency'],
    ['metricInvocationThrottles', 'InvocationThrottles'],
    ['metricInvocationClientErrors', 'InvocationClientErrors'],
    ['metricInvocationServerErrors', 'InvocationServerErrors'],
  ])('%s reads %s', (method, metricName) => {
    const profile = newProfile() as any;

    expect(profile[method]().metricName).toBe(metricName);
  });

  test('options override the defaults', () => {
    const metric = newProfile().metric('Invocations', { statistic: 'Maximum' });

    expect(metric.statistic).toBe('Maximum');
  });
});

describe('fromInferenceProfileAttributes', () => {
  const arn = 'arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/abc123xyz';

  test('parses the id from the ARN', () => {
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(newStack(), 'Imported', {
      inferenceProfileArn: arn,
      model: BedrockModel.crossRegionProfile('eu.anthropic.claude-sonnet-4-6'),
    });

    expect(imported.inferenceProfileId).toBe('abc123xyz');
  });

  test('grants cover the underlying model', () => {
    const stack = newStack();
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Imported', {
      inferenceProfileArn: arn,
      model: BedrockModel.crossRegionProfile('eu.anthropic.claude-sonnet-4-6'),
    });
    imported.grantInvoke(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const statements = policyStatements(stack);

    expect(statements).toContainEqual(expect.objectContaining({ Resource: arn }));
    expect(JSON.stringify(statements)).toContain(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6');
    expect(JSON.stringify(statements)).toContain(`"bedrock:InferenceProfileArn":"${arn}"`);
  });

  test('grants use the profile region and account', () => {
    const stack = newStack();
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Imported', {
      inferenceProfileArn: arn,
      model: BedrockModel.crossRegionProfile('eu.anthropic.claude-sonnet-4-6'),
    });
    imported.grantInvoke(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const statements = JSON.stringify(policyStatements(stack));

    expect(statements).toContain(':bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-6');
    expect(statements).not.toContain('us-east-1');
  });

  test('foundation model uses the profile region', () => {
    const stack = newStack();
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Imported', {
      inferenceProfileArn: arn,
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    });
    imported.grantInvoke(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));

    expect(JSON.stringify(policyStatements(stack))).toContain(':bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0');
  });

  test('metrics use the profile region', () => {
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(newStack(), 'Imported', {
      inferenceProfileArn: arn,
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    });

    expect(imported.metricInvocations().region).toBe('eu-west-1');
    expect(imported.metricInvocations().account).toBe('111122223333');
  });

  test('fails for a bare id', () => {
    expect(() => CostTrackedInferenceProfile.fromInferenceProfileAttributes(newStack(), 'Imported', {
      inferenceProfileArn: 'abcd1234',
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    })).toThrow(/invalid inferenceProfileArn "abcd1234": expected "arn:<partition>:bedrock/);
  });

  test('fails for a foundation-model ARN', () => {
    expect(() => CostTrackedInferenceProfile.fromInferenceProfileAttributes(newStack(), 'Imported', {
      inferenceProfileArn: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0',
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    })).toThrow(/invalid inferenceProfileArn/);
  });

  test('accepts a token ARN', () => {
    const stack = newStack();
    const imported = CostTrackedInferenceProfile.fromInferenceProfileAttributes(stack, 'Imported', {
      inferenceProfileArn: Token.asString({ Ref: 'ProfileArn' }),
      model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    });

    expect(JSON.stringify(stack.resolve(imported.inferenceProfileId))).toContain('Fn::Select');
  });
});
