/**
 * Credential and token providers of the bundled handler. The bundle task puts this module in place
 * of @aws-sdk/credential-provider-node and @aws-sdk/token-providers (esbuild `--alias`). The
 * Lambda runtime passes the execution role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the SSO, INI file, process, web identity and
 * instance metadata providers never run there. Leaving them out, with the STS, SSO and sign-in
 * clients that they load, takes about 125 KiB off the minified bundle (docs/benchmarks.md).
 *
 * NOTE: an environment that provides credentials only through AWS_CONTAINER_CREDENTIALS_FULL_URI,
 * and not in these variables, makes every call of the bundled handler fail with the error below.
 * The TypeScript sources, which the tests run, keep the SDK's default chain.
 */

/** The credential fields that the SDK's signer reads, which @aws-sdk/types calls `AwsCredentialIdentity`. */
export interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Returns credentials from the environment, as the SDK's default chain would in Lambda. */
export function defaultProvider(): () => Promise<EnvironmentCredentials> {
  return async () => credentialsFromEnvironment(process.env);
}

/** Reads the credentials from `environment`, and throws when the key ID or the secret key is missing. */
export function credentialsFromEnvironment(environment: NodeJS.ProcessEnv): EnvironmentCredentials {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('AWS credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as the Lambda runtime does for the execution role.');
  }
  const sessionToken = environment.AWS_SESSION_TOKEN || undefined;
  const expiration = environment.AWS_CREDENTIAL_EXPIRATION ? new Date(environment.AWS_CREDENTIAL_EXPIRATION) : undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken !== undefined ? { sessionToken } : {}),
    ...(expiration !== undefined ? { expiration } : {}),
  };
}

/** A bearer token, such as an Amazon Bedrock API key. */
export interface BearerToken {
  readonly token: string;
}

/**
 * Returns the bearer token provider that reads AWS_BEARER_TOKEN_<SIGNING NAME>, such as
 * AWS_BEARER_TOKEN_BEDROCK, in place of the one of @aws-sdk/token-providers. The client uses bearer
 * authentication only when that variable is set.
 */
export function fromEnvSigningName(init: { readonly signingName?: string } = {}): () => Promise<BearerToken> {
  return async () => {
    const variable = `AWS_BEARER_TOKEN_${(init.signingName ?? '').replace(/[\s-]/g, '_').toUpperCase()}`;
    const token = process.env[variable];
    if (token === undefined) {
      throw new Error(`Bearer token is missing: ${variable} is not set.`);
    }
    return { token };
  };
}

/** Returns a token provider that always fails, because the Lambda runtime has no SSO token cache. */
export function nodeProvider(): () => Promise<BearerToken> {
  return async () => {
    throw new Error('SSO token providers are not bundled in the Lambda handler: use the execution role or AWS_BEARER_TOKEN_BEDROCK.');
  };
}
