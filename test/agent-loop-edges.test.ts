/**
 * Edge cases of the Converse loop, the tool round and the history checks: responses without
 * optional fields, the deadline's boundaries, retry counts on errors, and the exact limits of a
 * history. Each test pins one rule that a changed operator or constant in those modules would break.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { agentConfig, agentEnvironment, LogCapture, REGION, TestEnvironment } from './support/agent-environment';
import { converseResponse, ConverseServer, delayed, errorResponse, repeated, textResponse, toolUseResponse } from './support/converse-server';
import { CONVERSE_MAX_ATTEMPTS, createBedrockClient } from '../src/agent/bedrock-client';
import { runConverseLoop } from '../src/agent/converse-loop';
import type { ConverseClient, ConverseLoopOptions } from '../src/agent/converse-loop';
import { Deadline, DeadlineExceededError, MIN_CONVERSE_CALL_MS } from '../src/agent/deadline';
import { historyLength, MAX_HISTORY_LENGTH, trimHistory, validateHistory } from '../src/agent/history';
import type { Message } from '../src/agent/history';
import { runToolRound } from '../src/agent/tool-round';
import type { ToolRunner } from '../src/agent/tool-round';

const CONFIG = agentConfig({ SYSTEM_PROMPT: 'You are a cost assistant.', MAX_OUTPUT_TOKENS: '1024' });
const FIXED_CLOCK = () => new Date('2025-03-15T00:00:00Z');
const PROMPT = { prompt: 'What did we spend?', history: [] };

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;
let client: BedrockRuntimeClient;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
  client = createBedrockClient(REGION);
});

afterEach(async () => {
  client.destroy();
  logs.stop();
  environment.restore();
  await server.stop();
});

function options(overrides: Partial<ConverseLoopOptions> = {}): ConverseLoopOptions {
  return {
    client,
    config: CONFIG,
    now: FIXED_CLOCK,
    logger: new Logger({ serviceName: 'loop-edges-test' }),
    deadline: new Deadline(Date.now() + 30_000),
    ...overrides,
  };
}

/** Builds a client that throws `thrown` from every call, for error shapes that the AWS SDK never produces. */
function throwingClient(thrown: unknown): ConverseClient {
  return { send: async () => { throw thrown; } };
}

describe('Converse responses', () => {
  test('missing usage counts zero tokens', async () => {
    server.enqueue({ status: 200, headers: {}, body: { output: { message: { role: 'assistant', content: [{ text: 'Answer.' }] } }, stopReason: 'end_turn' } });

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome).toMatchObject({ answer: 'Answer.' });
    expect(outcome.progress).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  test('missing output gives empty answer', async () => {
    server.enqueue({ status: 200, headers: {}, body: { stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 } } });

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome).toMatchObject({ answer: 'The model returned no text (stop reason: end_turn). Ask the question again, or rephrase it.' });
  });

  test('missing message gives empty answer', async () => {
    server.enqueue({ status: 200, headers: {}, body: { output: {}, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 } } });

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome).toMatchObject({ answer: 'The model returned no text (stop reason: end_turn). Ask the question again, or rephrase it.' });
  });

  test('text blocks joined without separator', async () => {
    server.enqueue(converseResponse([{ text: 'First part.' }, { text: ' Second part.' }], 'end_turn'));

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome).toMatchObject({ answer: 'First part. Second part.' });
  });

  test('request carries inference config', async () => {
    server.enqueue(textResponse('Answer.'));

    await runConverseLoop(PROMPT, options());

    expect(server.requests[0].body.inferenceConfig).toEqual({ ...CONFIG.inference.inferenceConfig });
    expect(server.requests[0].body.inferenceConfig.maxTokens).toBe(1024);
  });

  test('tool use ID from history rejected', async () => {
    const history: Message[] = [
      { role: 'user', content: [{ text: 'Earlier question.' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tool-old', name: 'get_cost_explorer_link', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tool-old', content: [{ text: 'Link.' }], status: 'success' } }] },
      { role: 'assistant', content: [{ text: 'Earlier answer.' }] },
    ];
    server.enqueue(toolUseResponse([{ toolUseId: 'tool-old', name: 'get_cost_explorer_link' }]));

    const outcome = await runConverseLoop({ prompt: 'New question.', history }, options());

    expect('error' in outcome).toBe(true);
    expect((outcome as { error: Error }).error.message).toContain('reused the toolUseId tool-old');
  });
});

describe('retries and errors', () => {
  test('first-attempt success logs no retry', async () => {
    server.enqueue(textResponse('Answer.'));

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome.progress.converseAttempts).toBe(1);
    expect(logs.records.filter((record) => record.message === 'Converse call succeeded after retries')).toEqual([]);
  });

  test('failed call counts SDK attempts', async () => {
    server.enqueue(...repeated(errorResponse(500, 'InternalServerException', 'Try again.'), CONVERSE_MAX_ATTEMPTS));

    const outcome = await runConverseLoop(PROMPT, options());

    expect((outcome as { error: Error }).error.name).toBe('InternalServerException');
    expect(outcome.progress).toMatchObject({ converseCalls: 1, converseAttempts: CONVERSE_MAX_ATTEMPTS });
  });

  test('unretried error counts one attempt', async () => {
    server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_explorer_link' }]));
    // The second request finds the queue empty, and the server replies with ValidationException.

    const outcome = await runConverseLoop(PROMPT, options());

    expect(outcome.progress).toMatchObject({ converseCalls: 2, converseAttempts: 2 });
  });

  test.each<[string, unknown]>([
    ['no $metadata', new Error('no metadata')],
    ['zero attempts', Object.assign(new Error('zero'), { $metadata: { attempts: 0 } })],
    ['attempts as text', Object.assign(new Error('text'), { $metadata: { attempts: '3' } })],
    ['undefined thrown', undefined],
  ])('%s counts one attempt', async (_name, thrown) => {
    const outcome = await runConverseLoop(PROMPT, options({ client: throwingClient(thrown) }));

    expect((outcome as { error: unknown }).error).toBe(thrown);
    expect(outcome.progress.converseAttempts).toBe(1);
  });

  test('deadline during call names phase', async () => {
    server.enqueue(delayed(textResponse('Too late.'), 5_000));

    const outcome = await runConverseLoop(PROMPT, options({ deadline: new Deadline(Date.now() + MIN_CONVERSE_CALL_MS + 300) }));

    const error = (outcome as { error: DeadlineExceededError }).error;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.phase).toBe('duringCall');
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('exactly minimum time still calls', async () => {
    server.enqueue(textResponse('Answer.'));
    const frozenAt = Date.now();

    const outcome = await runConverseLoop(PROMPT, options({ deadline: new Deadline(frozenAt + MIN_CONVERSE_CALL_MS, () => frozenAt) }));

    expect(outcome).toMatchObject({ answer: 'Answer.' });
  });
});

describe('tool round deadline', () => {
  /** Reserve before the deadline at which the loop aborts a tool round: MIN_CONVERSE_CALL_MS plus one second. */
  const RESERVE_MS = MIN_CONVERSE_CALL_MS + 1_000;
  const SLACK_MS = 600;

  /** Builds a tool that waits until its abort signal fires, and records when that happened. */
  function waitingTool(abortedAfter: number[]): ToolRunner {
    return async (request, context) => {
      const started = Date.now();
      await new Promise<void>((resolve) => {
        context.abortSignal?.addEventListener('abort', () => resolve());
        setTimeout(resolve, 10_000);
      });
      abortedAfter.push(Date.now() - started);
      return { name: request.name, status: 'error', resultBlock: { toolUseId: request.toolUseId, content: [{ text: 'Aborted.' }], status: 'error' } };
    };
  }

  test('tool aborted before reserve', async () => {
    server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]), textResponse('No data in time.'));
    const abortedAfter: number[] = [];

    const outcome = await runConverseLoop(PROMPT, options({
      deadline: new Deadline(Date.now() + RESERVE_MS + SLACK_MS),
      runTool: waitingTool(abortedAfter),
    }));

    expect(outcome).toMatchObject({ answer: 'No data in time.' });
    expect(abortedAfter).toHaveLength(1);
    // The abort comes about SLACK_MS after the tool starts: not at once, and well before the deadline.
    expect(abortedAfter[0]).toBeGreaterThanOrEqual(SLACK_MS / 4);
    expect(abortedAfter[0]).toBeLessThan(SLACK_MS + 500);
  });

  test('finished round cancels abort timer', async () => {
    server.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]), textResponse('Done.'));
    const signals: AbortSignal[] = [];
    const quickTool: ToolRunner = async (request, context) => {
      signals.push(context.abortSignal!);
      return { name: request.name, status: 'success', resultBlock: { toolUseId: request.toolUseId, content: [{ text: 'Quick.' }], status: 'success' } };
    };

    await runConverseLoop(PROMPT, options({ deadline: new Deadline(Date.now() + RESERVE_MS + 200), runTool: quickTool }));
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(false);
  });
});

describe('tool round', () => {
  const context = { tags: { Application: 'CloudEngineer' }, region: 'us-east-1', now: FIXED_CLOCK };
  const request = { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} };

  test('success logs no warning', async () => {
    const runTool: ToolRunner = async () => ({
      name: 'get_cost_summary',
      status: 'success',
      resultBlock: { toolUseId: 'tool-1', content: [{ text: 'Costs.' }], status: 'success' },
    });

    await runToolRound([request], { runTool, context, logger: new Logger({ serviceName: 'tool-round-edge' }), toolCalls: [] });

    expect(logs.records.filter((record) => record.message === 'Tool call failed')).toEqual([]);
  });

  test('non-Error throw named UnknownError', async () => {
    const runTool: ToolRunner = async () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'not an Error object';
    };

    const message = await runToolRound([request], { runTool, context, logger: new Logger({ serviceName: 'tool-round-edge' }), toolCalls: [] });

    expect(message.content?.[0].toolResult?.content).toEqual([{ text: 'The tool get_cost_summary failed with UnknownError. Answer without its result.' }]);
  });
});

describe('history limits', () => {
  /** Builds a valid two-turn history, padded so that its JSON form is exactly `length` characters. */
  function historyOfLength(length: number): Message[] {
    const build = (padding: number): Message[] => [
      { role: 'user', content: [{ text: 'First question.' }] },
      { role: 'assistant', content: [{ text: `First answer.${' '.repeat(padding)}x` }] },
      { role: 'user', content: [{ text: 'Second question.' }] },
      { role: 'assistant', content: [{ text: 'Second answer.' }] },
    ];
    const history = build(length - historyLength(build(0)));
    expect(historyLength(history)).toBe(length);
    return history;
  }

  // These tests compare small values only: a failed match on a 200,000-character history would
  // make jest print a diff that takes minutes to compute.
  test('history at maximum length accepted', () => {
    const result = validateHistory(historyOfLength(MAX_HISTORY_LENGTH));

    expect('error' in result ? result.error : 'accepted').toBe('accepted');
  });

  test('history one over maximum rejected', () => {
    const result = validateHistory(historyOfLength(MAX_HISTORY_LENGTH + 1));

    expect('error' in result ? result.error : 'accepted').toContain(`over the maximum of ${MAX_HISTORY_LENGTH}`);
  });

  test('trim keeps history at maximum', () => {
    expect(trimHistory(historyOfLength(MAX_HISTORY_LENGTH)).droppedMessages).toBe(0);
  });

  test('oversized last turn compacted', () => {
    const bigResult = 'y'.repeat(MAX_HISTORY_LENGTH);
    const messages: Message[] = [
      { role: 'user', content: [{ text: 'First question.' }] },
      { role: 'assistant', content: [{ text: 'First answer.' }] },
      { role: 'user', content: [{ text: 'Second question.' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tool-1', content: [{ text: bigResult }] } }] },
      { role: 'assistant', content: [{ text: 'Second answer.' }] },
    ];

    const trimmed = trimHistory(messages);

    expect(trimmed.messages.map((message) => messages.indexOf(message))).toEqual([2, 5]);
    expect(trimmed.droppedMessages).toBe(4);
  });
});

describe('history errors', () => {
  const TOOL_TURN = [
    { role: 'user', content: [{ text: 'Question.' }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: 'tool-1', name: 'get_cost_summary', input: {} } }] },
  ];

  function errorOf(history: unknown): string {
    const result = validateHistory(history);
    if (!('error' in result)) {
      throw new Error('expected the history to be rejected');
    }
    return result.error;
  }

  test('deep nesting message', () => {
    let nested: unknown = 'leaf';
    for (let depth = 0; depth < 20_000; depth++) {
      nested = [nested];
    }

    expect(errorOf([{ role: 'user', content: nested }])).toContain('it is nested too deeply to read');
  });

  test('lone surrogate message', () => {
    expect(errorOf([{ role: 'user', content: [{ text: 'bad \ud800 text' }] }, { role: 'assistant', content: [{ text: 'Answer.' }] }]))
      .toContain('it contains a string with an unpaired UTF-16 surrogate, which is not valid Unicode');
  });

  test('unserializable value rethrown', () => {
    expect(() => validateHistory([{ role: 'user', content: [{ text: BigInt(1) }] }])).toThrow(TypeError);
  });

  test('invalid result ID names path', () => {
    const history = [...TOOL_TURN, { role: 'user', content: [{ toolResult: { toolUseId: 'bad id', content: [{ text: 'Result.' }] } }] }];

    expect(errorOf(history)).toContain('messages[2].content[0].toolResult.toolUseId must have 1 to 64 characters');
  });

  test('numeric tool use ID rejected', () => {
    const history = [
      { role: 'user', content: [{ text: 'Question.' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 12345, name: 'get_cost_summary', input: {} } }] },
    ];

    expect(errorOf(history)).toContain('messages[1].content[0].toolUse.toolUseId must have 1 to 64 characters');
  });

  test('null JSON result rejected', () => {
    const history = [...TOOL_TURN, { role: 'user', content: [{ toolResult: { toolUseId: 'tool-1', content: [{ json: null }] } }] }];

    expect(errorOf(history)).toContain('messages[2].content[0].toolResult.content[0].json is missing or null');
  });
});
