import { defaultSystemPrompt, readConfig } from '../src/agent/config';
import type { AgentConfig, ConfigResult } from '../src/agent/config';

const PROFILE_ARN = 'arn:aws:bedrock:ap-southeast-2:123456789012:application-inference-profile/abc123';
const TAGS = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };

const VALID_ENVIRONMENT: NodeJS.ProcessEnv = {
  BEDROCK_MODEL_ID: PROFILE_ARN,
  FOUNDATION_MODEL_ID: 'anthropic.claude-sonnet-4-20250514-v1:0',
  COST_ALLOCATION_TAGS: JSON.stringify(TAGS),
  AWS_REGION: 'ap-southeast-2',
};

function configFrom(overrides: NodeJS.ProcessEnv): AgentConfig {
  const result = readConfig({ ...VALID_ENVIRONMENT, ...overrides });
  if ('error' in result) {
    throw new Error(`expected a valid configuration, got: ${result.error}`);
  }
  return result.config;
}

function errorFrom(overrides: NodeJS.ProcessEnv): string {
  const result: ConfigResult = readConfig({ ...VALID_ENVIRONMENT, ...overrides });
  if (!('error' in result)) {
    throw new Error('expected a configuration error');
  }
  return result.error;
}

describe('valid configuration', () => {
  test('required variables read', () => {
    expect(configFrom({})).toEqual({
      modelId: PROFILE_ARN,
      foundationModelId: 'anthropic.claude-sonnet-4-20250514-v1:0',
      costAllocationTags: TAGS,
      systemPrompt: defaultSystemPrompt(TAGS),
      maxToolRounds: 5,
      maxOutputTokens: 2048,
      region: 'ap-southeast-2',
    });
  });

  test('default prompt names tags and tools', () => {
    const prompt = defaultSystemPrompt(TAGS);

    expect(prompt).toContain('cost assistant');
    expect(prompt).toContain('Application=CloudEngineer, CostCenter=Engineering, Environment=Production');
    expect(prompt).toContain('get_cost_summary');
    expect(prompt).toContain('get_cost_explorer_link');
  });

  test('optional variables read', () => {
    const config = configFrom({ SYSTEM_PROMPT: 'Be brief.', MAX_TOOL_ROUNDS: '20', MAX_OUTPUT_TOKENS: '8192' });

    expect(config.systemPrompt).toBe('Be brief.');
    expect(config.maxToolRounds).toBe(20);
    expect(config.maxOutputTokens).toBe(8192);
  });

  test('blank optional variables default', () => {
    const config = configFrom({ SYSTEM_PROMPT: '  ', MAX_TOOL_ROUNDS: '', MAX_OUTPUT_TOKENS: ' ' });

    expect(config.systemPrompt).toBe(defaultSystemPrompt(TAGS));
    expect(config.maxToolRounds).toBe(5);
    expect(config.maxOutputTokens).toBe(2048);
  });

  test.each([
    'arn:aws-cn:bedrock:cn-north-1:123456789012:application-inference-profile/abc123',
    'arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:application-inference-profile/abc123',
    'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
  ])('ARN %s accepted', (arn) => {
    expect(configFrom({ BEDROCK_MODEL_ID: arn }).modelId).toBe(arn);
  });
});

describe('invalid configuration', () => {
  test.each<[string, NodeJS.ProcessEnv, string]>([
    ['missing BEDROCK_MODEL_ID', { BEDROCK_MODEL_ID: undefined }, 'BEDROCK_MODEL_ID is missing. Set it to the ARN of the application inference profile'],
    ['model ID not ARN', { BEDROCK_MODEL_ID: 'anthropic.claude-v2' }, 'BEDROCK_MODEL_ID "anthropic.claude-v2" is not an Amazon Bedrock ARN'],
    ['ARN of other service', { BEDROCK_MODEL_ID: 'arn:aws:s3:::bucket' }, 'BEDROCK_MODEL_ID "arn:aws:s3:::bucket" is not an Amazon Bedrock ARN'],
    ['missing FOUNDATION_MODEL_ID', { FOUNDATION_MODEL_ID: undefined }, 'FOUNDATION_MODEL_ID is missing'],
    ['model ID with space', { FOUNDATION_MODEL_ID: 'claude sonnet' }, 'FOUNDATION_MODEL_ID "claude sonnet" contains whitespace'],
    ['missing tags', { COST_ALLOCATION_TAGS: undefined }, 'COST_ALLOCATION_TAGS is missing. Set it to a JSON object'],
    ['tags not JSON', { COST_ALLOCATION_TAGS: 'Application=CloudEngineer' }, 'COST_ALLOCATION_TAGS "Application=CloudEngineer" is not valid JSON'],
    ['tags an array', { COST_ALLOCATION_TAGS: '["Application"]' }, 'COST_ALLOCATION_TAGS "[\\"Application\\"]" is not a JSON object'],
    ['tags null', { COST_ALLOCATION_TAGS: 'null' }, 'COST_ALLOCATION_TAGS "null" is not a JSON object'],
    ['tags empty', { COST_ALLOCATION_TAGS: '{}' }, 'COST_ALLOCATION_TAGS "{}" contains no tags'],
    ['tag key empty', { COST_ALLOCATION_TAGS: '{" ":"x"}' }, 'contains an empty tag key'],
    ['tag value number', { COST_ALLOCATION_TAGS: '{"Application":"A","Cost":5}' }, 'has values that are not strings, for the keys Cost'],
    ['MAX_TOOL_ROUNDS zero', { MAX_TOOL_ROUNDS: '0' }, 'MAX_TOOL_ROUNDS "0" is invalid. Set it to an integer from 1 to 20, or unset it to use the default of 5.'],
    ['MAX_TOOL_ROUNDS too high', { MAX_TOOL_ROUNDS: '21' }, 'MAX_TOOL_ROUNDS "21" is invalid'],
    ['MAX_TOOL_ROUNDS fraction', { MAX_TOOL_ROUNDS: '2.5' }, 'MAX_TOOL_ROUNDS "2.5" is invalid'],
    ['MAX_TOOL_ROUNDS negative', { MAX_TOOL_ROUNDS: '-1' }, 'MAX_TOOL_ROUNDS "-1" is invalid'],
    ['MAX_OUTPUT_TOKENS too high', { MAX_OUTPUT_TOKENS: '8193' }, 'MAX_OUTPUT_TOKENS "8193" is invalid. Set it to an integer from 1 to 8192'],
    ['MAX_OUTPUT_TOKENS text', { MAX_OUTPUT_TOKENS: 'lots' }, 'MAX_OUTPUT_TOKENS "lots" is invalid'],
    ['missing AWS_REGION', { AWS_REGION: undefined }, 'AWS_REGION is missing'],
  ])('%s reported', (_name, overrides, expected) => {
    expect(errorFrom(overrides)).toContain(expected);
  });

  test('every problem reported', () => {
    const error = errorFrom({ BEDROCK_MODEL_ID: undefined, MAX_TOOL_ROUNDS: '0', MAX_OUTPUT_TOKENS: '0' });

    expect(error).toContain('BEDROCK_MODEL_ID');
    expect(error).toContain('MAX_TOOL_ROUNDS');
    expect(error).toContain('MAX_OUTPUT_TOKENS');
  });

  test('long value shortened', () => {
    const error = errorFrom({ BEDROCK_MODEL_ID: 'm'.repeat(500) });

    expect(error).toContain(`"${'m'.repeat(120)}..." (500 characters)`);
    expect(error).not.toContain('m'.repeat(121));
  });
});
