import { MAX_PROMPT_LENGTH, parseRequest } from '../src/agent/request';

function errorFor(event: unknown): string {
  const result = parseRequest(event);
  if (!('error' in result)) {
    throw new Error('expected a validation error');
  }
  return result.error;
}

describe('parseRequest', () => {
  test('valid prompt returned unchanged', () => {
    expect(parseRequest({ prompt: '  What does Bedrock cost?  ' })).toEqual({ request: { prompt: '  What does Bedrock cost?  ' } });
  });

  test('extra fields ignored', () => {
    expect(parseRequest({ prompt: 'Question', sessionId: 'abc' })).toEqual({ request: { prompt: 'Question' } });
  });

  test('maximum length accepted', () => {
    expect(parseRequest({ prompt: 'a'.repeat(MAX_PROMPT_LENGTH) })).toHaveProperty('request');
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
  ])('%s rejected', (_name, event, expected) => {
    expect(errorFor(event)).toContain(expected);
  });

  test('string event text not quoted', () => {
    expect(errorFor('my secret question')).not.toContain('secret');
  });
});
