/**
 * Fuzzes the agent handler's request with fast-check: every invalid request gets a ValidationError
 * reply, the handler does not throw, and no request reaches the local Converse server.
 *
 * The handler module is loaded once per test, because loading it for every generated request would
 * take most of the run time. It reads its configuration at module scope and keeps no state between
 * invocations that a request could change.
 */
import * as path from 'node:path';
import * as fc from 'fast-check';
import { AgentHandler, agentEnvironment, lambdaContext, loadHandler, LogCapture, TestEnvironment } from './support/agent-environment';
import { ConverseServer, textResponse } from './support/converse-server';
import { MAX_HISTORY_LENGTH, MAX_HISTORY_MESSAGES } from '../src/agent/history';
import { MAX_PROMPT_LENGTH } from '../src/agent/request';
import { MAX_REQUEST_METADATA_LENGTH } from '../src/agent/request-metadata';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');
const PROMPT = 'Where does the cost of this application appear?';
// Enough runs to reach each generator's edge cases, few enough for a 2-core CI machine.
const RUNS = 60;

let server: ConverseServer;
let environment: TestEnvironment;
let logs: LogCapture;
let handler: AgentHandler;

beforeEach(async () => {
  server = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(server.endpoint));
  logs = LogCapture.start();
  handler = loadHandler(AGENT_MODULE);
});

afterEach(async () => {
  logs.stop();
  environment.restore();
  await server.stop();
});

/** Invokes the handler and checks the reply is a ValidationError that reached no model. */
async function expectValidationError(event: unknown): Promise<void> {
  const before = server.requests.length;
  const reply = await handler(event, lambdaContext('fuzz-request'));

  expect(reply).toEqual({ error: { type: 'ValidationError', message: expect.any(String) } });
  expect(reply.error.message.length).toBeGreaterThan(0);
  // A reply that echoed a huge input would be as large as the input.
  expect(reply.error.message.length).toBeLessThan(1_000);
  expect(server.requests.length).toBe(before);
}

/** Any JSON value, nested a few levels deep, as a request or a field of one. */
const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Strings with a lone UTF-16 surrogate, which is not valid Unicode and has no UTF-8 encoding. */
const loneSurrogateText = fc.tuple(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.string({ maxLength: 20 }),
).map(([before, code, after]) => `Where${before}${String.fromCharCode(code)}${after}`)
  // A generated neighbour can complete the pair, which makes the text valid again.
  .filter((text) => /[\ud800-\udfff]/u.test(text));

/** Returns a value nested `depth` levels deep in arrays or objects. */
function deeplyNested(depth: number, useArrays: boolean): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) {
    value = useArrays ? [value] : { next: value };
  }
  return value;
}

describe('request shape', () => {
  test('non-object requests rejected', async () => {
    const nonObject = anyJson.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value));
    await fc.assert(fc.asyncProperty(nonObject, expectValidationError), { numRuns: RUNS });
  });

  test('objects without prompt rejected', async () => {
    const withoutPrompt = fc.dictionary(fc.string({ maxLength: 10 }).filter((key) => key !== 'prompt'), anyJson, { maxKeys: 5 });
    await fc.assert(fc.asyncProperty(withoutPrompt, expectValidationError), { numRuns: RUNS });
  });

  test('non-string prompts rejected', async () => {
    const nonString = anyJson.filter((value) => typeof value !== 'string');
    await fc.assert(fc.asyncProperty(nonString, (prompt) => expectValidationError({ prompt })), { numRuns: RUNS });
  });

  test('blank prompts rejected', async () => {
    const blank = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003'), maxLength: 50 });
    await fc.assert(fc.asyncProperty(blank, (prompt) => expectValidationError({ prompt })), { numRuns: RUNS });
  });

  test('huge prompts rejected', async () => {
    const length = fc.integer({ min: MAX_PROMPT_LENGTH + 1, max: 5_000_000 });
    await fc.assert(fc.asyncProperty(length, (size) => expectValidationError({ prompt: 'x'.repeat(size) })), { numRuns: 10 });
  });

  test('lone surrogates in prompt rejected', async () => {
    await fc.assert(fc.asyncProperty(loneSurrogateText, (prompt) => expectValidationError({ prompt })), { numRuns: RUNS });
  });
});

describe('caller', () => {
  test('non-string callers rejected', async () => {
    const nonString = anyJson.filter((value) => typeof value !== 'string' && value !== undefined);
    await fc.assert(fc.asyncProperty(nonString, (caller) => expectValidationError({ prompt: PROMPT, caller })), { numRuns: RUNS });
  });

  test('long callers rejected', async () => {
    const length = fc.integer({ min: MAX_REQUEST_METADATA_LENGTH + 1, max: 100_000 });
    await fc.assert(fc.asyncProperty(length, (size) => expectValidationError({ prompt: PROMPT, caller: 'c'.repeat(size) })), { numRuns: 10 });
  });

  test('lone surrogates in caller rejected', async () => {
    await fc.assert(fc.asyncProperty(loneSurrogateText, (caller) => expectValidationError({ prompt: PROMPT, caller })), { numRuns: RUNS });
  });
});

describe('history', () => {
  test('wrongly typed messages rejected', async () => {
    const notHistory = anyJson.filter((value) => value !== undefined && !(Array.isArray(value) && value.length === 0));
    await fc.assert(fc.asyncProperty(notHistory, (messages) => expectValidationError({ prompt: PROMPT, messages })), { numRuns: RUNS });
  });

  test('random message objects rejected', async () => {
    const message = fc.record({
      role: fc.oneof(fc.constantFrom('user', 'assistant'), anyJson),
      content: fc.oneof(fc.array(anyJson, { maxLength: 3 }), anyJson),
    }, { requiredKeys: [] });
    // The last message of a history must be the model's answer, so a user message there is invalid
    // whatever it contains.
    const history = fc.array(message, { minLength: 1, maxLength: 5 })
      .map((messages) => [...messages, { role: 'user', content: [{ text: 'again' }] }]);
    await fc.assert(fc.asyncProperty(history, (messages) => expectValidationError({ prompt: PROMPT, messages })), { numRuns: RUNS });
  });

  test('deeply nested messages rejected', async () => {
    for (const depth of [100, 10_000, 100_000]) {
      await expectValidationError({ prompt: PROMPT, messages: deeplyNested(depth, true) });
      await expectValidationError({ prompt: PROMPT, messages: [{ role: 'user', content: [deeplyNested(depth, false)] }] });
    }
  });

  test('deeply nested unknown field', async () => {
    // Fields the handler does not read are ignored, however deep, but the prompt still has to be valid.
    await expectValidationError({ prompt: 42, extra: deeplyNested(100_000, false) });
  });

  test('too many messages rejected', async () => {
    const turn = [{ role: 'user', content: [{ text: 'q' }] }, { role: 'assistant', content: [{ text: 'a' }] }];
    const count = fc.integer({ min: MAX_HISTORY_MESSAGES / 2 + 1, max: 5_000 });
    await fc.assert(fc.asyncProperty(count, (turns) => expectValidationError({
      prompt: PROMPT,
      messages: Array.from({ length: turns }, () => turn).flat(),
    })), { numRuns: 10 });
  });

  test('too long history rejected', async () => {
    const messages = [{ role: 'user', content: [{ text: 'q'.repeat(MAX_HISTORY_LENGTH) }] }, { role: 'assistant', content: [{ text: 'a' }] }];
    await expectValidationError({ prompt: PROMPT, messages });
  });

  test('lone surrogates in history rejected', async () => {
    await fc.assert(fc.asyncProperty(loneSurrogateText, (text) => expectValidationError({
      prompt: PROMPT,
      messages: [{ role: 'user', content: [{ text }] }, { role: 'assistant', content: [{ text: 'An answer.' }] }],
    })), { numRuns: 20 });
  });
});

describe('valid requests', () => {
  test('reach the model once', async () => {
    // The control case: the fuzzed requests above fail validation, not the test set-up.
    server.enqueue(textResponse('Answer.'));

    const reply = await handler({ prompt: PROMPT }, lambdaContext('fuzz-control'));

    expect(reply.answer).toBe('Answer.');
    expect(server.requests).toHaveLength(1);
  });
});
