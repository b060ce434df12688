/**
 * Starts moto's server (moto[server] 5.2.6 from requirements-dev.txt) on 127.0.0.1 for tests that
 * run the real Cost Explorer client against it.
 *
 * Moto does not track cost, so its GetCostAndUsage returns an empty result unless a test queues
 * results through `POST /moto-api/static/ce/cost-and-usage-results`. Each queued result is returned
 * for the first request whose body differs from all earlier request bodies, and later requests with
 * the same body get the same result. Moto serves queued results only in the `aws` partition, and
 * it does not validate the request.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as net from 'node:net';

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export class MotoServer {
  /**
   * Starts `python3 -m moto.server` on a free port and waits until it responds. Rejects with a
   * message that says how to install moto when the server exits or does not respond in time.
   */
  public static async start(): Promise<MotoServer> {
    const port = await freePort();
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const server = new MotoServer(child, port);
    await server.waitUntilReady();
    return server;
  }

  private stderr = '';
  private exitCode: number | null | undefined;

  private constructor(private readonly child: ChildProcess, private readonly port: number) {
    child.stderr?.on('data', (chunk: Buffer) => {
      // Only the tail is kept for the failure message, because werkzeug logs every request here.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.once('exit', (code) => {
      this.exitCode = code;
    });
    child.once('error', (error) => {
      this.stderr += `\n${error.message}`;
      this.exitCode = -1;
    });
  }

  /** The URL to put in AWS_ENDPOINT_URL_COST_EXPLORER. */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues GetCostAndUsage results, each a response body with `ResultsByTime`. */
  public async setCostAndUsageResults(results: readonly unknown[]): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/static/ce/cost-and-usage-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ results }),
    });
    if (response.status !== 201) {
      throw new Error(`moto rejected the queued Cost Explorer results with HTTP ${response.status}: ${await response.text()}`);
    }
  }

  /** Resets every moto backend, which empties the queued results and the results already assigned. */
  public async reset(): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) {
      throw new Error(`moto reset failed with HTTP ${response.status}`);
    }
  }

  /** Stops the server process that `start` spawned, and waits for it to exit. */
  public async stop(): Promise<void> {
    if (this.exitCode !== undefined) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) {
        throw new Error(this.failureMessage(`moto's server exited with code ${this.exitCode}`));
      }
      try {
        const response = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
        if (response.ok) {
          return;
        }
      } catch {
        // The server is not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.stop();
    throw new Error(this.failureMessage(`moto's server did not respond on ${this.endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s`));
  }

  private failureMessage(reason: string): string {
    return `${reason}. Install it with "python3 -m pip install -r requirements-dev.txt" (moto[server]). ` +
      `Its standard error ended with:\n${this.stderr.trim() || '(nothing)'}`;
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
