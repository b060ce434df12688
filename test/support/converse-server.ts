/**
 * A local HTTP server that replaces the Amazon Bedrock runtime Converse API in tests.
 *
 * It speaks HTTP/2 without TLS, because the Bedrock runtime client of the AWS SDK sends every
 * request over HTTP/2 (it uses NodeHttp2Handler in @aws-sdk/client-bedrock-runtime 3.1178), and
 * connects without TLS to an `http://` endpoint.
 *
 * It listens on 127.0.0.1 on a random port, records every request, and replies from a queue of
 * scripted replies. When the queue is empty it sends the fallback reply, which is a
 * ValidationException unless a test sets another. The SDK does not retry a ValidationException, so
 * an unexpected extra request shows up as one recorded request and an error reply.
 *
 * A scripted reply can also inject a fault: a delay before the response, a body that is not JSON,
 * a reset stream, a closed connection, or no response at all until the server stops.
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
  /** The `amz-sdk-invocation-id` header, which is the same on every attempt of one SDK call. */
  readonly invocationId?: string;
  /** The `amz-sdk-request` header, such as `attempt=2; max=4`. */
  readonly attemptHeader?: string;
  /** When the request arrived, from `Date.now()`. */
  readonly receivedAt: number;
}

/** A response that the server sends for one request. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The body, sent as JSON unless `rawBody` is set. */
  readonly body: unknown;
  /** A body sent as it is, without JSON encoding, to simulate a malformed response. */
  readonly rawBody?: string;
  /** How long the server waits before it sends the response, in milliseconds. */
  readonly delayMs?: number;
}

/**
 * A fault in place of a response.
 *
 * - `streamReset`: the server resets the request's HTTP/2 stream with NGHTTP2_INTERNAL_ERROR.
 * - `connectionReset`: the server destroys the HTTP/2 session, which closes the TCP connection.
 * - `noResponse`: the server never responds, so the request stays open until the client aborts it.
 */
export interface ScriptedFault {
  readonly fault: 'streamReset' | 'connectionReset' | 'noResponse';
  /** How long the server waits before the fault, in milliseconds. */
  readonly delayMs?: number;
}

/** What the server does for one request. */
export type ScriptedReply = ScriptedResponse | ScriptedFault;

/** A content block of a scripted assistant message, in the Converse JSON form. */
export type ContentBlockJson =
  | { readonly text: string }
  | { readonly toolUse: { readonly toolUseId?: string; readonly name?: string; readonly input?: unknown } }
  | Readonly<Record<string, unknown>>;

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

/** Builds a 200 response whose body is not valid JSON. */
export function malformedJsonResponse(): ScriptedResponse {
  return { status: 200, headers: {}, body: undefined, rawBody: '{"output": {"message": {"role": "assistant", "content": [' };
}

/** Resets the request's HTTP/2 stream with NGHTTP2_INTERNAL_ERROR instead of responding. */
export function streamReset(): ScriptedFault {
  return { fault: 'streamReset' };
}

/** Destroys the HTTP/2 session, and with it the TCP connection, instead of responding. */
export function connectionReset(): ScriptedFault {
  return { fault: 'connectionReset' };
}

/** Sends no response at all, so the request stays open until the client aborts it or the server stops. */
export function noResponse(): ScriptedFault {
  return { fault: 'noResponse' };
}

/** Returns `reply` with a delay before it is sent. */
export function delayed<T extends ScriptedReply>(reply: T, delayMs: number): T {
  return { ...reply, delayMs };
}

/** Returns `count` copies of `reply`, for use with `enqueue(...repeated(reply, n))`. */
export function repeated(reply: ScriptedReply, count: number): ScriptedReply[] {
  return Array.from({ length: count }, () => reply);
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

  /** The requests received so far, in order, including every retry attempt. */
  public readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private fallback: ScriptedReply = errorResponse(400, 'ValidationException', 'converse-server: no scripted response is left for this request');
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
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

  /** The number of scripted replies not sent yet. */
  public get pendingResponses(): number {
    return this.queue.length;
  }

  /** Adds replies to the end of the queue. */
  public enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  /** Sets the reply for every request that arrives when the queue is empty. */
  public setFallback(reply: ScriptedReply): void {
    this.fallback = reply;
  }

  /** Stops the server, cancels delayed replies and closes the sessions that the SDK keeps open. */
  public async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
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
      invocationId: headerValue(request.headers['amz-sdk-invocation-id']),
      attemptHeader: headerValue(request.headers['amz-sdk-request']),
      receivedAt: Date.now(),
    });

    const scripted: ScriptedReply = request.method !== 'POST' || !match
      ? errorResponse(404, 'UnknownOperationException', `converse-server: no route for ${request.method} ${rawPath}`)
      : this.queue.shift() ?? this.fallback;
    if ('fault' in scripted && scripted.fault === 'noResponse') {
      return;
    }
    this.after(scripted.delayMs ?? 0, () => this.send(scripted, response));
  }

  private send(scripted: ScriptedReply, response: http2.Http2ServerResponse): void {
    if (response.stream.destroyed) {
      return;
    }
    if ('fault' in scripted) {
      if (scripted.fault === 'connectionReset') {
        response.stream.session?.destroy();
      } else {
        response.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      }
      return;
    }

    const body = scripted.rawBody ?? JSON.stringify(scripted.body);
    response.writeHead(scripted.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...scripted.headers,
    });
    response.end(body);
  }

  private after(delayMs: number, action: () => void): void {
    if (delayMs <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
