/**
 * Helpers that load the agent handler with a test configuration and capture what it logs.
 */
import type { Context } from 'aws-lambda';
import { readConfig } from '../../src/agent/config';
import type { AgentConfig } from '../../src/agent/config';

export const PROFILE_ARN = 'arn:aws:bedrock:ap-southeast-2:123456789012:application-inference-profile/abc123';
export const FOUNDATION_MODEL_ID = 'anthropic.claude-sonnet-4-20250514-v1:0';
export const REGION = 'ap-southeast-2';
export const TAGS: Record<string, string> = { Application: 'CloudEngineer', Environment: 'Production', CostCenter: 'Engineering' };

/**
 * An endpoint where nothing listens: port 9 of 127.0.0.1, the discard port, which refuses
 * connections unless a discard service runs. A tool that calls Cost Explorer in a test that
 * starts no Cost Explorer server fails there instead of reaching AWS.
 */
export const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:9';

/**
 * Returns the environment of the agent function for a test, with the Bedrock runtime endpoint at `endpoint`.
 *
 * Static test credentials, no shared config files and no instance metadata keep the SDK from
 * reaching anything but the test servers. Variables set to undefined are removed.
 */
export function agentEnvironment(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
    AWS_ENDPOINT_URL_COST_EXPLORER: UNREACHABLE_ENDPOINT,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_MAX_ATTEMPTS: undefined,
    AWS_RETRY_MODE: undefined,
    BEDROCK_MODEL_ID: PROFILE_ARN,
    FOUNDATION_MODEL_ID: FOUNDATION_MODEL_ID,
    COST_ALLOCATION_TAGS: JSON.stringify(TAGS),
    SYSTEM_PROMPT: undefined,
    MAX_TOOL_ROUNDS: undefined,
    MAX_OUTPUT_TOKENS: undefined,
    TEMPERATURE: undefined,
    TOP_P: undefined,
    LOG_CONVERSATION_TEXT: undefined,
    POWERTOOLS_SERVICE_NAME: undefined,
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_LOG_LEVEL: undefined,
    AWS_LAMBDA_LOG_LEVEL: undefined,
  };
}

/** Sets environment variables and restores the values they had before the first `set`. */
export class TestEnvironment {
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

export type AgentHandler = (event: unknown, context: Context) => Promise<any>;

/**
 * Loads a fresh copy of a handler module, so that it reads the current environment at module scope.
 * `modulePath` is absolute.
 */
export function loadHandler(modulePath: string): AgentHandler {
  let handler: AgentHandler | undefined;
  // A dynamic import() would need Node's experimental VM modules under Jest, so the module is
  // loaded through Jest's own registry instead, which isolateModules replaces with a fresh one.
  jest.isolateModules(() => {
    handler = jest.requireActual<{ handler: AgentHandler }>(modulePath).handler;
  });
  if (handler === undefined) {
    throw new Error(`${modulePath} exports no handler`);
  }
  return handler;
}

/**
 * Builds the agent configuration of the test environment, with `overrides` applied to the variables.
 * Throws when the variables are invalid.
 */
export function agentConfig(overrides: Record<string, string | undefined> = {}): AgentConfig {
  const environment = { ...agentEnvironment(UNREACHABLE_ENDPOINT), ...overrides };
  const result = readConfig(environment);
  if ('error' in result) {
    throw new Error(`invalid test configuration: ${result.error}`);
  }
  return result.config;
}

/**
 * Builds a Lambda context with the given request ID. `remainingTimeMs` is the time left before the
 * function's timeout when the invocation starts, and it counts down in real time.
 */
export function lambdaContext(awsRequestId: string, remainingTimeMs = 30_000): Context {
  const end = Date.now() + remainingTimeMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'cost-agent',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:cost-agent',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/cost-agent',
    logStreamName: '2025/03/15/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Output written to stdout and stderr while a capture is active. Powertools Logger writes INFO
 * records to stdout and WARN and ERROR records to stderr.
 */
export class LogCapture {
  /** Starts capturing. The captured output does not reach the test log. */
  public static start(): LogCapture {
    return new LogCapture();
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

  /** All output captured so far. */
  public get text(): string {
    return this.chunks.join('');
  }

  /** The captured lines that are JSON objects, parsed, which are the Powertools log records. */
  public get records(): Array<Record<string, any>> {
    return this.text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  }

  public stop(): void {
    for (const spy of this.spies) {
      spy.mockRestore();
    }
  }
}
