/**
 * Runs the agent handler with the real AWS SDK client against a local Converse server.
 */
import * as path from 'node:path';
import { AgentHandler, agentEnvironment, lambdaContext, loadHandler, PROFILE_ARN, REGION, LogCapture, TAGS, TestEnvironment } from './support/agent-environment';
import { converseResponse, ConverseServer, errorResponse, textResponse, toolUseResponse } from './support/converse-server';
import { MAX_PROMPT_LENGTH } from '../src/agent/request';
import { buildCostExplorerUrl } from '../src/shared/cost-explorer-url';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');
const PROMPT = 'Where does the cost of this application appear?';

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
      expect(tool.toolSpec.inputSchema.json).toEqual({ type: 'object', properties: {} });
    }
    expect(body.inferenceConfig).toEqual({ maxTokens: 2048 });
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
    });
  });

  test('text blocks are concatenated', async () => {
    server.enqueue(converseResponse([{ text: 'First part. ' }, { text: 'Second part.' }], 'end_turn'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.answer).toBe('First part. Second part.');
  });

  test('usage sums over calls', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }], { inputTokens: 100, outputTokens: 20 }),
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
  test('get_cost_summary round trip', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-summary-1', name: 'get_cost_summary' }]),
      textResponse('Filter Cost Explorer by your tags.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    expect(server.requests).toHaveLength(2);
    const messages = server.requests[1].body.messages;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 'tool-summary-1', name: 'get_cost_summary', input: {} } }],
    });
    expect(messages[2].role).toBe('user');
    expect(messages[2].content).toHaveLength(1);
    expect(messages[2].content[0].toolResult.toolUseId).toBe('tool-summary-1');
    expect(messages[2].content[0].toolResult.status).toBe('success');

    const text = toolResultText(server.requests[1]);
    for (const tag of ['Application=CloudEngineer', 'CostCenter=Engineering', 'Environment=Production']) {
      expect(text).toContain(tag);
    }
    expect(text).toContain('activated as cost allocation tags');
    expect(text).toContain('management (payer) account');
    expect(text).toContain('24 hours');
    expect(text).toContain('AWS Marketplace');
    expect(text).toContain('group by service');
    expect(text).toContain('https://console.aws.amazon.com/costmanagement/home#/cost-explorer?');

    expect(reply.answer).toBe('Filter Cost Explorer by your tags.');
    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'success' }]);
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
        { toolUseId: 'tool-a', name: 'get_cost_summary' },
        { toolUseId: 'tool-b', name: 'get_cost_explorer_link' },
      ]),
      textResponse('Both done.'),
    );

    const reply = await invoke({ prompt: PROMPT });

    const messages = server.requests[1].body.messages;
    expect(messages.map((message: any) => message.role)).toEqual(['user', 'assistant', 'user']);
    const results = messages[2].content.map((block: any) => block.toolResult);
    expect(results.map((result: any) => result.toolUseId)).toEqual(['tool-a', 'tool-b']);
    expect(results.map((result: any) => result.status)).toEqual(['success', 'success']);
    expect(results[0].content[0].text).toContain('24 hours');
    expect(results[1].content[0].text).toContain('Cost Explorer link');
    expect(reply.toolCalls).toEqual([
      { name: 'get_cost_summary', status: 'success' },
      { name: 'get_cost_explorer_link', status: 'success' },
    ]);
  });

  test('roles alternate over rounds', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]),
      toolUseResponse([{ toolUseId: 'tool-2', name: 'get_cost_explorer_link' }]),
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
      converseResponse([{ text: '' }, { text: ' \n' }, { toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }], 'tool_use'),
      textResponse('Done.'),
    );

    await invoke({ prompt: PROMPT });

    const assistantMessage = server.requests[1].body.messages[1];
    expect(assistantMessage.content).toEqual([{ toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }]);
  });

  test('tool round limit ends loop', async () => {
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }], { inputTokens: 10, outputTokens: 1 }),
      toolUseResponse([{ toolUseId: 'tool-2', name: 'get_cost_summary' }], { inputTokens: 20, outputTokens: 2 }),
      toolUseResponse([{ toolUseId: 'tool-3', name: 'get_cost_summary' }], { inputTokens: 30, outputTokens: 3 }),
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
      { name: 'get_cost_summary', status: 'success' },
      { name: 'get_cost_summary', status: 'success' },
    ]);
  });

  test('toolUse without ID rejected', async () => {
    server.enqueue(converseResponse([{ toolUse: { name: 'get_cost_summary', input: {} } }], 'tool_use'));

    const reply = await invoke({ prompt: PROMPT });

    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toContain('InvalidModelResponse');
    expect(server.requests).toHaveLength(1);
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
  ];

  test.each(cases)('%s rejected', async (_name, event, expectedMessage) => {
    const reply = await invoke(event);

    expect(reply.error.type).toBe('ValidationError');
    expect(reply.error.message).toContain(expectedMessage);
    expect(server.requests).toHaveLength(0);
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
  const cases: Array<[string, number, string]> = [
    ['AccessDeniedException', 403, 'IAM role allows bedrock:InvokeModel'],
    ['ValidationException', 400, 'Check that BEDROCK_MODEL_ID'],
    ['ThrottlingException', 429, 'Retry later'],
  ];

  test.each(cases)('%s gets hint', async (errorType, status, hint) => {
    server.enqueue(errorResponse(status, errorType, 'User: arn:aws:sts::123456789012:assumed-role/internal is not authorized'));

    const reply = await invoke({ prompt: PROMPT }, { AWS_MAX_ATTEMPTS: '1' });

    expect(reply.error.type).toBe('ModelInvocationError');
    expect(reply.error.message).toContain(errorType);
    expect(reply.error.message).toContain(hint);
    expect(reply.error.message).not.toContain('assumed-role');
    expect(server.requests).toHaveLength(1);
  });

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

    const reply = await invoke({ prompt: PROMPT }, { AWS_MAX_ATTEMPTS: '1' });

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
      toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }], { inputTokens: 100, outputTokens: 20 }),
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
      toolRounds: 1,
      inputTokens: 400,
      outputTokens: 60,
      toolCalls: ['get_cost_summary:success'],
    });
    expect(typeof summaries[0].latencyMs).toBe('number');
  });

  test('logs omit prompt and answer', async () => {
    const prompt = 'prompt-marker-5d1e how much did we spend?';
    const answer = 'answer-marker-9c4b nothing yet.';
    server.enqueue(
      toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]),
      textResponse(answer),
    );

    const reply = await invoke({ prompt });

    expect(reply.answer).toBe(answer);
    expect(logs.text).toContain('request-0001');
    expect(logs.text).not.toContain('prompt-marker-5d1e');
    expect(logs.text).not.toContain('answer-marker-9c4b');
  });

  test('service name from environment', async () => {
    server.enqueue(textResponse('Done.'));

    await invoke({ prompt: PROMPT }, { POWERTOOLS_SERVICE_NAME: 'finance-agent' });

    const summary = logs.records.find((record) => record.message === 'Invocation finished');
    expect(summary?.service).toBe('finance-agent');
  });
});
