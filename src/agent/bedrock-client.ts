/**
 * Creates the Bedrock runtime client of the agent, with its retry settings.
 *
 * Retries use the SDK's adaptive mode: the standard retries (throttling errors, HTTP 500, 502, 503
 * and 504, timeouts, and dropped connections such as ECONNRESET), plus a client-side rate limiter
 * that slows the next requests after a throttling error. The AWS SDKs and Tools reference guide
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html) recommends adaptive
 * mode only for a client that calls a single resource. This client is one per execution environment
 * and calls only the one inference profile, so the rate limiter learns that profile's quota.
 * Other 4xx errors, such as AccessDeniedException and ValidationException, are not retried.
 *
 * The retry rules cited are those of @smithy/core 3.41 (the `retry` submodule), which
 * @aws-sdk/client-bedrock-runtime 3.1178 uses. In that version a throttling error makes the rate
 * limiter wait about 2 seconds before the next attempt of a new client.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';

/**
 * Maximum number of attempts of one Converse call, the first one included. It is set in code,
 * so AWS_MAX_ATTEMPTS and AWS_RETRY_MODE do not change it. The invocation deadline bounds the
 * retries too, because it aborts the call.
 */
export const CONVERSE_MAX_ATTEMPTS = 4;

/**
 * Creates the client. The SDK reads the endpoint from AWS_ENDPOINT_URL_BEDROCK_RUNTIME or AWS_ENDPOINT_URL when one is set.
 *
 * The client keeps one HTTP/2 session open and sends every Converse call on it. The SDK's default
 * for this client (`disableConcurrentStreams: true` in @aws-sdk/client-bedrock-runtime 3.1178) opens
 * a new session, with its TCP and TLS handshakes, for each request. The agent sends its calls one at
 * a time. Reusing the session saved about 0.5 ms of CPU time per Converse call against the local test
 * server, which has no TLS, on a 2-core AMD EPYC machine (docs/benchmarks.md).
 * NOTE: no test covers a session that the network dropped while Lambda froze the environment. The
 * next call may fail with a connection error, which the standard retries cover, or wait until the
 * invocation deadline aborts it.
 */
export function createBedrockClient(region: string | undefined): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region,
    retryMode: 'adaptive',
    maxAttempts: CONVERSE_MAX_ATTEMPTS,
    requestHandler: { disableConcurrentStreams: false },
  });
}
