/**
 * A local HTTP server in place of the AWS Cost Explorer API in tests, for the cases that moto's
 * server does not cover: error responses, pagination, and checks on the exact request.
 *
 * It speaks HTTP/1.1, because the Cost Explorer client of the AWS SDK uses NodeHttpHandler
 * (@aws-sdk/client-cost-explorer 3.1138), and the AWS JSON 1.1 protocol: every request is a POST
 * to `/` whose `X-Amz-Target` header names the operation, such as
 * `AWSInsightsIndexService.GetCostAndUsage`, and an error response carries its type in `__type`.
 *
 * It listens on 127.0.0.1 on a random port, records every request, and replies from a queue of
 * scripted responses. When the queue is empty it replies with an empty GetCostAndUsage result, so a
 * handler test that does not script Cost Explorer gets a "no data" tool result.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export const GET_COST_AND_USAGE_TARGET = 'AWSInsightsIndexService.GetCostAndUsage';

/** A request that the server received. */
export interface RecordedCostExplorerRequest {
  /** The `X-Amz-Target` header, such as `AWSInsightsIndexService.GetCostAndUsage`. */
  readonly target: string;
  /** The region in the credential scope of the SigV4 `Authorization` header. */
  readonly signedRegion?: string;
  /** The service in that credential scope, `ce` for Cost Explorer. */
  readonly signedService?: string;
  /** The JSON body, parsed. */
  readonly body: any;
}

/** A response that the server sends for one request. */
export interface ScriptedCostExplorerResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The amount of one service in one time period of a scripted result. */
export interface ServiceAmount {
  readonly service: string;
  /** The amount as Cost Explorer sends it, a decimal string such as `"12.3456"`. */
  readonly amount: string;
  readonly unit?: string;
}

/** One time period of a scripted GetCostAndUsage result, grouped by service. */
export interface ScriptedPeriod {
  readonly start: string;
  readonly end: string;
  readonly services: readonly ServiceAmount[];
  readonly estimated?: boolean;
}

/**
 * Builds the `ResultsByTime` list of a GetCostAndUsage response grouped by SERVICE, with the
 * UnblendedCost metric. A grouped result has an empty `Total`, as Cost Explorer sends it.
 */
export function resultsByTime(periods: readonly ScriptedPeriod[]): unknown[] {
  return periods.map((period) => ({
    TimePeriod: { Start: period.start, End: period.end },
    Total: {},
    Groups: period.services.map((cost) => ({
      Keys: [cost.service],
      Metrics: { UnblendedCost: { Amount: cost.amount, Unit: cost.unit ?? 'USD' } },
    })),
    Estimated: period.estimated ?? false,
  }));
}

/** Builds a successful GetCostAndUsage response, with `nextPageToken` when more pages follow. */
export function costAndUsageResponse(periods: readonly ScriptedPeriod[], nextPageToken?: string): ScriptedCostExplorerResponse {
  return {
    status: 200,
    body: {
      GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      ResultsByTime: resultsByTime(periods),
      DimensionValueAttributes: [],
      ...(nextPageToken !== undefined ? { NextPageToken: nextPageToken } : {}),
    },
  };
}

/** Builds an error response in the AWS JSON 1.1 form: the error type in `__type` and a message. */
export function costExplorerError(status: number, errorType: string, message: string): ScriptedCostExplorerResponse {
  return { status, body: { __type: errorType, message } };
}

const CREDENTIAL_SCOPE = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

export class CostExplorerServer {
  /** Starts a server on 127.0.0.1 on a port that the system picks. */
  public static async start(): Promise<CostExplorerServer> {
    const server = new CostExplorerServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** The requests received so far, in order. */
  public readonly requests: RecordedCostExplorerRequest[] = [];
  private readonly queue: ScriptedCostExplorerResponse[] = [];
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

  /** Adds responses to the end of the queue. */
  public enqueue(...responses: ScriptedCostExplorerResponse[]): void {
    this.queue.push(...responses);
  }

  /** Stops the server and closes the connections that the SDK keeps alive. */
  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private reply(request: http.IncomingMessage, rawBody: string, response: http.ServerResponse): void {
    const target = String(request.headers['x-amz-target'] ?? '');
    const scope = CREDENTIAL_SCOPE.exec(String(request.headers.authorization ?? ''));
    this.requests.push({
      target,
      signedRegion: scope?.[1],
      signedService: scope?.[2],
      body: rawBody ? JSON.parse(rawBody) : undefined,
    });

    const scripted = request.method !== 'POST' || target !== GET_COST_AND_USAGE_TARGET
      ? costExplorerError(400, 'UnknownOperationException', `cost-explorer-server: no route for ${request.method} ${target}`)
      : this.queue.shift() ?? costAndUsageResponse([]);
    const body = JSON.stringify(scripted.body);
    response.writeHead(scripted.status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
    });
    response.end(body);
  }
}

/**
 * Returns the environment for a Cost Explorer client that sends every request to `endpoint`.
 *
 * Static test credentials, no shared config files and no instance metadata keep the SDK from
 * reaching anything but the local server. Variables set to undefined are removed.
 */
export function costExplorerEnvironment(endpoint: string, region = 'ap-southeast-2'): Record<string, string | undefined> {
  return {
    AWS_REGION: region,
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
    AWS_MAX_ATTEMPTS: undefined,
    AWS_RETRY_MODE: undefined,
  };
}
