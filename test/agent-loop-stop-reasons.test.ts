/**
 * Checks the outcome of every Converse stop reason, with the real AWS SDK client and a local Converse server.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { agentConfig, agentEnvironment, LogCapture, REGION, TestEnvironment } from './support/agent-environment';
import { converseResponse, ConverseServer } from './support/converse-server';
import type { ContentBlockJson } from './support/converse-server';
import { createBedrockClient } from '../src/agent/bedrock-client';
import { runConverseLoop } from '../src/agent/converse-loop';
import type { ConverseLoopOutcome } from '../src/agent/converse-loop';
import { Deadline } from '../src/agent/deadline';
import { validateHistory } from '../src/agent/history';
import type { ToolRunner } from '../src/agent/tool-round';

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;
let client: BedrockRuntimeClient;
let toolRuns: string[];

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
  client = createBedrockClient(REGION);
  toolRuns = [];
});

afterEach(async () => {
  client.destroy();
  logs.stop();
  environment.restore();
  await server.stop();
});

const recordingRunner: ToolRunner = async (toolUse) => {
  toolRuns.push(toolUse.toolUseId);
  return { name: toolUse.name ?? '', status: 'success', resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: 'Tool output.' }], status: 'success' } };
};

async function runLoop(maxToolRounds = 3): Promise<ConverseLoopOutcome> {
  return runConverseLoop(
    { prompt: 'What did we spend?', history: [] },
    {
      client,
      config: agentConfig({ MAX_TOOL_ROUNDS: String(maxToolRounds) }),
      now: () => new Date('2025-03-15T00:00:00Z'),
      logger: new Logger({ serviceName: 'stop-reason-test' }),
      deadline: new Deadline(Date.now() + 30_000),
      runTool: recordingRunner,
    },
  );
}

function answerOf(outcome: ConverseLoopOutcome) {
  if (!('answer' in outcome)) {
    throw new Error(`expected an answer, got ${String(outcome.error)}`);
  }
  return outcome;
}

const TEXT: ContentBlockJson = { text: 'Model text.' };
const BLANK: ContentBlockJson = { text: ' \n' };
const CUT_TOOL_USE: ContentBlockJson = { toolUse: { toolUseId: 'tool-cut', name: 'get_cost_summary', input: { period: 'LAST' } } };

/** [case, stop reason or undefined for none, content, expected answer or a part of it, expected reply stop reason, log level] */
const CASES: Array<[string, string | undefined, ContentBlockJson[], string, string, 'info' | 'warn']> = [
  ['end_turn with text', 'end_turn', [TEXT], 'Model text.', 'end_turn', 'info'],
  ['end_turn without text', 'end_turn', [BLANK], 'The model returned no text (stop reason: end_turn).', 'end_turn', 'info'],
  ['stop_sequence with text', 'stop_sequence', [TEXT], 'Model text.', 'stop_sequence', 'info'],
  ['stop_sequence without text', 'stop_sequence', [], '(stop reason: stop_sequence)', 'stop_sequence', 'info'],
  ['tool_use without toolUse, with text', 'tool_use', [TEXT], 'Model text.', 'tool_use', 'warn'],
  ['tool_use without toolUse or text', 'tool_use', [], 'and it requested no tool', 'tool_use', 'warn'],
  ['max_tokens with cut tool call', 'max_tokens', [TEXT, CUT_TOOL_USE], 'Model text.', 'max_tokens', 'warn'],
  ['max_tokens without text', 'max_tokens', [CUT_TOOL_USE], 'raise maxOutputTokens (MAX_OUTPUT_TOKENS)', 'max_tokens', 'warn'],
  ['guardrail_intervened with text', 'guardrail_intervened', [{ text: 'Sorry, I cannot help with that.' }], 'Sorry, I cannot help with that.', 'guardrail_intervened', 'warn'],
  ['guardrail_intervened without text', 'guardrail_intervened', [], 'because a guardrail blocked the request or the answer', 'guardrail_intervened', 'warn'],
  ['content_filtered with text', 'content_filtered', [TEXT], 'Model text.', 'content_filtered', 'warn'],
  ['content_filtered without text', 'content_filtered', [BLANK], 'because content filtering blocked', 'content_filtered', 'warn'],
  ['malformed_model_output with text', 'malformed_model_output', [TEXT], 'The model returned malformed output (stop reason: malformed_model_output)', 'malformed_model_output', 'warn'],
  ['malformed_tool_use with tool call', 'malformed_tool_use', [TEXT, CUT_TOOL_USE], 'so no tool was run', 'malformed_tool_use', 'warn'],
  ['model_context_window_exceeded with text', 'model_context_window_exceeded', [TEXT], 'Model text.', 'model_context_window_exceeded', 'warn'],
  ['model_context_window_exceeded without text', 'model_context_window_exceeded', [], 'because the conversation filled the model\'s context window. Start a new conversation by leaving "messages" out', 'model_context_window_exceeded', 'warn'],
  ['unknown value with tool call', 'future_reason', [TEXT, CUT_TOOL_USE], 'Model text.', 'future_reason', 'warn'],
  ['unknown value without text', 'future_reason', [], 'its stop reason "future_reason" is not one that this agent knows', 'future_reason', 'warn'],
  ['missing stop reason', undefined, [TEXT], 'Model text.', 'unknown', 'warn'],
  ['end_turn with tool call', 'end_turn', [TEXT, CUT_TOOL_USE], 'Model text.', 'end_turn', 'info'],
];

/** Builds a response with `stopReason`, or without one when it is undefined. */
function responseFor(stopReason: string | undefined, content: ContentBlockJson[]) {
  const response = converseResponse(content, stopReason ?? 'end_turn');
  if (stopReason === undefined) {
    delete (response.body as { stopReason?: string }).stopReason;
  }
  return response;
}

describe('responses that end the loop', () => {
  test.each(CASES)('%s', async (_name, stopReason, content, expectedAnswer, expectedStopReason, logLevel) => {
    server.enqueue(responseFor(stopReason, content));

    const outcome = answerOf(await runLoop());

    expect(outcome.answer).toContain(expectedAnswer);
    expect(outcome.stopReason).toBe(expectedStopReason);
    expect(outcome.logLevel).toBe(logLevel);
    expect(server.requests).toHaveLength(1);
    expect(toolRuns).toEqual([]);
    expect(outcome.progress.toolRequestsNotRun).toBe(content.filter((block) => 'toolUse' in block).length);
  });

});

describe('returned history', () => {
  test.each(CASES)('%s', async (_name, stopReason, content) => {
    server.enqueue(responseFor(stopReason, content));

    const outcome = answerOf(await runLoop());

    expect(validateHistory(outcome.messages)).toEqual({ messages: outcome.messages });
    expect(outcome.messages[outcome.messages.length - 1]).toEqual({ role: 'assistant', content: [{ text: outcome.answer }] });
  });
});

describe('tool_use with tool calls', () => {
  test('runs tools and calls again', async () => {
    server.enqueue(
      converseResponse([{ toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }], 'tool_use'),
      converseResponse([TEXT], 'end_turn'),
    );

    const outcome = answerOf(await runLoop());

    expect(toolRuns).toEqual(['tool-1']);
    expect(server.requests).toHaveLength(2);
    expect(outcome.stopReason).toBe('end_turn');
    expect(outcome.logLevel).toBe('info');
  });

  test('limit stops before running tools', async () => {
    server.enqueue(
      converseResponse([{ toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }], 'tool_use'),
      converseResponse([TEXT, { toolUse: { toolUseId: 'tool-2', name: 'get_cost_summary', input: {} } }], 'tool_use'),
    );

    const outcome = answerOf(await runLoop(1));

    expect(toolRuns).toEqual(['tool-1']);
    expect(outcome.stopReason).toBe('max_tool_rounds');
    expect(outcome.answer).toContain('after 1 tool rounds, the limit that maxToolRounds (MAX_TOOL_ROUNDS) sets');
    expect(outcome.logLevel).toBe('warn');
    expect(outcome.progress.toolRequestsNotRun).toBe(1);
  });
});
