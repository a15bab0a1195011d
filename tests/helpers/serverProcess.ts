import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.ts';
import { GENEROUS_ADDRESS_LIMITS } from './testServer.ts';

export interface ServerProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process logged (pino JSON lines), for assertions and post-mortems. */
  logs: string[];
  /** Sends a signal and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `apps/server/src/main.ts` as its own process, as `pnpm start` would, on a random port. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...GENEROUS_ADDRESS_LIMITS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`)));
  });
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/trpc`,
    child,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Stops the servers, first printing their logged errors: they explain a failure and would be lost with the processes. */
export async function stopServers(servers: readonly ServerProcess[]): Promise<void> {
  for (const server of servers) {
    const errors = server.logs.filter((line) => line.includes('"level":50'));
    if (errors.length) console.error(errors.join('\n'));
  }
  await Promise.all(servers.map((s) => s.stop()));
}
