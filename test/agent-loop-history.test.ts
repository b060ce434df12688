/**
 * Validation of the `messages` history of a request, and the trimming of the history that a reply returns.
 */
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { historyLength, MAX_HISTORY_LENGTH, MAX_HISTORY_MESSAGES, trimHistory, validateHistory } from '../src/agent/history';

const user = (...content: unknown[]) => ({ role: 'user', content });
const assistant = (...content: unknown[]) => ({ role: 'assistant', content });
const text = (value: string) => ({ text: value });
const toolUse = (toolUseId: string, name = 'get_cost_summary', input: unknown = {}) => ({ toolUse: { toolUseId, name, input } });
const toolResult = (toolUseId: string, content: unknown[] = [text('Result.')], status?: string) =>
  ({ toolResult: { toolUseId, content, ...(status !== undefined ? { status } : {}) } });

/** A valid turn with one tool round. */
const TOOL_TURN = [
  user(text('What did we spend?')),
  assistant(text('Let me check.'), toolUse('tool-1')),
  user(toolResult('tool-1', [text('USD 12.50'), { json: { amount: 12.5 } }], 'success')),
  assistant(text('You spent USD 12.50.')),
];

function errorOf(value: unknown): string {
  const result = validateHistory(value);
  if (!('error' in result)) {
    throw new Error('expected a validation error');
  }
  return result.error;
}

describe('valid history', () => {
  test.each<[string, unknown[]]>([
    ['empty array', []],
    ['one exchange', [user(text('Hi')), assistant(text('Hello.'))]],
    ['tool round', TOOL_TURN],
    ['two tool requests', [
      user(text('Both?')),
      assistant(toolUse('a'), toolUse('b', 'get_cost_explorer_link')),
      user(toolResult('b'), toolResult('a', [text('Failed.')], 'error')),
      assistant(text('Done.')),
    ]],
    ['unknown tool name', [user(text('Weather?')), assistant(toolUse('w-1', 'get_weather')), user(toolResult('w-1')), assistant(text('No.'))]],
    ['string tool input', [user(text('Q')), assistant(toolUse('t-1', 'get_cost_summary', 'raw')), user(toolResult('t-1')), assistant(text('A.'))]],
    ['several text blocks', [user(text('Part one.'), text('Part two.')), assistant(text('A'), text('B'))]],
    ['two turns', [...TOOL_TURN, user(text('And last month?')), assistant(text('USD 10.'))]],
  ])('%s accepted', (_name, messages) => {
    expect(validateHistory(messages)).toEqual({ messages });
  });

  test('absent history is empty', () => {
    expect(validateHistory(undefined)).toEqual({ messages: [] });
  });
});

describe('invalid history', () => {
  test.each<[string, unknown, string]>([
    ['object', { role: 'user' }, 'it must be an array of messages, but received an object'],
    ['string', 'history', 'it must be an array of messages, but received a string of 7 characters'],
    ['message not object', [user(text('Hi')), 'Hello'], 'messages[1] must be an object, but received a string of 5 characters'],
    ['extra message field', [user(text('Hi')), { ...assistant(text('Hello.')), id: 'x' }], 'messages[1] has 1 field(s) other than "role", "content"'],
    ['system role', [{ role: 'system', content: [text('Be brief.')] }, assistant(text('OK.'))], 'messages[0].role must be "user" or "assistant", but received a string of 6 characters'],
    ['starts with assistant', [assistant(text('Hello.')), user(text('Hi'))], 'messages[0].role is "assistant", but it must be "user"'],
    ['two user messages', [user(text('Hi')), user(text('Again')), assistant(text('Hello.'))], 'messages[1].role is "user", but it must be "assistant"'],
    ['ends with user', [user(text('Hi')), assistant(text('Hello.')), user(text('Bye'))], 'it ends with a user message at messages[2]'],
    ['missing content', [{ role: 'user' }, assistant(text('Hello.'))], 'messages[0].content must be a non-empty array of content blocks, but received undefined'],
    ['empty content', [user(), assistant(text('Hello.'))], 'messages[0].content must be a non-empty array of content blocks, but received an array of length 0'],
    ['empty text', [user(text('')), assistant(text('Hello.'))], 'messages[0].content[0].text is empty or contains only white space (0 characters)'],
    ['blank text', [user(text('Hi')), assistant(text(' \n'))], 'messages[1].content[0].text is empty or contains only white space (2 characters)'],
    ['number text', [user({ text: 7 }), assistant(text('Hello.'))], 'messages[0].content[0].text must be a string, but received a number'],
    ['image block', [user({ image: { format: 'png' } }), assistant(text('Nice.'))], 'messages[0].content[0] has 1 field(s) other than "text", "toolResult"'],
    ['block with two kinds', [user({ text: 'Hi', toolResult: {} }), assistant(text('Hello.'))], 'messages[0].content[0] must have exactly one of the fields "text", "toolResult", but has 2'],
    ['empty block', [user({}), assistant(text('Hello.'))], 'messages[0].content[0] must have exactly one of the fields "text", "toolResult", but has 0'],
    ['toolUse in user message', [user(toolUse('t-1')), assistant(text('Hello.'))], 'messages[0].content[0] has 1 field(s) other than "text", "toolResult"'],
    ['toolResult in assistant message', [user(text('Hi')), assistant(toolResult('t-1'))], 'messages[1].content[0] has 1 field(s) other than "text", "toolUse"'],
    ['reasoning block', [user(text('Hi')), assistant({ reasoningContent: { reasoningText: { text: 'Hmm' } } })], 'messages[1].content[0] has 1 field(s) other than "text", "toolUse"'],
    ['unanswered tool request', [user(text('Q')), assistant(toolUse('t-1')), user(text('Next')), assistant(text('A'))],
      'messages[2].content[0] is a text block, but this message must contain only the toolResult blocks'],
    ['ends with tool request', [user(text('Q')), assistant(toolUse('t-1'))], 'the last message, messages[1], requests tools, but no later message contains their results'],
    ['result without request', [user(text('Q')), assistant(text('A')), user(toolResult('t-1')), assistant(text('B'))],
      'messages[2].content[0] is a toolResult, but the message before requests no tool'],
    ['result in first message', [user(toolResult('t-1')), assistant(text('A'))], 'messages[0].content[0] is a toolResult, but the message before requests no tool'],
    ['result for other ID', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-2')), assistant(text('A'))],
      'messages[2].content[0].toolResult.toolUseId matches no tool request of the message before, or one that already has a result'],
    ['result given twice', [user(text('Q')), assistant(toolUse('t-1'), toolUse('t-2')), user(toolResult('t-1'), toolResult('t-1')), assistant(text('A'))],
      'messages[2].content[1].toolResult.toolUseId matches no tool request of the message before, or one that already has a result'],
    ['one result missing', [user(text('Q')), assistant(toolUse('t-1'), toolUse('t-2')), user(toolResult('t-1')), assistant(text('A'))],
      'messages[2] contains results for 1 of the 2 tool requests of the message before, but it must contain a result for each'],
    ['text beside results', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1'), text('More')), assistant(text('A'))],
      'messages[2].content[1] is a text block, but this message must contain only the toolResult blocks'],
    ['repeated tool use ID', [...TOOL_TURN, user(text('Again')), assistant(toolUse('tool-1')), user(toolResult('tool-1')), assistant(text('A'))],
      'messages[5].content[0].toolUse.toolUseId repeats an earlier tool use ID, but each must be unique'],
    ['tool use ID with space', [user(text('Q')), assistant(toolUse('t 1')), user(toolResult('t 1')), assistant(text('A'))],
      'messages[1].content[0].toolUse.toolUseId must have 1 to 64 characters from A-Z, a-z, 0-9, "_" and "-", but received a string of 3 characters'],
    ['tool use ID too long', [user(text('Q')), assistant(toolUse('t'.repeat(65))), user(toolResult('t'.repeat(65))), assistant(text('A'))],
      'messages[1].content[0].toolUse.toolUseId must have 1 to 64 characters'],
    ['empty tool name', [user(text('Q')), assistant(toolUse('t-1', '')), user(toolResult('t-1')), assistant(text('A'))],
      'messages[1].content[0].toolUse.name must have 1 to 64 characters'],
    ['missing tool input', [user(text('Q')), assistant({ toolUse: { toolUseId: 't-1', name: 'get_cost_summary' } }), user(toolResult('t-1')), assistant(text('A'))],
      'messages[1].content[0].toolUse.input is missing or null'],
    ['null tool input', [user(text('Q')), assistant(toolUse('t-1', 'get_cost_summary', null)), user(toolResult('t-1')), assistant(text('A'))],
      'messages[1].content[0].toolUse.input is missing or null'],
    ['null result json', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [{ json: null }])), assistant(text('A'))],
      'messages[2].content[0].toolResult.content[0].json is missing or null'],
    ['extra toolUse field', [user(text('Q')), assistant({ toolUse: { toolUseId: 't-1', name: 'x', input: {}, type: 'server_tool_use' } }), user(toolResult('t-1')), assistant(text('A'))],
      'messages[1].content[0].toolUse has 1 field(s) other than "toolUseId", "name", "input"'],
    ['invalid result status', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [text('R')], 'failed')), assistant(text('A'))],
      'messages[2].content[0].toolResult.status must be "success" or "error" when present'],
    ['empty result content', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [])), assistant(text('A'))],
      'messages[2].content[0].toolResult.content must be a non-empty array, but received an array of length 0'],
    ['blank result text', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [text(' ')])), assistant(text('A'))],
      'messages[2].content[0].toolResult.content[0].text is empty or contains only white space'],
    ['image result', [user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [{ image: {} }])), assistant(text('A'))],
      'messages[2].content[0].toolResult.content[0] has 1 field(s) other than "text", "json"'],
  ])('%s rejected', (_name, messages, expected) => {
    const error = errorOf(messages);

    expect(error).toContain(expected);
    expect(error).toMatch(/^The "messages" field is invalid: /);
    expect(error).toContain('Send back the "messages" array of the previous reply unchanged');
  });

  test('too many messages rejected', () => {
    const messages = Array.from({ length: MAX_HISTORY_MESSAGES + 2 }, (_, index) => (index % 2 === 0 ? user(text('Q')) : assistant(text('A'))));

    expect(errorOf(messages)).toContain(`it has ${MAX_HISTORY_MESSAGES + 2} messages, over the maximum of ${MAX_HISTORY_MESSAGES}`);
  });

  test('maximum message count accepted', () => {
    const messages = Array.from({ length: MAX_HISTORY_MESSAGES }, (_, index) => (index % 2 === 0 ? user(text('Q')) : assistant(text('A'))));

    expect(validateHistory(messages)).toEqual({ messages });
  });

  test('too long history rejected', () => {
    const messages = [user(text('q'.repeat(MAX_HISTORY_LENGTH))), assistant(text('A'))];

    expect(errorOf(messages)).toMatch(new RegExp(`it is \\d+ characters long as JSON, over the maximum of ${MAX_HISTORY_LENGTH}`));
  });

  test('error never quotes message text', () => {
    expect(errorOf([user(text('secret-marker')), assistant(text(' '))])).not.toContain('secret-marker');
  });
});

describe('trimHistory', () => {
  const turn = (index: number, size = 10): Message[] => [
    { role: 'user', content: [{ text: `Question ${index} ${'q'.repeat(size)}` }] },
    { role: 'assistant', content: [{ text: `Answer ${index}.` }] },
  ];

  test('fitting history kept whole', () => {
    const messages = [...turn(1), ...turn(2)];

    expect(trimHistory(messages)).toEqual({ messages, droppedMessages: 0 });
  });

  test('oldest turns dropped by count', () => {
    const messages = Array.from({ length: MAX_HISTORY_MESSAGES / 2 + 1 }, (_, index) => turn(index)).flat();

    const trimmed = trimHistory(messages);

    expect(trimmed.droppedMessages).toBe(2);
    expect(trimmed.messages).toEqual(messages.slice(2));
  });

  test('oldest turns dropped by length', () => {
    const messages = [...turn(1, MAX_HISTORY_LENGTH / 2), ...turn(2, MAX_HISTORY_LENGTH / 2), ...turn(3)];

    const trimmed = trimHistory(messages);

    expect(trimmed.messages).toEqual(messages.slice(2));
    expect(historyLength(trimmed.messages)).toBeLessThanOrEqual(MAX_HISTORY_LENGTH);
  });

  test('tool rounds kept within a turn', () => {
    const messages = [...turn(1, MAX_HISTORY_LENGTH), ...(TOOL_TURN as Message[])];

    const trimmed = trimHistory(messages);

    expect(trimmed.messages).toEqual(TOOL_TURN);
  });

  test('oversized last turn compacted', () => {
    const bigResult = 'r'.repeat(MAX_HISTORY_LENGTH);
    const messages = [
      user(text('Q')), assistant(toolUse('t-1')), user(toolResult('t-1', [text(bigResult)])), assistant(text('Final answer.')),
    ] as Message[];

    const trimmed = trimHistory(messages);

    expect(trimmed).toEqual({ messages: [messages[0], messages[3]], droppedMessages: 2 });
    expect(validateHistory(trimmed.messages)).toEqual({ messages: trimmed.messages });
  });
});
