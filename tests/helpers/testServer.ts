import RedisMock from 'ioredis-mock';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { createParley, type Parley } from '../../apps/server/src/app.ts';
import { parseConfig } from '../../apps/server/src/config.ts';
import { migrationsDir } from './paths.ts';
import { makeTempDir } from './tempDir.ts';

/** Per-address allowances that a test signing many people up from loopback does not reach. */
export const GENEROUS_ADDRESS_LIMITS = {
  SIGNUP_PER_ADDRESS_PER_HOUR: '1000000',
  LOGIN_PER_ADDRESS_PER_MINUTE: '1000000',
  USERNAME_LOOKUPS_PER_MINUTE: '1000000',
};

export interface TestServer {
  parley: Parley;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/trpc */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * A real Parley server on a random port, on a throwaway embedded database unless DATABASE_URL is given.
 * `redis: 'mock'` puts the Redis bus over ioredis-mock; a redis:// URL uses real Redis.
 */
export async function startTestServer(options: { env?: Record<string, string>; redis?: 'mock' } = {}): Promise<TestServer> {
  const dir = makeTempDir();
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${dir.path}/parley.db`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // Test files sign many people up from loopback; tests/security sets the real allowances it attacks.
    ...GENEROUS_ADDRESS_LIMITS,
    ...(options.redis === 'mock' ? { REDIS_URL: 'redis://mock:6379' } : {}),
    ...options.env,
  });
  const parley = await createParley({
    config,
    logger: pino({ level: config.logLevel }),
    migrationsDir,
    ...(options.redis === 'mock' ? { createRedis: () => new RedisMock() as unknown as Redis } : {}),
  });
  const url = (await parley.listen()).replace('localhost', '127.0.0.1');
  return {
    parley,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/trpc`,
    async close() {
      await parley.shutdown();
      dir.remove();
    },
  };
}
