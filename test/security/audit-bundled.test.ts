/**
 * scripts/audit-bundled.sh against a local advisory server.
 *
 * The npm registry that these machines reach rejects npm's advisory endpoints with 405, so the
 * real audit cannot run here. These tests run the real script, esbuild and npm CLI, and point
 * `npm audit` at a server on 127.0.0.1 that answers `POST /-/npm/v1/security/advisories/bulk`
 * like the registry does. They prove which packages the script audits and that a high or critical
 * advisory fails it. The advisories that the server returns are test data, not real advisories.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = path.join(__dirname, '..', '..');

/** One advisory in the bulk endpoint's response format. */
interface Advisory {
  readonly id: number;
  readonly url: string;
  readonly title: string;
  readonly severity: 'low' | 'moderate' | 'high' | 'critical';
  readonly vulnerable_versions: string;
  readonly cwe: string[];
  readonly cvss: { readonly score: number; readonly vectorString: string | null };
}

function testAdvisory(id: number, severity: Advisory['severity']): Advisory {
  return {
    id,
    url: `https://example.com/test-advisory/${id}`,
    title: `Test advisory ${id} from the local advisory server`,
    severity,
    vulnerable_versions: '*',
    cwe: [],
    cvss: { score: 0, vectorString: null },
  };
}

/** A stand-in for the registry's advisory endpoint that records the packages each request names. */
class AdvisoryServer {
  /** The body of each bulk request: package name to the versions installed. */
  public readonly requests: Array<Record<string, string[]>> = [];
  /** Advisories to return, by package name. */
  public advisories: Record<string, Advisory[]> = {};
  /** When set, every request gets this status and no advisories. */
  public failWith?: number;
  private readonly server = http.createServer((request, response) => this.handle(request, response));

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (this.failWith !== undefined) {
        response.statusCode = this.failWith;
        response.end('{}');
        return;
      }
      if (request.method === 'POST' && request.url === '/-/npm/v1/security/advisories/bulk') {
        const raw = Buffer.concat(chunks);
        const body = request.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
        const requested = JSON.parse(body.toString('utf8')) as Record<string, string[]>;
        this.requests.push(requested);
        const found = Object.fromEntries(Object.keys(requested)
          .filter((name) => this.advisories[name] !== undefined)
          .map((name) => [name, this.advisories[name]]));
        response.end(JSON.stringify(found));
        return;
      }
      // npm requests the packument of a flagged package to look for a fix, and this server has none.
      response.statusCode = 404;
      response.end('{}');
    });
  }
}

interface ScriptResult {
  readonly code: number | null;
  readonly output: string;
}

function runAudit(registry: string, env: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts', 'audit-bundled.sh')], {
      cwd: ROOT,
      env: { ...process.env, AUDIT_REGISTRY: registry, npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Returns the `name@version` lines that the script prints under "bundled packages". */
function listedPackages(output: string): string[] {
  return output.split('\n').filter((line) => /^ {2}\S+@\S+$/.test(line)).map((line) => line.trim());
}

const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

describe('audit of the bundled packages', () => {
  const server = new AdvisoryServer();
  let registry: string;
  let clean: ScriptResult;

  beforeAll(async () => {
    registry = await server.start();
    clean = await runAudit(registry);
  }, 120_000);

  afterAll(async () => {
    await server.stop();
  });

  beforeEach(() => {
    server.advisories = {};
    server.failWith = undefined;
  });

  test('passes without advisories', () => {
    expect(clean.code).toBe(0);
  });

  test('asks once about every listed package', () => {
    const requested = server.requests[0];
    const requestedPairs = Object.entries(requested).flatMap(([name, versions]) => versions.map((version) => `${name}@${version}`));

    expect(requestedPairs.sort()).toEqual(listedPackages(clean.output).map((line) => line.replace(/^.*node_modules\//, '')).sort());
  });

  test('audits both SDK clients and the logger', () => {
    expect(Object.keys(server.requests[0])).toEqual(expect.arrayContaining([
      '@aws-sdk/client-bedrock-runtime',
      '@aws-sdk/client-cost-explorer',
      '@aws-lambda-powertools/logger',
    ]));
  });

  test('leaves out what is not bundled', () => {
    const requested = Object.keys(server.requests[0]);

    for (const name of ['aws-cdk-lib', 'constructs', 'jest', 'esbuild', 'typescript', 'cdk-nag']) {
      expect(requested).not.toContain(name);
    }
  });

  test('audits the locked versions', () => {
    const requested = server.requests[0];
    const sdk = '@aws-sdk/client-bedrock-runtime';

    expect(requested[sdk]).toEqual([lock.packages[`node_modules/${sdk}`].version]);
  });

  test('fails on a high advisory', async () => {
    server.advisories = { '@aws-sdk/client-bedrock-runtime': [testAdvisory(1, 'high')] };

    const result = await runAudit(registry);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Test advisory 1');
  }, 120_000);

  test('fails on a critical advisory', async () => {
    server.advisories = { '@smithy/core': [testAdvisory(2, 'critical')] };

    const result = await runAudit(registry);

    expect(result.code).not.toBe(0);
  }, 120_000);

  test('passes a moderate advisory', async () => {
    server.advisories = { bowser: [testAdvisory(3, 'moderate')] };

    const result = await runAudit(registry);

    expect({ code: result.code, reported: result.output.includes('Test advisory 3') }).toEqual({ code: 0, reported: true });
  }, 120_000);

  test('fails on an added package', async () => {
    server.advisories = { 'left-pad': [testAdvisory(4, 'high')] };

    const result = await runAudit(registry, { AUDIT_ADD_PACKAGE: 'left-pad@1.3.0' });

    expect(result.code).not.toBe(0);
  }, 120_000);

  test('fails when the endpoint refuses', async () => {
    server.failWith = 405;

    const result = await runAudit(registry);

    expect({ code: result.code, says405: result.output.includes('405') }).toEqual({ code: 1, says405: true });
  }, 120_000);
});
