/**
 * A local HTTP server that replaces the Cost Explorer API in the tag activation tests, plus
 * helpers that load the handler with a test environment and capture its logs.
 *
 * Cost Explorer speaks the AWS JSON 1.1 protocol over HTTP/1.1: every request is a POST to `/`
 * whose `X-Amz-Target` header names the operation (`AWSInsightsIndexService.<Operation>`) and
 * whose body is JSON. An error reply carries its type in `x-amzn-errortype` and in `__type`.
 *
 * The server listens on 127.0.0.1 on a random port, records every request and replies from a queue
 * of scripted responses. When the queue is empty it replies with a ValidationException, which the
 * SDK does not retry, so an unexpected extra request shows up as one recorded request.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';

/** A request that the server received. */
export interface RecordedRequest {
  /** The operation from `X-Amz-Target`, such as `UpdateCostAllocationTagsStatus`. */
  readonly operation: string;
  readonly contentType: string;
  readonly body: any;
}

/** A scripted reply: a JSON response, or no response at all until the client gives up. */
export interface ScriptedResponse {
  readonly status: number;
  readonly body: unknown;
  readonly errorType?: string;
  /** When true, the server never replies to this request. */
  readonly hang?: boolean;
}

const TARGET_PREFIX = 'AWSInsightsIndexService.';

/** Builds a successful UpdateCostAllocationTagsStatus reply with per-key errors. */
export function updateResponse(errors: Array<{ TagKey: string; Code?: string; Message?: string }> = []): ScriptedResponse {
  return { status: 200, body: { Errors: errors } };
}

/** Builds an error reply the way the JSON 1.1 protocol sends one. */
export function errorResponse(status: number, errorType: string, message: string): ScriptedResponse {
  return { status, errorType, body: { __type: errorType, Message: message } };
}

/** Builds a reply that never comes. */
export function hangingResponse(): ScriptedResponse {
  return { status: 0, body: undefined, hang: true };
}

export class TagActivationServer {
  /** Starts a server on 127.0.0.1 on a port that the system picks. */
  public static async start(): Promise<TagActivationServer> {
    const server = new TagActivationServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** The requests received so far, in order. */
  public readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedResponse[] = [];
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.reply(request, Buffer.concat(chunks).toString('utf8'), response));
    });
  }

  /** The URL to put in AWS_ENDPOINT_URL_COST_EXPLORER. */
  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Adds replies to the end of the queue. */
  public enqueue(...responses: ScriptedResponse[]): void {
    this.queue.push(...responses);
  }

  /** The tag keys of every UpdateCostAllocationTagsStatus request, one list per request. */
  public get requestedTagKeys(): string[][] {
    return this.requests.map((request) => (request.body.CostAllocationTagsStatus ?? []).map((entry: any) => entry.TagKey));
  }

  /** Stops the server and closes open connections, hanging ones included. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reply(request: http.IncomingMessage, text: string, response: http.ServerResponse): void {
    const target = String(request.headers['x-amz-target'] ?? '');
    this.requests.push({
      operation: target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target,
      contentType: String(request.headers['content-type'] ?? ''),
      body: text ? JSON.parse(text) : undefined,
    });

    const scripted = this.queue.shift() ?? errorResponse(400, 'ValidationException', 'No scripted response is left for this request');
    if (scripted.hang) {
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (scripted.errorType !== undefined) {
      headers['x-amzn-errortype'] = scripted.errorType;
    }
    response.writeHead(scripted.status, headers);
    response.end(JSON.stringify(scripted.body));
  }
}

/**
 * Returns the handler's environment for a test, with the Cost Explorer endpoint at `endpoint`.
 * Static test credentials, no shared config files, no instance metadata and a single attempt per
 * request keep the SDK from reaching anything but the test server. Undefined values are removed.
 */
export function handlerEnvironment(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_REGION: 'ap-southeast-2',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_COST_EXPLORER: endpoint,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: undefined,
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_LOG_LEVEL: undefined,
    AWS_LAMBDA_LOG_LEVEL: undefined,
  };
}

/** Sets environment variables and restores the values they had before the first `set`. */
export class EnvironmentOverride {
  private readonly originalValues = new Map<string, string | undefined>();

  public set(variables: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(variables)) {
      if (!this.originalValues.has(name)) {
        this.originalValues.set(name, process.env[name]);
      }
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }

  public restore(): void {
    for (const [name, value] of this.originalValues) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    this.originalValues.clear();
  }
}

export type CustomResourceHandler = (event: unknown, context: Context) => Promise<any>;

/** Loads a fresh copy of a handler module, so that it reads the current environment at module scope. */
export function loadFreshHandler(modulePath: string): CustomResourceHandler {
  let handler: CustomResourceHandler | undefined;
  jest.isolateModules(() => {
    handler = jest.requireActual<{ handler: CustomResourceHandler }>(modulePath).handler;
  });
  if (handler === undefined) {
    throw new Error(`${modulePath} exports no handler`);
  }
  return handler;
}

/** Builds a Lambda context with the given request ID. */
export function testContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'tag-activation',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:tag-activation',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/tag-activation',
    logStreamName: '2026/01/15/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Output written to stdout and stderr while a capture is active, kept out of the test log. */
export class OutputCapture {
  public static start(): OutputCapture {
    return new OutputCapture();
  }

  private readonly chunks: string[] = [];
  private readonly spies: jest.SpyInstance[];

  private constructor() {
    const capture = (chunk: string | Uint8Array): boolean => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    this.spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation(capture),
      jest.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
  }

  /** The captured lines that are JSON objects, parsed: the Powertools log records. */
  public get records(): Array<Record<string, any>> {
    return this.chunks.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  }

  public stop(): void {
    for (const spy of this.spies) {
      spy.mockRestore();
    }
  }
}
