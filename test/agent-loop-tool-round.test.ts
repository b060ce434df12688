/**
 * Unit tests of one tool round: the checks on the model's tool requests and the tool results that Bedrock receives.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { InvalidModelResponseError } from '../src/agent/model-errors';
import type { ToolCallSummary } from '../src/agent/replies';
import { assistantToolMessage, checkToolRequests, EMPTY_TOOL_RESULT_TEXT, runToolRound, sendableToolResult } from '../src/agent/tool-round';
import type { ToolRunner } from '../src/agent/tool-round';

const CONTEXT = { tags: { Application: 'CloudEngineer' }, region: 'us-east-1', now: () => new Date('2025-03-15T00:00:00Z') };
const silentLogger = new Logger({ serviceName: 'tool-round-test', logLevel: 'SILENT' });

function checkError(toolUses: ToolUseBlock[], seen: string[] = []): string {
  try {
    checkToolRequests(toolUses, new Set(seen));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidModelResponseError);
    return (error as Error).message;
  }
  throw new Error('expected InvalidModelResponseError');
}

describe('checkToolRequests', () => {
  test('valid requests returned and recorded', () => {
    const seen = new Set(['tool-0']);

    const requests = checkToolRequests([{ toolUseId: 'tool-1', name: 'get_cost_summary', input: { period: 'x' } }], seen);

    expect(requests).toEqual([{ toolUseId: 'tool-1', name: 'get_cost_summary', input: { period: 'x' } }]);
    expect([...seen]).toEqual(['tool-0', 'tool-1']);
  });

  test.each<[string, ToolUseBlock[], string[], string]>([
    ['missing toolUseId', [{ name: 'get_cost_summary', input: {} } as ToolUseBlock], [], 'without a valid toolUseId'],
    ['toolUseId with space', [{ toolUseId: 'tool 1', name: 'get_cost_summary', input: {} }], [], 'without a valid toolUseId'],
    ['toolUseId too long', [{ toolUseId: 't'.repeat(65), name: 'get_cost_summary', input: {} }], [], 'without a valid toolUseId'],
    ['missing name', [{ toolUseId: 'tool-1', input: {} } as ToolUseBlock], [], 'without a valid name, in the toolUse block tool-1'],
    ['name with dot', [{ toolUseId: 'tool-1', name: 'cost.summary', input: {} }], [], 'without a valid name, in the toolUse block tool-1'],
    ['missing input', [{ toolUseId: 'tool-1', name: 'get_cost_summary' } as ToolUseBlock], [], 'requested the tool get_cost_summary without input'],
    ['null input', [{ toolUseId: 'tool-1', name: 'get_cost_summary', input: null }], [], 'requested the tool get_cost_summary without input'],
    ['ID repeated in response', [{ toolUseId: 'tool-1', name: 'a', input: {} }, { toolUseId: 'tool-1', name: 'b', input: {} }], [], 'reused the toolUseId tool-1'],
    ['ID from earlier round', [{ toolUseId: 'tool-1', name: 'a', input: {} }], ['tool-1'], 'reused the toolUseId tool-1'],
  ])('%s rejected', (_name, toolUses, seen, expected) => {
    expect(checkError(toolUses, seen)).toContain(expected);
  });
});

describe('assistantToolMessage', () => {
  test('keeps text and checked requests', () => {
    const message = assistantToolMessage(
      [{ text: '' }, { text: 'Checking.' }, { reasoningContent: { reasoningText: { text: 'Hmm.' } } }, { toolUse: { toolUseId: 'tool-1', name: 'x', input: {}, type: 'server_tool_use' } }],
      [{ toolUseId: 'tool-1', name: 'x', input: {} }],
    );

    expect(message).toEqual({ role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tool-1', name: 'x', input: {} } }] });
  });
});

describe('sendableToolResult', () => {
  test('text and JSON kept', () => {
    const result = sendableToolResult({ toolUseId: 'tool-1', content: [{ text: 'Total' }, { json: { amount: 1 } }], status: 'success' }, 'tool-1');

    expect(result).toEqual({ toolUseId: 'tool-1', content: [{ text: 'Total' }, { json: { amount: 1 } }], status: 'success' });
  });

  test('blank content replaced', () => {
    const result = sendableToolResult({ toolUseId: 'tool-1', content: [{ text: ' ' }, { json: null }] }, 'tool-1');

    expect(result.content).toEqual([{ text: EMPTY_TOOL_RESULT_TEXT }]);
  });

  test('other content kinds dropped', () => {
    const result = sendableToolResult({ toolUseId: 'tool-1', content: [{ image: { format: 'png', source: { bytes: new Uint8Array([1]) } } }, { text: 'Kept' }] }, 'tool-1');

    expect(result.content).toEqual([{ text: 'Kept' }]);
  });

  test('request ID replaces runner ID', () => {
    expect(sendableToolResult({ toolUseId: 'other', content: [{ text: 'R' }] }, 'tool-1').toolUseId).toBe('tool-1');
  });

  test('unknown status left out', () => {
    const result = sendableToolResult({ toolUseId: 'tool-1', content: [{ text: 'R' }], status: 'partial' as 'success' }, 'tool-1');

    expect(result).not.toHaveProperty('status');
  });
});

describe('runToolRound', () => {
  test('throwing runner gets error result', async () => {
    const runner: ToolRunner = async () => {
      throw new TypeError('boom');
    };
    const toolCalls: ToolCallSummary[] = [];

    const message = await runToolRound([{ toolUseId: 'tool-1', name: 'get_cost_summary', input: {} }], { runTool: runner, context: CONTEXT, logger: silentLogger, toolCalls });

    expect(message).toEqual({
      role: 'user',
      content: [{ toolResult: { toolUseId: 'tool-1', content: [{ text: 'The tool get_cost_summary failed with TypeError. Answer without its result.' }], status: 'error' } }],
    });
    expect(toolCalls).toEqual([{ name: 'get_cost_summary', status: 'error' }]);
  });

  test('results keep request order', async () => {
    const runner: ToolRunner = async (toolUse) => ({
      name: toolUse.name ?? '',
      status: 'success',
      resultBlock: { toolUseId: toolUse.toolUseId, content: [{ text: `Result ${toolUse.toolUseId}` }], status: 'success' },
    });

    const message = await runToolRound(
      [{ toolUseId: 'b', name: 'x', input: {} }, { toolUseId: 'a', name: 'y', input: {} }],
      { runTool: runner, context: CONTEXT, logger: silentLogger, toolCalls: [] },
    );

    expect(message.content?.map((block) => block.toolResult?.toolUseId)).toEqual(['b', 'a']);
  });
});
