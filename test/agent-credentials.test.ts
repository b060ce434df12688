/**
 * The credential and token providers that the bundle task puts in place of the SDK's default
 * chains. The bundle test runs them inside the bundled handler, and these tests cover their edge cases.
 */
import { TestEnvironment } from './support/agent-environment';
import { credentialsFromEnvironment, defaultProvider, fromEnvSigningName, nodeProvider } from '../src/agent/lambda-credentials';

let environment: TestEnvironment;

beforeEach(() => {
  environment = new TestEnvironment();
});

afterEach(() => {
  environment.restore();
});

test('credentials read from environment', () => {
  const credentials = credentialsFromEnvironment({
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
    AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z',
  });

  expect(credentials).toEqual({
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiration: new Date('2030-01-01T00:00:00Z'),
  });
});

test('credentials without session token', () => {
  const credentials = credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: '' });

  expect(credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' });
});

test.each([
  ['key ID', { AWS_SECRET_ACCESS_KEY: 'secret' }],
  ['secret key', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }],
])('missing %s rejected', (_name, variables) => {
  expect(() => credentialsFromEnvironment(variables)).toThrow(/AWS credentials are missing/);
});

test('default provider reads process environment at call time', async () => {
  environment.set({ AWS_ACCESS_KEY_ID: 'first', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: undefined, AWS_CREDENTIAL_EXPIRATION: undefined });
  const provider = defaultProvider();
  environment.set({ AWS_ACCESS_KEY_ID: 'second' });

  await expect(provider()).resolves.toEqual({ accessKeyId: 'second', secretAccessKey: 'secret' });
});

test('bearer token read from signing name variable', async () => {
  environment.set({ AWS_BEARER_TOKEN_BEDROCK: 'api-key' });

  await expect(fromEnvSigningName({ signingName: 'bedrock' })()).resolves.toEqual({ token: 'api-key' });
});

test('missing bearer token rejected', async () => {
  environment.set({ AWS_BEARER_TOKEN_BEDROCK: undefined });

  await expect(fromEnvSigningName({ signingName: 'bedrock' })()).rejects.toThrow('AWS_BEARER_TOKEN_BEDROCK is not set');
});

test('SSO token provider always rejects', async () => {
  await expect(nodeProvider()()).rejects.toThrow(/not bundled/);
});
