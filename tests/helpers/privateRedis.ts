import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { freePort } from './freePort.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  /** `redis-cli shutdown nosave`, as an operator would; resolves once the server has exited. */
  shutdown(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good, whatever state it is in. */
  close(): Promise<void>;
}

/**
 * A Redis server of the test's own, so restarting it disturbs no other test: the shared one on 6379
 * carries every other suite's buses, and a restart there would be a fault injected into all of them.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output.join('\n')}`)), 10_000);
      createInterface({ input: started.stdout! }).on('line', (line) => {
        output.push(line);
        if (line.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output.join('\n')}`));
      });
    });
  };

  const exited = (process: ChildProcess) =>
    process.exitCode !== null || process.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => process.once('exit', () => resolve()));

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async shutdown() {
      const running = child;
      if (!running) return;
      await promisify(execFile)('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => running.kill('SIGKILL'));
      await exited(running);
      child = null;
    },
    start,
    async close() {
      const running = child;
      child = null;
      if (!running) return;
      running.kill('SIGKILL');
      await exited(running);
    },
  };
}
