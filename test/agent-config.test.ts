import { defaultSystemPrompt, readConfig } from '../src/agent/config';
import type { AgentConfig, ConfigResult } from '../src/agent/config';
import { claudeVersion, inferenceParametersFor } from '../src/agent/inference-parameters';

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
      inference: { inferenceConfig: { maxTokens: 2048 }, omitted: [] },
      logConversationText: false,
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
    const config = configFrom({ SYSTEM_PROMPT: '  ', MAX_TOOL_ROUNDS: '', MAX_OUTPUT_TOKENS: ' ', TEMPERATURE: ' ', TOP_P: '', LOG_CONVERSATION_TEXT: ' ' });

    expect(config.systemPrompt).toBe(defaultSystemPrompt(TAGS));
    expect(config.maxToolRounds).toBe(5);
    expect(config.maxOutputTokens).toBe(2048);
    expect(config.temperature).toBeUndefined();
    expect(config.topP).toBeUndefined();
    expect(config.logConversationText).toBe(false);
  });

  test.each<[string, number]>([['0', 0], ['1', 1], ['0.7', 0.7], ['.25', 0.25], ['1.0', 1], ['0.', 0]])('TEMPERATURE %s read', (value, expected) => {
    expect(configFrom({ TEMPERATURE: value }).temperature).toBe(expected);
  });

  test('TOP_P read', () => {
    expect(configFrom({ TOP_P: '0.9' }).topP).toBe(0.9);
  });

  test.each<[string, boolean]>([['true', true], ['TRUE', true], ['false', false], ['False', false]])('LOG_CONVERSATION_TEXT %s read', (value, expected) => {
    expect(configFrom({ LOG_CONVERSATION_TEXT: value }).logConversationText).toBe(expected);
  });

  test('sampling values reach inferenceConfig', () => {
    const config = configFrom({ FOUNDATION_MODEL_ID: 'amazon.nova-pro-v1:0', TEMPERATURE: '0.3', TOP_P: '0.8', MAX_OUTPUT_TOKENS: '512' });

    expect(config.inference).toEqual({ inferenceConfig: { maxTokens: 512, temperature: 0.3, topP: 0.8 }, omitted: [] });
  });

  test('fifteen tags fit request metadata', () => {
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`Key${index}`, `value ${index}:/=+@-._`]));

    expect(configFrom({ COST_ALLOCATION_TAGS: JSON.stringify(tags) }).costAllocationTags).toEqual(tags);
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
    ['TEMPERATURE above 1', { TEMPERATURE: '1.5' }, 'TEMPERATURE "1.5" is invalid. Set it to a decimal number from 0 to 1, such as 0.5, or unset it'],
    ['TEMPERATURE negative', { TEMPERATURE: '-0.1' }, 'TEMPERATURE "-0.1" is invalid'],
    ['TEMPERATURE text', { TEMPERATURE: 'warm' }, 'TEMPERATURE "warm" is invalid'],
    ['TEMPERATURE exponent', { TEMPERATURE: '1e-1' }, 'TEMPERATURE "1e-1" is invalid'],
    ['TOP_P above 1', { TOP_P: '2' }, 'TOP_P "2" is invalid. Set it to a decimal number from 0 to 1'],
    ['LOG_CONVERSATION_TEXT yes', { LOG_CONVERSATION_TEXT: 'yes' }, 'LOG_CONVERSATION_TEXT "yes" is invalid. Set it to true or false, or unset it for false.'],
    ['sixteen tags', { COST_ALLOCATION_TAGS: JSON.stringify(Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`Key${index}`, 'v']))) },
      'it has 16 tags, but Converse request metadata carries at most 16 entries, one of them reserved for the caller, so keep at most 15 tags'],
    ['tag key caller', { COST_ALLOCATION_TAGS: '{"Caller":"x"}' }, 'the tag key "Caller" is reserved for the caller in request metadata'],
    ['tag value with quote', { COST_ALLOCATION_TAGS: '{"Team":"a\\"b"}' }, 'the value of tag "Team" must have at most 256 characters from letters A-Z and a-z, digits'],
    ['tag key non-ASCII', { COST_ALLOCATION_TAGS: '{"Équipe":"a"}' }, 'the tag key "Équipe" must have at most 256 characters'],
    ['tag value too long', { COST_ALLOCATION_TAGS: JSON.stringify({ Team: 'v'.repeat(257) }) }, 'the value of tag "Team" must have at most 256 characters'],
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

describe('claudeVersion', () => {
  test.each<[string, { major: number; minor: number } | undefined]>([
    ['anthropic.claude-3-haiku-20240307-v1:0', { major: 3, minor: 0 }],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', { major: 3, minor: 5 }],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', { major: 3, minor: 7 }],
    ['anthropic.claude-sonnet-4-20250514-v1:0', { major: 4, minor: 0 }],
    ['anthropic.claude-opus-4-1-20250805-v1:0', { major: 4, minor: 1 }],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', { major: 4, minor: 5 }],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', { major: 4, minor: 5 }],
    ['global.anthropic.claude-opus-4-7', { major: 4, minor: 7 }],
    ['anthropic.claude-opus-4-7-v1:0', { major: 4, minor: 7 }],
    ['anthropic.claude-sonnet-5', { major: 5, minor: 0 }],
    ['anthropic.claude-v2:1', undefined],
    ['amazon.nova-pro-v1:0', undefined],
    ['meta.llama3-70b-instruct-v1:0', undefined],
  ])('%s parsed', (modelId, expected) => {
    expect(claudeVersion(modelId)).toEqual(expected);
  });
});

describe('inferenceParametersFor', () => {
  const BOTH = { temperature: 0.2, topP: 0.9 };

  test.each<[string, string, object, string[]]>([
    ['Nova keeps both', 'amazon.nova-pro-v1:0', { maxTokens: 100, temperature: 0.2, topP: 0.9 }, []],
    ['Claude 3.7 keeps both', 'anthropic.claude-3-7-sonnet-20250219-v1:0', { maxTokens: 100, temperature: 0.2, topP: 0.9 }, []],
    ['Claude 4.0 keeps temperature', 'anthropic.claude-sonnet-4-20250514-v1:0', { maxTokens: 100, temperature: 0.2 }, ['topP']],
    ['Claude 4.5 keeps temperature', 'anthropic.claude-sonnet-4-5-20250929-v1:0', { maxTokens: 100, temperature: 0.2 }, ['topP']],
    ['Claude 4.6 keeps temperature', 'anthropic.claude-opus-4-6-v1', { maxTokens: 100, temperature: 0.2 }, ['topP']],
    ['Claude 4.7 keeps neither', 'anthropic.claude-opus-4-7', { maxTokens: 100 }, ['temperature', 'topP']],
    ['Claude 5 keeps neither', 'anthropic.claude-sonnet-5', { maxTokens: 100 }, ['temperature', 'topP']],
  ])('%s', (_name, modelId, inferenceConfig, omitted) => {
    const parameters = inferenceParametersFor(modelId, 100, BOTH);

    expect(parameters.inferenceConfig).toEqual(inferenceConfig);
    expect(parameters.omitted.map((parameter) => parameter.name)).toEqual(omitted);
  });

  test('unset values never sent', () => {
    expect(inferenceParametersFor('amazon.nova-pro-v1:0', 100, {})).toEqual({ inferenceConfig: { maxTokens: 100 }, omitted: [] });
  });

  test('Claude 4.5 keeps lone topP', () => {
    expect(inferenceParametersFor('anthropic.claude-haiku-4-5-20251001-v1:0', 100, { topP: 0.9 }).inferenceConfig).toEqual({ maxTokens: 100, topP: 0.9 });
  });

  test('omission reason names model version', () => {
    const [omitted] = inferenceParametersFor('anthropic.claude-sonnet-4-5-20250929-v1:0', 100, BOTH).omitted;

    expect(omitted.reason).toBe('Claude 4.5 models reject temperature and topP in one request, so only temperature is sent');
  });
});
