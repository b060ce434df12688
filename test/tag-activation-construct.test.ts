import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CostAllocationTagActivation, CostAllocationTagActivationProps } from '../src';

const RESOURCE_TYPE = 'Custom::CostAllocationTagActivation';

function newStack(): Stack {
  return new Stack(new App(), 'TagStack', { env: { account: '123456789012', region: 'ap-southeast-2' } });
}

function newActivation(overrides: Partial<CostAllocationTagActivationProps> = {}, stack = newStack(), id = 'Activation'): CostAllocationTagActivation {
  return new CostAllocationTagActivation(stack, id, { tagKeys: ['Application', 'Environment'], ...overrides });
}

function template(overrides: Partial<CostAllocationTagActivationProps> = {}): Template {
  const stack = newStack();
  newActivation(overrides, stack);
  return Template.fromStack(stack);
}

function policyStatements(tpl: Template): any[] {
  return Object.values(tpl.findResources('AWS::IAM::Policy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

function handlerFunction(tpl: Template): Record<string, any> {
  const functions = tpl.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
  return Object.values(functions)[0].Properties;
}

function frameworkFunction(tpl: Template): Record<string, any> {
  const functions = tpl.findResources('AWS::Lambda::Function', { Properties: { Handler: 'framework.onEvent' } });
  return Object.values(functions)[0].Properties;
}

describe('custom resource', () => {
  test('passes the tag keys', () => {
    template().hasResourceProperties(RESOURCE_TYPE, { TagKeys: ['Application', 'Environment'] });
  });

  test('passes the retry token', () => {
    template({ retryToken: '2026-01-15' }).hasResourceProperties(RESOURCE_TYPE, { RetryToken: '2026-01-15' });
  });

  test('omits the retry token by default', () => {
    const resource = Object.values(template().findResources(RESOURCE_TYPE))[0];

    expect(resource.Properties.RetryToken).toBeUndefined();
  });

  test('attributes read the reply', () => {
    const stack = newStack();
    const activation = newActivation({}, stack);

    const attribute = (value: string) => stack.resolve(value)['Fn::GetAtt'][1];
    expect(attribute(activation.status)).toBe('Status');
    expect(attribute(activation.activeTagKeys)).toBe('ActiveTagKeys');
    expect(attribute(activation.pendingTagKeys)).toBe('PendingTagKeys');
    expect(attribute(activation.message)).toBe('Message');
  });

  test('outputs the message', () => {
    const outputs = template().findOutputs('*');
    const output = Object.values(outputs)[0];

    expect(Object.keys(outputs)).toEqual([expect.stringMatching(/^ActivationStatus/)]);
    expect(output.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Activation/), 'Message'] });
    expect(output.Description).toContain('to retry, change retryToken and deploy');
  });
});

describe('handler', () => {
  test('runs Node.js 22 on arm64', () => {
    const handler = handlerFunction(template());

    expect(handler.Runtime).toBe('nodejs22.x');
    expect(handler.Architectures).toEqual(['arm64']);
  });

  test('may only update tag status', () => {
    const costStatements = policyStatements(template()).filter((statement) => JSON.stringify(statement.Action).includes('ce:'));

    expect(costStatements).toEqual([{ Effect: 'Allow', Action: 'ce:UpdateCostAllocationTagsStatus', Resource: '*' }]);
  });

  test('has no managed policies', () => {
    for (const role of Object.values(template().findResources('AWS::IAM::Role')) as any[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('framework runs Node.js 22', () => {
    expect(frameworkFunction(template()).Runtime).toBe('nodejs22.x');
  });

  test('logs are kept one month', () => {
    const groups = Object.values(template().findResources('AWS::Logs::LogGroup')) as any[];

    expect(groups.map((group) => group.Properties.RetentionInDays)).toEqual([30, 30]);
  });

  test('is shared within a stack', () => {
    const stack = newStack();
    newActivation({}, stack, 'First');
    newActivation({ tagKeys: ['CostCenter'] }, stack, 'Second');

    const tpl = Template.fromStack(stack);
    tpl.resourceCountIs(RESOURCE_TYPE, 2);
    tpl.resourceCountIs('AWS::Lambda::Function', 2);
  });
});

describe('validation', () => {
  test('fails without keys', () => {
    expect(() => newActivation({ tagKeys: [] })).toThrow(/invalid tagKeys \[\]: must list 1 to 20 keys/);
  });

  test('fails with 21 keys', () => {
    const tagKeys = Array.from({ length: 21 }, (_, index) => `Key${index}`);

    expect(() => newActivation({ tagKeys })).toThrow(/must list 1 to 20 keys, the limit of one UpdateCostAllocationTagsStatus request/);
  });

  test('fails if a key repeats', () => {
    expect(() => newActivation({ tagKeys: ['Application', 'Application'] })).toThrow(/invalid tagKeys\[1\] "Application": repeats an earlier key/);
  });

  test('fails if a key is empty', () => {
    expect(() => newActivation({ tagKeys: [''] })).toThrow(/invalid tagKeys\[0\] "": must not be empty/);
  });
});
