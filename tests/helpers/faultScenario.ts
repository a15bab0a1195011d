import { createTestPostgresDatabase } from './postgresDatabase.ts';
import { deleteRedisKeys } from './redisAdmin.ts';
import { REDIS_URL, uniqueRedisPrefix } from './redisPrefix.ts';
import { spawnServer, type ServerProcess } from './serverProcess.ts';
import { recordThread, type ThreadRecorder } from './threadRecorder.ts';
import { signUpOverHttp, wsClient } from './trpcClients.ts';

export interface FaultScenario {
  /** The test's own PostgreSQL database. */
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** What every server of the scenario gets: DATABASE_URL, REDIS_URL, REDIS_PREFIX, send limits out of the way. */
  env: Record<string, string>;
  /** Starts server processes at once (they share the migration lock), each stopped at cleanup. */
  startServers(count: number, env?: Record<string, string>): Promise<ServerProcess[]>;
  /** Stops a server on purpose (`server.stop`); cleanup reports any other exit, with the end of its log. */
  stopServer(server: ServerProcess, signal: NodeJS.Signals): Promise<number | null>;
  /** Signs up two users and opens their direct thread through `server` (any server process's URLs). */
  createThread(server: Pick<ServerProcess, 'url' | 'wsUrl'>): Promise<{ alice: Account; bob: Account; threadId: string }>;
  /** Subscribes both members of a thread on each of two processes, as `alice@1`, `bob@1`, `alice@2`, `bob@2`. */
  recordOnBoth(servers: [ServerProcess, ServerProcess], thread: { alice: Account; bob: Account; threadId: string }): Promise<ThreadRecorder[]>;
  /** Runs at cleanup, newest first, before the servers stop. */
  defer(cleanup: () => unknown): void;
  cleanup(): Promise<void>;
}

interface Account {
  token: string;
  username: string;
}

/**
 * The ground a fault test stands on: a fresh PostgreSQL database and Redis prefix, server processes on
 * them, and one cleanup that leaves nothing behind whatever state the fault left things in.
 */
export async function openFaultScenario(options: { redisUrl?: string } = {}): Promise<FaultScenario> {
  const database = await createTestPostgresDatabase();
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const redisPrefix = uniqueRedisPrefix();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    // The faults are the subject, not the limits: senders here go faster than a person may.
    SEND_RATE_PER_SECOND: '100000',
    SEND_BURST: '100000',
  };
  const servers: ServerProcess[] = [];
  const stoppedOnPurpose = new Set<ServerProcess>();
  const deferred: Array<() => unknown> = [];
  let users = 0;

  return {
    databaseUrl: database.url,
    redisUrl,
    redisPrefix,
    env,
    async startServers(count, extraEnv = {}) {
      const started = await Promise.all(Array.from({ length: count }, () => spawnServer({ ...env, ...extraEnv })));
      servers.push(...started);
      return started;
    },
    stopServer(server, signal) {
      stoppedOnPurpose.add(server);
      return server.stop(signal);
    },
    async createThread(server) {
      const tag = `${process.pid}${++users}`;
      const alice = await signUpOverHttp(server.url, `alice${tag}`);
      const bob = await signUpOverHttp(server.url, `bob${tag}`);
      const connection = wsClient(server.wsUrl, alice.token);
      try {
        const thread = await connection.client.thread.getOrCreate.mutate({ username: bob.user.username });
        return {
          alice: { token: alice.token, username: alice.user.username },
          bob: { token: bob.token, username: bob.user.username },
          threadId: thread.id,
        };
      } finally {
        await connection.close();
      }
    },
    async recordOnBoth([one, two], { alice, bob, threadId }) {
      const recorders: ThreadRecorder[] = [];
      for (const [server, token, label] of [
        [one, alice.token, 'alice@1'],
        [one, bob.token, 'bob@1'],
        [two, alice.token, 'alice@2'],
        [two, bob.token, 'bob@2'],
      ] as const) {
        const connection = wsClient(server.wsUrl, token);
        deferred.push(() => connection.close());
        recorders.push(await recordThread(connection.client, threadId, label));
      }
      return recorders;
    },
    defer(cleanup) {
      deferred.push(cleanup);
    },
    async cleanup() {
      for (const server of servers) {
        if (stoppedOnPurpose.has(server) || (server.child.exitCode === null && server.child.signalCode === null)) continue;
        const exit = server.child.exitCode ?? server.child.signalCode;
        console.warn(`server pid ${server.child.pid} exited by itself (${exit}); its last log lines:\n${server.logs.slice(-15).join('\n')}`);
      }
      // Each step is bounded: a client still waiting on a server that never answers must not hold up the rest.
      const deadline = Date.now() + 15_000;
      for (const cleanup of deferred.splice(0).reverse()) {
        const step = Promise.resolve()
          .then(cleanup)
          .catch(() => {});
        await Promise.race([step, sleep(Math.max(0, Math.min(5_000, deadline - Date.now())))]);
      }
      await Promise.all(servers.map(stopOrKill));
      await deleteRedisKeys(REDIS_URL, redisPrefix).catch(() => {});
      await database.drop();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stopOrKill(server: ServerProcess): Promise<void> {
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000);
  await server.stop('SIGTERM');
  clearTimeout(timer);
}
