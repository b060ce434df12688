/**
 * A local HTTP server that stands in for the Amazon Bedrock runtime Converse API in tests.
 *
 * It speaks HTTP/2 without TLS, because the Bedrock runtime client of the AWS SDK sends every
 * request over HTTP/2 (it uses NodeHttp2Handler in @aws-sdk/client-bedrock-runtime 3.1178), and
 * connects without TLS to an `http://` endpoint.
 *
 * It listens on 127.0.0.1 on a random port, records every request, and replies from a queue of
 * scripted responses. When the queue is empty it replies with a ValidationException, which the SDK
 * does not retry, so an unexpected extra request shows up as one recorded request and an error reply.
 */
import { randomUUID } from 'node:crypto';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/** A request that the server received. */
export interface RecordedRequest {
  readonly method: string;
  /** The request path with percent-encoding decoded, such as `/model/arn:aws:bedrock:.../converse`. */
  readonly path: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The decoded model ID of a Converse request, or undefined for any other path. */
  readonly modelId?: string;
  /** The JSON body, parsed. */
  readonly body: any;
}

/** A response that the server sends for one request. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A content block of a scripted assistant message, in the Converse JSON form. */
export type ContentBlockJson =
  | { readonly text: string }
  | { readonly toolUse: { readonly toolUseId?: string; readonly name: string; readonly input: unknown } };

export interface UsageJson {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const CONVERSE_PATH = /^\/model\/([^/]+)\/converse$/;

/** Builds a successful Converse response whose assistant message has `content`. */
export function converseResponse(
  content: ContentBlockJson[],
  stopReason: string,
  usage: UsageJson = { inputTokens: 10, outputTokens: 5 },
): ScriptedResponse {
  return {
    status: 200,
    headers: {},
    body: {
      output: { message: { role: 'assistant', content } },
      stopReason,
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 42 },
    },
  };
}

/** Builds a final answer with one text block and stop reason `end_turn`. */
export function textResponse(text: string, usage?: UsageJson): ScriptedResponse {
  return converseResponse([{ text }], 'end_turn', usage);
}

/** Builds a response that requests the given tools, with stop reason `tool_use`. */
export function toolUseResponse(toolUses: Array<{ toolUseId: string; name: string }>, usage?: UsageJson): ScriptedResponse {
  return converseResponse(toolUses.map(({ toolUseId, name }) => ({ toolUse: { toolUseId, name, input: {} } })), 'tool_use', usage);
}

/** Builds an error response the way Bedrock sends one: the error type in `x-amzn-errortype` and a JSON message. */
export function errorResponse(status: number, errorType: string, message: string): ScriptedResponse {
  return { status, headers: { 'x-amzn-errortype': errorType }, body: { message } };
}

export class ConverseServer {
  /** Starts a server on 127.0.0.1 on a port that the system picks. */
  public static async start(): Promise<ConverseServer> {
    const server = new ConverseServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** The requests received so far, in order. */
  public readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedResponse[] = [];
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly server: http2.Http2Server;

  private constructor() {
    this.server = http2.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.reply(request, Buffer.concat(chunks).toString('utf8'), response));
    });
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
  }

  /** The URL to put in AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The number of scripted responses not sent yet. */
  public get pendingResponses(): number {
    return this.queue.length;
  }

  /** Adds responses to the end of the queue. */
  public enqueue(...responses: ScriptedResponse[]): void {
    this.queue.push(...responses);
  }

  /** Stops the server and closes the sessions that the SDK keeps open. */
  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) {
      session.destroy();
    }
    await closed;
  }

  private reply(request: http2.Http2ServerRequest, rawBody: string, response: http2.Http2ServerResponse): void {
    const rawPath = (request.url ?? '').split('?')[0];
    const match = CONVERSE_PATH.exec(rawPath);
    this.requests.push({
      method: request.method ?? '',
      path: decodeURIComponent(rawPath),
      rawPath,
      modelId: match ? decodeURIComponent(match[1]) : undefined,
      body: rawBody ? JSON.parse(rawBody) : undefined,
    });

    const scripted = request.method !== 'POST' || !match
      ? errorResponse(404, 'UnknownOperationException', `converse-server: no route for ${request.method} ${rawPath}`)
      : this.queue.shift() ?? errorResponse(400, 'ValidationException', 'converse-server: no scripted response is left for this request');
    const body = JSON.stringify(scripted.body);
    response.writeHead(scripted.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...scripted.headers,
    });
    response.end(body);
  }
}
