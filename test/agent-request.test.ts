import { MAX_PROMPT_LENGTH, parseRequest } from '../src/agent/request';

function errorFor(event: unknown): string {
  const result = parseRequest(event);
  if (!('error' in result)) {
    throw new Error('expected a validation error');
  }
  return result.error;
}

const HISTORY = [
  { role: 'user', content: [{ text: 'Earlier question.' }] },
  { role: 'assistant', content: [{ text: 'Earlier answer.' }] },
];

describe('parseRequest', () => {
  test('valid prompt returned unchanged', () => {
    expect(parseRequest({ prompt: '  What does Bedrock cost?  ' })).toEqual({ request: { prompt: '  What does Bedrock cost?  ', history: [] } });
  });

  test('extra fields ignored', () => {
    expect(parseRequest({ prompt: 'Question', sessionId: 'abc' })).toEqual({ request: { prompt: 'Question', history: [] } });
  });

  test('maximum length accepted', () => {
    expect(parseRequest({ prompt: 'a'.repeat(MAX_PROMPT_LENGTH) })).toHaveProperty('request');
  });

  test('caller and history returned', () => {
    expect(parseRequest({ prompt: 'Question', caller: 'tenant-42', messages: HISTORY })).toEqual({
      request: { prompt: 'Question', caller: 'tenant-42', history: HISTORY },
    });
  });

  test('empty history same as none', () => {
    expect(parseRequest({ prompt: 'Question', messages: [] })).toEqual({ request: { prompt: 'Question', history: [] } });
  });

  test.each<[string, unknown, string]>([
    ['undefined event', undefined, 'but received undefined.'],
    ['null event', null, 'but received null.'],
    ['boolean event', true, 'but received a boolean.'],
    ['array event', [], 'but received an array of length 0.'],
    ['string event', 'hello', 'but received a string of 5 characters.'],
    ['missing prompt', { question: 'hello' }, 'The request has no "prompt" field.'],
    ['null prompt', { prompt: null }, 'The "prompt" field must be a string, but received null.'],
    ['array prompt', { prompt: ['hello'] }, 'The "prompt" field must be a string, but received an array of length 1.'],
    ['empty prompt', { prompt: '' }, `The "prompt" field is empty. Send a question of 1 to ${MAX_PROMPT_LENGTH} characters.`],
    ['whitespace prompt', { prompt: '\n \t' }, 'The "prompt" field contains only whitespace (3 characters).'],
    ['too long prompt', { prompt: 'a'.repeat(MAX_PROMPT_LENGTH + 5) }, `is ${MAX_PROMPT_LENGTH + 5} characters long, over the maximum of ${MAX_PROMPT_LENGTH}.`],
    ['invalid history', { prompt: 'Question', messages: 'earlier' }, 'The "messages" field is invalid: it must be an array of messages, but received a string of 7 characters.'],
  ])('%s rejected', (_name, event, expected) => {
    expect(errorFor(event)).toContain(expected);
  });

  test('string event text not quoted', () => {
    expect(errorFor('my secret question')).not.toContain('secret');
  });
});

describe('caller', () => {
  test.each<[string, string]>([
    ['tenant ID', 'tenant-42'],
    ['email-like user ID', 'user+billing@example.com'],
    ['path-like ID', 'org/team:alpha_1=$#,.'],
    ['ID with spaces', 'Team Alpha'],
    ['one character', 'x'],
    ['256 characters', 'c'.repeat(256)],
  ])('%s accepted', (_name, caller) => {
    expect(parseRequest({ prompt: 'Question', caller })).toEqual({ request: { prompt: 'Question', caller, history: [] } });
  });

  test.each<[string, unknown, string]>([
    ['null', null, 'The "caller" field must be a string, but received null.'],
    ['number', 42, 'The "caller" field must be a string, but received a number.'],
    ['object', { id: 'x' }, 'The "caller" field must be a string, but received an object.'],
    ['empty string', '', 'The "caller" field is empty or contains only white space (0 characters).'],
    ['only spaces', '   ', 'The "caller" field is empty or contains only white space (3 characters).'],
    ['257 characters', 'c'.repeat(257), 'The "caller" field is 257 characters long, over the maximum of 256 for Amazon Bedrock request metadata.'],
    ['double quote', 'tenant"42', 'contains characters that Amazon Bedrock does not accept in request metadata'],
    ['non-ASCII letter', 'tenant-ä', 'contains characters that Amazon Bedrock does not accept in request metadata'],
    ['semicolon', 'a;b', 'contains characters that Amazon Bedrock does not accept in request metadata'],
    ['non-breaking space', 'a\u00a0b', 'contains characters that Amazon Bedrock does not accept in request metadata'],
  ])('%s rejected', (_name, caller, expected) => {
    const error = errorFor({ prompt: 'Question', caller });

    expect(error).toContain(expected);
    expect(error).toContain('or leave "caller" out');
  });

  test('caller value not quoted', () => {
    expect(errorFor({ prompt: 'Question', caller: 'secret"caller' })).not.toContain('secret');
  });
});
