import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../targets/chatTarget.ts';
import { createBenchPostgresDatabase } from './postgresDatabase.ts';
import { createRedisNamespace } from './redisPrefix.ts';
import { spawnServerProcess, type ServerProcess } from './spawnServerProcess.ts';

export interface RunningDeployment {
  databaseUrl: string;
  processes: ServerProcess[];
  stop(): Promise<void>;
}

/**
 * Starts `deployment.processes` copies of a server entry on a database of their own (a fresh SQLite file
 * in a temp folder, or a fresh PostgreSQL database) and, for several processes, a Redis prefix of their own.
 * `stop()` stops the processes and removes the database, the folder and the Redis keys.
 */
export async function startDeployment(entry: string, deployment: Deployment, serverEnv: Record<string, string> = {}): Promise<RunningDeployment> {
  if (deployment.processes > 1 && deployment.database !== 'postgresql') {
    throw new Error('Several processes share one database and fan out through Redis: use database "postgresql"');
  }
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let databaseUrl = `file:${join(dir, 'bench.db')}`;
    // The load generator signs every simulated person up and opens every socket from loopback, far past
    // one address's allowance.
    const env: Record<string, string> = {
      MAX_SOCKETS_PER_ADDRESS: '1000000',
      SIGNUP_PER_ADDRESS_PER_HOUR: '1000000',
      LOGIN_PER_ADDRESS_PER_MINUTE: '1000000',
      USERNAME_LOOKUPS_PER_MINUTE: '1000000',
      ...serverEnv,
    };
    if (deployment.database === 'postgresql') {
      const database = await createBenchPostgresDatabase();
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
      if (deployment.postgresPort) {
        const viaProxy = new URL(database.url);
        viaProxy.port = String(deployment.postgresPort);
        databaseUrl = viaProxy.toString();
      }
    }
    if (deployment.processes > 1) {
      const redis = createRedisNamespace();
      cleanups.push(() => redis.clear());
      Object.assign(env, { REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix });
    }
    env.DATABASE_URL = databaseUrl;
    const nodeFlags = deployment.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${deployment.profileDir}`] : [];
    const started = await Promise.allSettled(Array.from({ length: deployment.processes }, () => spawnServerProcess({ entry, env, nodeFlags })));
    const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    cleanups.push(() => Promise.all(processes.map((p) => p.stop())));
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    return { databaseUrl, processes, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
