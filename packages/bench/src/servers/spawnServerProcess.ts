import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot } from '../repoRoot.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  /** The last lines it logged, for error messages. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** A TypeScript entry point, relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
}

const TAIL_LINES = 40;

/**
 * Starts a server entry point as its own process (node --import tsx, as `pnpm start` does) on a free port
 * and waits for the JSON log line with its `"url"`, the announcement Parley and the peer both print.
 */
export async function spawnServerProcess(options: SpawnOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', options.entry], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stderr! }).on('line', remember);
  const lines = createInterface({ input: child.stdout! });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.entry} did not announce a url within ${options.startTimeoutMs ?? 30_000} ms:\n${tail.join('\n')}`));
    }, options.startTimeoutMs ?? 30_000);
    lines.on('line', (line) => {
      remember(line);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${options.entry} exited before listening (code ${child.exitCode}):\n${tail.join('\n')}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    logTail: () => tail.join('\n'),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
