/**
 * Runs the agent handler with the real AWS SDK client against a local Converse server.
 */
import * as path from 'node:path';
import { AgentHandler, agentEnvironment, lambdaContext, loadHandler, PROFILE_ARN, REGION, LogCapture, TAGS, TestEnvironment } from './support/agent-environment';
import { converseResponse, ConverseServer, errorResponse, textResponse, toolUseResponse } from './support/converse-server';
import { MAX_HISTORY_MESSAGES, validateHistory } from '../src/agent/history';
import { MAX_PROMPT_LENGTH } from '../src/agent/request';
import { buildCostExplorerUrl } from '../src/shared/cost-explorer-url';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');
const PROMPT = 'Where does the cost of this application appear?';
// The link tool needs no AWS call, so these tests do not depend on Cost Explorer.
const LINK_TOOL = 'get_cost_explorer_link';

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
});

afterEach(async () => {
  logs.stop();
  environment.restore();
  await server.stop();
});

/** Loads the handler with the test environment plus `overrides`, then invokes it once. */
async function invoke(event: unknown, overrides: Record<string, string | undefined> = {}): Promise<any> {
  environment.set(overrides);
  const handler: AgentHandler = loadHandler(AGENT_MODULE);
  return handler(event, lambdaContext('request-0001'));
}

/** Returns the text of the first toolResult block in a recorded request's last message. */
function toolResultText(request: { body: any }, index = 0): string {
  const messages = request.body.messages;
  return messages[messages.length - 1].content[index].toolResult.content[0].text;
}

describe('Converse request', () => {
  test('path carries profile ARN', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT });

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].method).toBe('POST');
    expect(server.requests[0].path).toBe(`/model/${PROFILE_ARN}/converse`);
    expect(server.requests[0].modelId).toBe(PROFILE_ARN);
  });

  test('body carries prompt, tools, maxTokens', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT });

    const body = server.requests[0].body;
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: PROMPT }] }]);
    expect(body.system).toHaveLength(1);
    expect(body.system[0].text).toContain('cost assistant');
    expect(body.system[0].text).toContain('Application=CloudEngineer');
    expect(body.toolConfig.tools.map((tool: any) => tool.toolSpec.name)).toEqual(['get_cost_summary', 'get_cost_explorer_link']);
    for (const tool of body.toolConfig.tools) {
      expect(tool.toolSpec.description).not.toBe('');
      expect(tool.toolSpec.inputSchema.json.type).toBe('object');
    }
    expect(body.inferenceConfig).toEqual({ maxTokens: 2048 });
  });

  test('metadata carries tags without caller', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT });

    expect(server.requests[0].body.requestMetadata).toEqual(TAGS);
  });

  test('metadata carries caller on every call', async () => {
    server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]), textResponse('Answer.'));

    await invoke({ prompt: PROMPT, caller: 'tenant-42/user@example.com' });

    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.body.requestMetadata).toEqual({ ...TAGS, caller: 'tenant-42/user@example.com' });
    }
  });

  test('both sampling values sent to Claude 3', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT }, { FOUNDATION_MODEL_ID: 'anthropic.claude-3-5-sonnet-20240620-v1:0', TEMPERATURE: '0.2', TOP_P: '0.9' });

    expect(server.requests[0].body.inferenceConfig).toEqual({ maxTokens: 2048, temperature: 0.2, topP: 0.9 });
  });

  test('only temperature sent to Claude 4.5', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT }, { FOUNDATION_MODEL_ID: 'anthropic.claude-sonnet-4-5-20250929-v1:0', TEMPERATURE: '0.2', TOP_P: '0.9' });

    expect(server.requests[0].body.inferenceConfig).toEqual({ maxTokens: 2048, temperature: 0.2 });
    const warnings = logs.records.filter((record) => record.message === 'Inference parameter not sent, because the model rejects it');
    expect(warnings.map((record) => record.parameter)).toEqual(['topP']);
  });

  test('body honours configured overrides', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT }, { SYSTEM_PROMPT: 'You answer cost questions briefly.', MAX_OUTPUT_TOKENS: '512' });

    const body = server.requests[0].body;
    expect(body.system).toEqual([{ text: 'You answer cost questions briefly.' }]);
    expect(body.inferenceConfig).toEqual({ maxTokens: 512 });
  });

  test('prompt of maximum length accepted', async () => {
    server.enqueue(textResponse('Answer.'));

    const reply = await invoke({ prompt: 'x'.repeat(MAX_PROMPT_LENGTH) });

    expect(reply.answer).toBe('Answer.');
    expect(server.requests).toHaveLength(1);
  });
});

describe('answers', () => {
  test('end_turn answer returned whole', async () => {
    server.enqueue(textResponse('Your cost is tracked by tags.', { inputTokens: 120, outputTokens: 30 }));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply).toEqual({
      answer: 'Your cost is tracked by tags.',
      stopReason: 'end_turn',
      usage: { inputTokens: 120, outputTokens: 30 },
      toolCalls: [],
      messages: [
        { role: 'user', content: [{ text: PROMPT }] },
        { role: 'assistant', content: [{ text: 'Your cost is tracked by tags.' }] },
      ],
    });
  });

  test('text blocks are concatenated', async () => {
    server.enqueue(converseResponse([{ text: 'First part. ' }, { text: 'Second part.' }], 'end_turn'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.answer).toBe('First part. Second part.');
  });

  test('usage sums over calls', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }], { inputTokens: 100, outputTokens: 20 }),
      textResponse('Done.', { inputTokens: 300, outputTokens: 40 }),
    );

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.usage).toEqual({ inputTokens: 400, outputTokens: 60 });
  });

  test('empty end_turn answer explained', async () => {
    server.enqueue(converseResponse([], 'end_turn'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.stopReason).toBe('end_turn');
    expect(reply.answer).toContain('stop reason: end_turn');
  });

  test('empty max_tokens answer explained', async () => {
    server.enqueue(converseResponse([{ text: ' ' }], 'max_tokens'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.stopReason).toBe('max_tokens');
    expect(reply.answer).toContain('stop reason: max_tokens');
    expect(reply.answer).toContain('MAX_OUTPUT_TOKENS');
  });
});

describe('tool use', () => {
  test('tool round trip pairs result', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-link-1', name: LINK_TOOL }]),
      textResponse('Open the link.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    expect(server.requests).toHaveLength(2);
    const messages = server.requests[1].body.messages;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 'tool-link-1', name: LINK_TOOL, input: {} } }],
    });
    expect(messages[2].role).toBe('user');
    expect(messages[2].content).toHaveLength(1);
    expect(messages[2].content[0].toolResult.toolUseId).toBe('tool-link-1');
    expect(messages[2].content[0].toolResult.status).toBe('success');
    expect(reply.answer).toBe('Open the link.');
    expect(reply.toolCalls).toEqual([{ name: LINK_TOOL, status: 'success' }]);
  });

  test('get_cost_explorer_link round trip', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-link-1', name: 'get_cost_explorer_link' }]),
      textResponse('Here is the link.'),
    );

    const reply = await invoke({ prompt: 'Give me the Cost Explorer link.' });

    const toolResult = server.requests[1].body.messages[2].content[0].toolResult;
    expect(toolResult.toolUseId).toBe('tool-link-1');
    expect(toolResult.status).toBe('success');
    const url = new URL(/https:\S+/.exec(toolResult.content[0].text)![0]);
    expect(url.host).toBe('console.aws.amazon.com');
    // The console reads its parameters from the fragment, after `#/cost-explorer?`.
    const parameters = new URLSearchParams(url.hash.split('?')[1]);
    const filter = JSON.parse(parameters.get('filter')!);
    expect(Object.fromEntries(filter.map((entry: any) => [entry.tagKey, entry.values[0].value]))).toEqual(TAGS);
    expect(JSON.parse(parameters.get('groupBy')!)).toEqual(['Service']);
    expect(parameters.get('startDate')).toMatch(/^\d{4}-\d{2}-01$/);
    expect(reply.toolCalls).toEqual([{ name: 'get_cost_explorer_link', status: 'success' }]);
  });

  test('link matches shared URL builder', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-link-1', name: 'get_cost_explorer_link' }]),
      textResponse('Here is the link.'),
    );

    await invoke({ prompt: 'Give me the Cost Explorer link.' });

    const text = toolResultText(server.requests[1]);
    const url = /https:\S+/.exec(text)![0];
    const withoutDates = buildCostExplorerUrl({ tags: TAGS, region: REGION });
    expect(url.startsWith(`${withoutDates}&startDate=`)).toBe(true);
  });

  test('two tool requests, one result message', async () => {
    server.enqueue(
      toolUseResponse([
        { toolUseId: 'tool-a', name: 'get_weather' },
        { toolUseId: 'tool-b', name: LINK_TOOL },
      ]),
      textResponse('Both done.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    const messages = server.requests[1].body.messages;
    expect(messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user']);
    const results = messages[2].content.map((block: any) => block.toolResult);
    expect(results.map((result: any) => result.toolUseId)).toEqual(['tool-a', 'tool-b']);
    expect(results.map((result: any) => result.status)).toEqual(['error', 'success']);
    expect(results[1].content[0].text).toContain('Cost Explorer link');
    expect(reply.toolCalls).toEqual([
      { name: 'get_weather', status: 'error' },
      { name: LINK_TOOL, status: 'success' },
    ]);
  });

  test('roles alternate over rounds', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]),
      toolUseResponse([{ toolUseId: 'tool-2', name: LINK_TOOL }]),
      textResponse('Done.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    expect(server.requests).toHaveLength(3);
    const messages = server.requests[2].body.messages;
    expect(messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(messages[2].content[0].toolResult.toolUseId).toBe('tool-1');
    expect(messages[4].content[0].toolResult.toolUseId).toBe('tool-2');
    expect(reply.toolCalls).toHaveLength(2);
  });

  test('unknown tool gets error result', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-x', name: 'get_weather' }]),
      textResponse('I cannot check the weather.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    const toolResult = server.requests[1].body.messages[2].content[0].toolResult;
    expect(toolResult.toolUseId).toBe('tool-x');
    expect(toolResult.status).toBe('error');
    expect(toolResult.content[0].text).toContain('Unknown tool "get_weather"');
    expect(reply.toolCalls).toEqual([{ name: 'get_weather', status: 'error' }]);
    expect(reply.answer).toBe('I cannot check the weather.');
  });

  test('blank text dropped before resending', async () => {
    server.enqueue(
      converseResponse([{ text: '' }, { text: ' \n' }, { toolUse: { toolUseId: 'tool-1', name: LINK_TOOL, input: {} } }], 'tool_use'),
      textResponse('Done.'),
    );

    await invoke({ prompt: PROMPT });

    const assistantMessage = server.requests[1].body.messages[1];
    expect(assistantMessage.content).toEqual([{ toolUse: { toolUseId: 'tool-1', name: LINK_TOOL, input: {} } }]);
  });

  test('tool round limit ends loop', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }], { inputTokens: 10, outputTokens: 1 }),
      toolUseResponse([{ toolUseId: 'tool-2', name: LINK_TOOL }], { inputTokens: 20, outputTokens: 2 }),
      toolUseResponse([{ toolUseId: 'tool-3', name: LINK_TOOL }], { inputTokens: 30, outputTokens: 3 }),
      textResponse('This response must not be requested.'),
    );

    const reply = await invoke({ prompt: PROMPT }, { MAX_TOOL_ROUNDS: '2' });

    expect(server.requests).toHaveLength(3);
    expect(server.pendingResponses).toBe(1);
    for (const request of server.requests) {
      expect(request.body.toolConfig.tools).toHaveLength(2);
    }
    expect(reply.stopReason).toBe('max_tool_rounds');
    expect(reply.answer).toContain('MAX_TOOL_ROUNDS');
    expect(reply.usage).toEqual({ inputTokens: 60, outputTokens: 6 });
    expect(reply.toolCalls).toEqual([
      { name: LINK_TOOL, status: 'success' },
      { name: LINK_TOOL, status: 'success' },
    ]);
  });

  test('round limit history stays valid', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]),
      toolUseResponse([{ toolUseId: 'tool-2', name: LINK_TOOL }]),
    );

    const reply = await invoke({ prompt: PROMPT }, { MAX_TOOL_ROUNDS: '1' });

    expect(reply.messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(reply.messages[3]).toEqual({ role: 'assistant', content: [{ text: reply.answer }] });
    expect(JSON.stringify(reply.messages)).not.toContain('tool-2');
    expect(validateHistory(reply.messages)).toEqual({ messages: reply.messages });
  });

  test('toolUse without ID rejected', async () => {
    server.enqueue(converseResponse([{ toolUse: { name: LINK_TOOL, input: {} } }], 'tool_use'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toContain('InvalidModelResponse');
    expect(server.requests).toHaveLength(1);
  });
});

describe('conversation history', () => {
  test('reply history sent back works', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]),
      textResponse('First answer.'),
      textResponse('Second answer.'),
    );

    const first = await invoke({ prompt: 'First question.' });
    const second = await invoke({ prompt: 'Second question.', messages: first.messages });

    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].body.messages).toEqual([...first.messages, { role: 'user', content: [{ text: 'Second question.' }] }]);
    expect(second.answer).toBe('Second answer.');
    expect(second.messages).toEqual([
      ...first.messages,
      { role: 'user', content: [{ text: 'Second question.' }] },
      { role: 'assistant', content: [{ text: 'Second answer.' }] },
    ]);
  });

  test('invalid history not sent', async () => {
    const messages = [
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tool-1', name: LINK_TOOL, input: {} } }] },
    ];

    const reply = await invoke({ prompt: PROMPT, messages });

    expect(reply.error.type).toBe('ValidationError');
    expect(reply.error.message).toContain('messages[1], requests tools, but no later message contains their results');
    expect(server.requests).toHaveLength(0);
  });

  test('full history trimmed in reply', async () => {
    server.enqueue(textResponse('Newest answer.'));
    const messages = Array.from({ length: MAX_HISTORY_MESSAGES }, (_, index) =>
      (index % 2 === 0 ? { role: 'user', content: [{ text: `Question ${index}` }] } : { role: 'assistant', content: [{ text: `Answer ${index}` }] }));

    const reply = await invoke({ prompt: PROMPT, messages });

    expect(server.requests[0].body.messages).toHaveLength(MAX_HISTORY_MESSAGES + 1);
    expect(reply.messages).toHaveLength(MAX_HISTORY_MESSAGES);
    expect(reply.messages[0]).toEqual(messages[2]);
    expect(reply.messages[MAX_HISTORY_MESSAGES - 1]).toEqual({ role: 'assistant', content: [{ text: 'Newest answer.' }] });
    expect(validateHistory(reply.messages)).toEqual({ messages: reply.messages });
  });

  test('summary counts history messages', async () => {
    server.enqueue(textResponse('Answer.'));
    const messages = [{ role: 'user', content: [{ text: 'Hi' }] }, { role: 'assistant', content: [{ text: 'Hello.' }] }];

    await invoke({ prompt: PROMPT, messages });

    const summary = logs.records.find((record) => record.message === 'Invocation finished');
    expect(summary).toMatchObject({ historyMessages: 2, returnedMessages: 4, droppedMessages: 0 });
  });
});

describe('invalid requests', () => {
  const cases: Array<[string, unknown, string]> = [
    ['null event', null, 'received null'],
    ['array event', [{ prompt: PROMPT }], 'received an array of length 1'],
    ['string event', PROMPT, `received a string of ${PROMPT.length} characters`],
    ['number event', 42, 'received a number'],
    ['missing prompt', {}, 'no "prompt" field'],
    ['number prompt', { prompt: 7 }, '"prompt" field must be a string, but received a number'],
    ['object prompt', { prompt: { text: PROMPT } }, 'received an object'],
    ['empty prompt', { prompt: '' }, '"prompt" field is empty'],
    ['whitespace prompt', { prompt: ' \n\t ' }, 'contains only whitespace (4 characters)'],
    ['too long prompt', { prompt: 'y'.repeat(MAX_PROMPT_LENGTH + 1) }, `${MAX_PROMPT_LENGTH + 1} characters long, over the maximum of ${MAX_PROMPT_LENGTH}`],
    ['number caller', { prompt: PROMPT, caller: 42 }, '"caller" field must be a string, but received a number'],
    ['blank caller', { prompt: PROMPT, caller: '   ' }, '"caller" field is empty or contains only white space (3 characters)'],
    ['too long caller', { prompt: PROMPT, caller: 'c'.repeat(257) }, '"caller" field is 257 characters long, over the maximum of 256'],
    ['caller with quote', { prompt: PROMPT, caller: 'tenant"42' }, '"caller" field contains characters that Amazon Bedrock does not accept'],
    ['messages not array', { prompt: PROMPT, messages: {} }, '"messages" field is invalid: it must be an array of messages, but received an object'],
    ['history ends with user', { prompt: PROMPT, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }, 'it ends with a user message at messages[0]'],
  ];

  test.each(cases)('%s rejected', async (_name, event, expectedMessage) => {
    const reply = await invoke(event);

    expect(reply.error.type).toBe('ValidationError');
    expect(reply.error.message).toContain(expectedMessage);
    expect(server.requests).toHaveLength(0);
  });

  test('caller of maximum length accepted', async () => {
    server.enqueue(textResponse('Answer.'));

    const reply = await invoke({ prompt: PROMPT, caller: 'c'.repeat(256) });

    expect(reply.answer).toBe('Answer.');
    expect(server.requests[0].body.requestMetadata.caller).toBe('c'.repeat(256));
  });

  test('message omits prompt text', async () => {
    const reply = await invoke({ prompt: `secret-${'z'.repeat(MAX_PROMPT_LENGTH)}` });

    expect(reply.error.type).toBe('ValidationError');
    expect(reply.error.message).not.toContain('secret-');
  });
});

describe('invalid configuration', () => {
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['missing BEDROCK_MODEL_ID', { BEDROCK_MODEL_ID: undefined }, 'BEDROCK_MODEL_ID is missing'],
    ['non-ARN BEDROCK_MODEL_ID', { BEDROCK_MODEL_ID: 'anthropic.claude-v2' }, 'BEDROCK_MODEL_ID "anthropic.claude-v2" is not an Amazon Bedrock ARN'],
    ['invalid tags JSON', { COST_ALLOCATION_TAGS: '{Application:' }, 'COST_ALLOCATION_TAGS "{Application:" is not valid JSON'],
    ['zero MAX_TOOL_ROUNDS', { MAX_TOOL_ROUNDS: '0' }, 'MAX_TOOL_ROUNDS "0" is invalid. Set it to an integer from 1 to 20'],
  ];

  test.each(cases)('%s reported', async (_name, overrides, expectedMessage) => {
    const reply = await invoke({ prompt: PROMPT }, overrides);

    expect(reply.error.type).toBe('ConfigurationError');
    expect(reply.error.message).toContain(expectedMessage);
    expect(server.requests).toHaveLength(0);
  });

  test('error logged once per load', async () => {
    environment.set({ MAX_TOOL_ROUNDS: 'many' });
    const handler = loadHandler(AGENT_MODULE);

    await handler({ prompt: PROMPT }, lambdaContext('request-0001'));
    const reply = await handler({ prompt: PROMPT }, lambdaContext('request-0002'));

    expect(reply.error.type).toBe('ConfigurationError');
    const detailed = logs.records.filter((record) => String(record.errorMessage).includes('MAX_TOOL_ROUNDS "many"'));
    expect(detailed).toHaveLength(1);
    const summaries = logs.records.filter((record) => record.message === 'Invocation finished');
    expect(summaries.map((record) => record.outcome)).toEqual(['ConfigurationError', 'ConfigurationError']);
  });
});

describe('model invocation errors', () => {
  test('AccessDeniedException logged with IDs', async () => {
    server.enqueue(errorResponse(403, 'AccessDeniedException', 'not authorized'));

    await invoke({ prompt: PROMPT });

    const errors = logs.records.filter((record) => record.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].function_request_id).toBe('request-0001');
    expect(errors[0].errorName).toBe('AccessDeniedException');
    expect(errors[0].httpStatusCode).toBe(403);
    expect(errors[0].outcome).toBe('ModelInvocationError');
  });

  test('unreachable endpoint reported', async () => {
    await server.stop();

    const reply = await invoke({ prompt: PROMPT });

    // The error code is not checked here: Node.js errors come from outside Jest's sandbox, so the
    // SDK does not see them as Errors and wraps them without their code. The model-errors tests check it.
    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toContain('reach the Amazon Bedrock runtime endpoint');
    server = await ConverseServer.start();
  });
});

describe('unexpected errors', () => {
  test('unexpected failure gets InternalError', async () => {
    const handler = loadHandler(AGENT_MODULE);

    // Without a Lambda context, adding the context to the logger throws TypeError.
    const reply = await handler({ prompt: PROMPT }, undefined as any);

    expect(reply).toEqual({ error: { type: 'InternalError', message: "The agent failed unexpectedly. Check the function's logs." } });
    const errors = logs.records.filter((record) => record.message === 'Invocation failed unexpectedly');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.name).toBe('TypeError');
    expect(server.requests).toHaveLength(0);
  });
});

describe('logging', () => {
  test('summary line per invocation', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }], { inputTokens: 100, outputTokens: 20 }),
      textResponse('Done.', { inputTokens: 300, outputTokens: 40 }),
    );

    await invoke({ prompt: PROMPT });

    const summaries = logs.records.filter((record) => record.message === 'Invocation finished');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      level: 'INFO',
      function_request_id: 'request-0001',
      foundationModelId: 'anthropic.claude-sonnet-4-20250514-v1:0',
      outcome: 'Answer',
      stopReason: 'end_turn',
      converseCalls: 2,
      converseAttempts: 2,
      toolRounds: 1,
      inputTokens: 400,
      outputTokens: 60,
      toolCalls: [`${LINK_TOOL}:success`],
      historyMessages: 0,
      returnedMessages: 4,
    });
    expect(typeof summaries[0].latencyMs).toBe('number');
  });

  test('logs omit prompt and answer', async () => {
    const prompt = 'prompt-marker-5d1e how much did we spend?';
    const answer = 'answer-marker-9c4b nothing yet.';
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: LINK_TOOL }]),
      textResponse(answer),
    );

    const reply = await invoke({ prompt });

    expect(reply.answer).toBe(answer);
    expect(logs.text).toContain('request-0001');
    expect(logs.text).not.toContain('prompt-marker-5d1e');
    expect(logs.text).not.toContain('answer-marker-9c4b');
  });

  test('conversation text logged when enabled', async () => {
    server.enqueue(textResponse('answer-marker-9c4b nothing yet.'));

    await invoke({ prompt: 'prompt-marker-5d1e how much?' }, { LOG_CONVERSATION_TEXT: 'true' });

    const lines = logs.records.filter((record) => record.message === 'Conversation text');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', function_request_id: 'request-0001', prompt: 'prompt-marker-5d1e how much?', answer: 'answer-marker-9c4b nothing yet.' });
    const summary = logs.records.find((record) => record.message === 'Invocation finished');
    expect(JSON.stringify(summary)).not.toContain('marker');
  });

  test('conversation text off by default', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT }, { LOG_CONVERSATION_TEXT: 'false' });

    expect(logs.records.filter((record) => record.message === 'Conversation text')).toHaveLength(0);
    expect(logs.text).not.toContain(PROMPT);
  });

  test('prompt logged on error when enabled', async () => {
    server.enqueue(errorResponse(403, 'AccessDeniedException', 'not authorized'));

    await invoke({ prompt: 'prompt-marker-5d1e' }, { LOG_CONVERSATION_TEXT: 'true' });

    const lines = logs.records.filter((record) => record.message === 'Conversation text');
    expect(lines).toHaveLength(1);
    expect(lines[0].prompt).toBe('prompt-marker-5d1e');
    expect(lines[0]).not.toHaveProperty('answer');
  });

  test('caller in summary, not credentials', async () => {
    server.enqueue(textResponse('Answer.'));

    await invoke({ prompt: PROMPT, caller: 'tenant-42' }, { AWS_SECRET_ACCESS_KEY: 'secret-marker-7f3a', AWS_SESSION_TOKEN: 'token-marker-2b8c' });

    const summary = logs.records.find((record) => record.message === 'Invocation finished');
    expect(summary?.caller).toBe('tenant-42');
    expect(logs.text).not.toContain('secret-marker-7f3a');
    expect(logs.text).not.toContain('token-marker-2b8c');
  });

  test('service name from environment', async () => {
    server.enqueue(textResponse('Done.'));

    await invoke({ prompt: PROMPT }, { POWERTOOLS_SERVICE_NAME: 'finance-agent' });

    const summary = logs.records.find((record) => record.message === 'Invocation finished');
    expect(summary?.service).toBe('finance-agent');
  });
});
