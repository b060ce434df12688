/**
 * Injects Cost Explorer faults under the whole agent handler: the model requests get_cost_summary,
 * a local Cost Explorer server misbehaves, and the handler must still reply before the Lambda
 * timeout, with the fault named in the tool result that the model receives.
 *
 * test/agent-cost-explorer.test.ts covers the Cost Explorer query alone; this file covers the
 * path from the handler through the tool round.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { agentEnvironment, AgentHandler, lambdaContext, loadHandler, LogCapture, TestEnvironment } from './support/agent-environment';
import { ConverseServer, textResponse, toolUseResponse } from './support/converse-server';

const AGENT_MODULE = path.join(__dirname, '..', 'src', 'agent.lambda.ts');
/** Time left before the Lambda timeout when each invocation starts. */
const LAMBDA_REMAINING_MS = 8_000;

/** What the local Cost Explorer server does with each request. */
type CostExplorerFault =
  | { readonly kind: 'status'; readonly status: number; readonly errorType: string }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly delayMs: number };

/** A Cost Explorer stand-in that responds to every request with one fault and counts the requests. */
class FaultyCostExplorer {
  public static async start(fault: CostExplorerFault): Promise<FaultyCostExplorer> {
    const server = new FaultyCostExplorer(fault);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', () => resolve()));
    return server;
  }

  public requests = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly fault: CostExplorerFault) {
    this.server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => this.reply(response));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reply(response: http.ServerResponse): void {
    this.requests++;
    const fault = this.fault;
    switch (fault.kind) {
      case 'status':
        response.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': fault.errorType });
        response.end(JSON.stringify({ __type: fault.errorType, message: 'injected fault' }));
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end('{"ResultsByTime": [{"TimePeriod": ');
        return;
      case 'reset':
        response.socket?.destroy();
        return;
      case 'hang':
        return;
      case 'slow':
        this.timers.add(setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ ResultsByTime: [], DimensionValueAttributes: [] }));
        }, fault.delayMs));
        return;
    }
  }
}

let converse: ConverseServer;
let costExplorer: FaultyCostExplorer | undefined;
let environment: TestEnvironment;
let logs: LogCapture;

beforeEach(async () => {
  converse = await ConverseServer.start();
  environment = new TestEnvironment();
  environment.set(agentEnvironment(converse.endpoint));
  logs = LogCapture.start();
});

afterEach(async () => {
  logs.stop();
  environment.restore();
  await costExplorer?.stop();
  costExplorer = undefined;
  await converse.stop();
});

/**
 * Runs one invocation in which the model calls get_cost_summary against a Cost Explorer that
 * responds with `fault`, and returns the reply, the time it took and the tool result text that the
 * model received (undefined when no second Converse request came).
 */
async function invokeWithFault(fault: CostExplorerFault): Promise<{ reply: any; elapsedMs: number; toolResult?: string }> {
  costExplorer = await FaultyCostExplorer.start(fault);
  environment.set({ AWS_ENDPOINT_URL_COST_EXPLORER: costExplorer.endpoint });
  converse.enqueue(toolUseResponse([{ toolUseId: 'tool-1', name: 'get_cost_summary' }]), textResponse('No live figures.'));
  const handler: AgentHandler = loadHandler(AGENT_MODULE);

  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const lambdaTimeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within the Lambda timeout of ${LAMBDA_REMAINING_MS} ms`)), LAMBDA_REMAINING_MS);
  });
  try {
    const reply = await Promise.race([handler({ prompt: 'What did this application cost?' }, lambdaContext('fault-request', LAMBDA_REMAINING_MS)), lambdaTimeout]);
    const second = converse.requests[1]?.body;
    const lastMessage = second?.messages[second.messages.length - 1];
    return { reply, elapsedMs: Date.now() - started, toolResult: lastMessage?.content[0]?.toolResult?.content[0]?.text };
  } finally {
    clearTimeout(timer);
  }
}

describe('Cost Explorer faults through the handler', () => {
  test.each([
    ['internal error', { kind: 'status', status: 500, errorType: 'InternalServerException' }, /InternalServerException/],
    ['unavailable', { kind: 'status', status: 503, errorType: 'ServiceUnavailable' }, /ServiceUnavailable|503/],
    ['throttling storm', { kind: 'status', status: 400, errorType: 'ThrottlingException' }, /Throttl/],
    ['limit exceeded', { kind: 'status', status: 400, errorType: 'LimitExceededException' }, /LimitExceeded/],
    ['malformed JSON', { kind: 'malformed' }, /\w+/],
    ['connection reset', { kind: 'reset' }, /\w+/],
  ] as const)('%s ends with tool error', async (_name, fault, expectedText) => {
    const { reply, elapsedMs, toolResult } = await invokeWithFault(fault);

    expect(reply.answer).toBe('No live figures.');
    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'error' }]);
    expect(toolResult).toMatch(expectedText);
    expect(toolResult).toContain('Answer without live cost figures');
    expect(elapsedMs).toBeLessThan(LAMBDA_REMAINING_MS);
    expect(costExplorer!.requests).toBeGreaterThanOrEqual(1);
  });

  test('hung Cost Explorer ends before timeout', async () => {
    const { reply, elapsedMs, toolResult } = await invokeWithFault({ kind: 'hang' });

    // The tool call must give up in time for the final Converse call, so the model can answer.
    expect(reply.answer).toBe('No live figures.');
    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'error' }]);
    expect(toolResult).toMatch(/timed out|deadline/i);
    expect(elapsedMs).toBeLessThan(LAMBDA_REMAINING_MS);
  });

  test('slow Cost Explorer ends before timeout', async () => {
    const { reply, elapsedMs } = await invokeWithFault({ kind: 'slow', delayMs: 60_000 });

    expect(reply.toolCalls).toEqual([{ name: 'get_cost_summary', status: 'error' }]);
    expect(elapsedMs).toBeLessThan(LAMBDA_REMAINING_MS);
  });
});
