/**
 * Property-based tests of the Converse loop. fast-check generates sequences of model responses with
 * random stop reasons, text, blank text, tool requests for known and unknown tools, repeated and
 * missing tool use IDs, and other block kinds. A stand-in client returns them in turn, without
 * HTTP, so each property runs its cases in about a second or less.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ContentBlock, ConverseCommand, ConverseCommandInput, ConverseCommandOutput, Message } from '@aws-sdk/client-bedrock-runtime';
import * as fc from 'fast-check';
import { agentConfig, TAGS } from './support/agent-environment';
import { runConverseLoop } from '../src/agent/converse-loop';
import type { ConverseClient, ConverseLoopOutcome } from '../src/agent/converse-loop';
import { Deadline } from '../src/agent/deadline';
import { isBlank, TOOL_IDENTIFIER_PATTERN, validateHistory } from '../src/agent/history';
import type { ToolRunner } from '../src/agent/tool-round';
import { TOOL_SPECS } from '../src/agent/tools';

/** A generated model response. */
interface ScriptedModelResponse {
  readonly stopReason?: string;
  readonly content: Array<Record<string, unknown>>;
}

/** The kind of result that the stand-in tool runner returns for one call. */
type ToolBehaviour = 'text' | 'emptyText' | 'noContent' | 'error' | 'throw';

const KNOWN_STOP_REASONS = [
  'end_turn', 'stop_sequence', 'max_tokens', 'guardrail_intervened', 'content_filtered',
  'malformed_model_output', 'malformed_tool_use', 'model_context_window_exceeded',
];

const stopReasonArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('tool_use'), weight: 6 },
  { arbitrary: fc.constantFrom(...KNOWN_STOP_REASONS), weight: 4 },
  { arbitrary: fc.constantFrom('future_reason', 'refusal'), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

const textArbitrary = fc.oneof(
  fc.constantFrom('', ' ', '\n\t', 'Let me check.', 'Here is the answer.'),
  fc.string({ maxLength: 12 }),
);

// Mostly distinct IDs, so that loops reach the tool-round limit, plus a small pool that repeats IDs
// within a response or across rounds.
const toolUseIdArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.integer({ min: 100, max: 99_999 }).map((n) => `tool-${n}`), weight: 10 },
  { arbitrary: fc.constantFrom('tool-1', 'tool-2'), weight: 2 },
  { arbitrary: fc.constantFrom(undefined, 'bad id!', ''), weight: 1 },
);

const toolNameArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom('get_cost_summary', 'get_cost_explorer_link', 'get_weather'), weight: 12 },
  { arbitrary: fc.constantFrom(undefined, 'bad name!'), weight: 1 },
);

const toolUseArbitrary = fc.record({
  toolUseId: toolUseIdArbitrary,
  name: toolNameArbitrary,
  input: fc.oneof(
    { arbitrary: fc.constant({}), weight: 6 },
    { arbitrary: fc.dictionary(fc.constantFrom('period', 'months'), fc.oneof(fc.string({ maxLength: 5 }), fc.integer())), weight: 3 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  ),
}, { requiredKeys: [] });

const blockArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { arbitrary: textArbitrary.map((text) => ({ text })), weight: 5 },
  { arbitrary: toolUseArbitrary.map((toolUse) => ({ toolUse })), weight: 5 },
  { arbitrary: fc.constant({ reasoningContent: { reasoningText: { text: 'Thinking.' } } }), weight: 1 },
);

const responseArbitrary: fc.Arbitrary<ScriptedModelResponse> = fc.record({
  stopReason: stopReasonArbitrary,
  content: fc.array(blockArbitrary, { maxLength: 4 }),
});

const scenarioArbitrary = fc.record({
  responses: fc.array(responseArbitrary, { minLength: 1, maxLength: 7 }),
  maxToolRounds: fc.integer({ min: 1, max: 4 }),
  toolBehaviours: fc.array(fc.constantFrom<ToolBehaviour>('text', 'emptyText', 'noContent', 'error', 'throw'), { minLength: 1, maxLength: 5 }),
  caller: fc.option(fc.constantFrom('tenant-42', 'user@example.com'), { nil: undefined }),
  prompt: fc.constantFrom('What did we spend?', '  Cost by service?  '),
});

/** A client that returns the scripted responses in turn and records every request it receives. */
class ScriptedClient implements ConverseClient {
  public readonly requests: ConverseCommandInput[] = [];
  private next = 0;

  constructor(private readonly responses: readonly ScriptedModelResponse[]) {}

  public async send(command: ConverseCommand): Promise<ConverseCommandOutput> {
    this.requests.push(structuredClone(command.input));
    const scripted = this.responses[this.next] ?? { stopReason: 'end_turn', content: [{ text: 'Fallback answer.' }] };
    this.next += 1;
    return {
      output: { message: { role: 'assistant', content: structuredClone(scripted.content) as unknown as ContentBlock[] } },
      stopReason: scripted.stopReason as ConverseCommandOutput['stopReason'],
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
      metrics: { latencyMs: 1 },
      $metadata: { attempts: 1 },
    };
  }
}

/** A tool runner that returns results of the given kinds, in turn, and counts its calls. */
function scriptedRunner(behaviours: readonly ToolBehaviour[]): { runner: ToolRunner; calls: () => number } {
  let calls = 0;
  const runner: ToolRunner = async (toolUse) => {
    const behaviour = behaviours[calls % behaviours.length];
    calls += 1;
    const name = toolUse.name ?? '';
    switch (behaviour) {
      case 'throw':
        throw new Error('tool crashed');
      case 'noContent':
        return { name, status: 'success', resultBlock: { toolUseId: toolUse.toolUseId, content: [] } };
      case 'emptyText':
        return { name, status: 'success', resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: ' ' }], status: 'success' } };
      case 'error':
        return { name, status: 'error', resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: 'Failed.' }], status: 'error' }, errorName: 'Failed' };
      default:
        return { name, status: 'success', resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: `Result of ${name}.` }], status: 'success' } };
    }
  };
  return { runner, calls: () => calls };
}

const silentLogger = new Logger({ serviceName: 'loop-properties', logLevel: 'SILENT' });

async function runScenario(
  scenario: { responses: ScriptedModelResponse[]; maxToolRounds: number; toolBehaviours: ToolBehaviour[]; caller?: string; prompt: string },
  history: readonly Message[] = [],
) {
  const client = new ScriptedClient(scenario.responses);
  const tools = scriptedRunner(scenario.toolBehaviours);
  const outcome = await runConverseLoop(
    { prompt: scenario.prompt, history, caller: scenario.caller },
    {
      client,
      config: agentConfig({ MAX_TOOL_ROUNDS: String(scenario.maxToolRounds) }),
      now: () => new Date('2025-03-15T00:00:00Z'),
      logger: silentLogger,
      deadline: new Deadline(Date.now() + 60_000),
      runTool: tools.runner,
    },
  );
  return { outcome, requests: client.requests, toolRuns: tools.calls() };
}

/** Throws when a request breaks a rule that Bedrock enforces or that the loop promises. */
function checkRequest(input: ConverseCommandInput, caller: string | undefined): void {
  expect(input.toolConfig?.tools).toHaveLength(TOOL_SPECS.length);
  expect(input.requestMetadata).toEqual(caller === undefined ? TAGS : { ...TAGS, caller });
  expect(isBlank(input.system?.[0]?.text ?? '')).toBe(false);

  const messages = input.messages ?? [];
  expect(messages.length % 2).toBe(1);
  const seenToolUseIds = new Set<string>();
  messages.forEach((message, index) => {
    expect(message.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
    const content = message.content ?? [];
    expect(content.length).toBeGreaterThan(0);

    for (const block of content) {
      expect(Object.keys(block)).toHaveLength(1);
      if (block.text !== undefined) {
        expect(isBlank(block.text)).toBe(false);
      } else if (block.toolUse !== undefined) {
        expect(message.role).toBe('assistant');
        expect(block.toolUse.toolUseId).toMatch(TOOL_IDENTIFIER_PATTERN);
        expect(block.toolUse.name).toMatch(TOOL_IDENTIFIER_PATTERN);
        expect(block.toolUse.input).toBeDefined();
        expect(seenToolUseIds.has(block.toolUse.toolUseId!)).toBe(false);
        seenToolUseIds.add(block.toolUse.toolUseId!);
      } else if (block.toolResult !== undefined) {
        expect(message.role).toBe('user');
        expect(block.toolResult.content?.length).toBeGreaterThan(0);
        for (const item of block.toolResult.content ?? []) {
          expect(item.text === undefined || !isBlank(item.text)).toBe(true);
        }
      } else {
        throw new Error(`unexpected content block ${JSON.stringify(block)}`);
      }
    }

    // All results of one assistant turn are in the next user message, once each.
    const toolUseIds = content.flatMap((block) => (block.toolUse ? [block.toolUse.toolUseId] : [])).sort();
    const next = messages[index + 1]?.content ?? [];
    const answeredIds = next.flatMap((block) => (block.toolResult ? [block.toolResult.toolUseId] : [])).sort();
    if (message.role === 'assistant') {
      expect(answeredIds).toEqual(toolUseIds);
      if (toolUseIds.length > 0) {
        expect(next.every((block) => block.toolResult !== undefined)).toBe(true);
      }
    }
  });
  // A request that sends a new prompt carries valid history before it.
  if (messages[messages.length - 1].content?.[0].text !== undefined) {
    expect(validateHistory(messages.slice(0, messages.length - 1))).not.toHaveProperty('error');
  }
}

function countToolResults(messages: readonly Message[]): number {
  return messages.flatMap((message) => (message.content ?? []).filter((block) => block.toolResult !== undefined)).length;
}

function checkOutcome(
  outcome: ConverseLoopOutcome,
  requests: readonly ConverseCommandInput[],
  toolRuns: number,
  maxToolRounds: number,
  history: readonly Message[] = [],
): void {
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.length).toBeLessThanOrEqual(maxToolRounds + 1);
  expect(outcome.progress.toolRounds).toBeLessThanOrEqual(maxToolRounds);

  // Every tool that ran has its result in the last request, so no result was lost or invented.
  const lastMessages = requests[requests.length - 1].messages ?? [];
  expect(toolRuns).toBe(countToolResults(lastMessages) - countToolResults(history));

  if ('answer' in outcome) {
    expect(isBlank(outcome.answer)).toBe(false);
    expect(validateHistory(outcome.messages)).toEqual({ messages: outcome.messages });
    expect(outcome.messages[outcome.messages.length - 1]).toEqual({ role: 'assistant', content: [{ text: outcome.answer }] });
  } else {
    expect((outcome.error as Error).name).toBe('InvalidModelResponse');
  }
}

describe('Converse loop properties', () => {
  test('every request valid, loop bounded', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { outcome, requests, toolRuns } = await runScenario(scenario);

        for (const request of requests) {
          checkRequest(request, scenario.caller);
        }
        checkOutcome(outcome, requests, toolRuns, scenario.maxToolRounds);
      }),
      { numRuns: 300 },
    );
  });

  test('tools run only on tool_use', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { requests, toolRuns } = await runScenario(scenario);

        // Request k + 1 follows response k, so only the responses before the last request led to tool rounds.
        const answered = scenario.responses.slice(0, requests.length - 1);
        expect(answered.every((response) => response.stopReason === 'tool_use')).toBe(true);
        const requested = answered.reduce((count, response) => count + response.content.filter((block) => 'toolUse' in block).length, 0);
        expect(toolRuns).toBe(requested);
      }),
      { numRuns: 300 },
    );
  });

  test('round limit bounds calls', async () => {
    // Six rounds of tool requests, each ID made unique by its round number.
    const toolRounds = fc.array(fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { minLength: 1, maxLength: 3 }), { minLength: 6, maxLength: 6 })
      .map((rounds) => rounds.map((ids, round): ScriptedModelResponse => ({
        stopReason: 'tool_use',
        content: ids.map((id) => ({ toolUse: { toolUseId: `tool-${round}-${id}`, name: 'get_weather', input: {} } })),
      })));
    await fc.assert(
      fc.asyncProperty(toolRounds, fc.integer({ min: 1, max: 5 }), async (responses, maxToolRounds) => {
        const { outcome, requests } = await runScenario({ responses, maxToolRounds, toolBehaviours: ['text'], prompt: 'Question?' });

        expect(requests).toHaveLength(maxToolRounds + 1);
        expect(outcome).toMatchObject({ stopReason: 'max_tool_rounds', progress: { toolRounds: maxToolRounds } });
      }),
      { numRuns: 50 },
    );
  });

  test('returned history continues validly', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, scenarioArbitrary, async (first, second) => {
        const firstRun = await runScenario(first);
        fc.pre('answer' in firstRun.outcome);
        const history = (firstRun.outcome as { messages: Message[] }).messages;

        const { outcome, requests, toolRuns } = await runScenario(second, history);

        expect(requests[0].messages).toEqual([...history, { role: 'user', content: [{ text: second.prompt }] }]);
        for (const request of requests) {
          checkRequest(request, second.caller);
        }
        checkOutcome(outcome, requests, toolRuns, second.maxToolRounds, history);
      }),
      { numRuns: 150 },
    );
  });
});
