import { randomUUID } from 'node:crypto';
import RedisMock from 'ioredis-mock';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { appRouter, createCallerFactory, createContext, type Clock, type Database, type Deps, type SessionUser } from '@parley/api';
import { createSession } from '@parley/api/auth/session';
import { createRedisEventBus } from '@parley/api/bus/redisEventBus';
import { createDeps } from '@parley/api/createDeps';
import { createDatabase } from '@parley/api/db/createDatabase';
import { createFileServices } from '@parley/api/files/createFileServices';
import { DEFAULT_RATE_LIMITS } from '@parley/api/limits/rateLimits';
import { createMetrics } from '@parley/api/metrics/metrics';
import { createMemoryPresence } from '@parley/api/presence/memoryPresence';
import { createRedisPresence } from '@parley/api/presence/redisPresence';
import { applyMigrations } from '@parley/api/db/migrate';
import { migrationsDir } from './paths.ts';
import { deleteRedisKeys } from './redisAdmin.ts';
import { uniqueRedisPrefix } from './redisPrefix.ts';
import { makeTempDir } from './tempDir.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const GENEROUS_ADDRESS_LIMITS = { signUpsPerAddressPerHour: 1_000_000, loginsPerAddressPerMinute: 1_000_000, usernameLookupsPerMinute: 1_000_000 };

/** A clock tests move by hand. */
class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2026-11-25T12:00:00Z')) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestDeps extends Deps {
  clock: ManualClock;
  revoked: string[];
  close(): Promise<void>;
}

/**
 * Real domain services on a throwaway embedded database (or the given PostgreSQL database), with the
 * Redis bus over ioredis-mock and presence in memory; or, given `redisUrl`, bus, presence and rate limits
 * in that real Redis under a key prefix of their own (`redisPrefix`), deleted at close.
 */
export async function createTestDeps(options: { databaseUrl?: string; redisUrl?: string } = {}): Promise<TestDeps & { redisPrefix: string }> {
  const dir = makeTempDir();
  const url = options.databaseUrl ?? `file:${dir.path}/parley.db`;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  await applyMigrations(url, migrationsDir, logger);
  const database: Database = await createDatabase(url);
  const prefix = options.redisUrl ? uniqueRedisPrefix() : `parley-test-${randomUUID()}:`;
  const connect = () => (options.redisUrl ? new Redis(options.redisUrl) : (new RedisMock() as unknown as Redis));
  const publisher = connect();
  const bus = createRedisEventBus({ publisher, subscriber: connect(), prefix, logger });
  const clock = new ManualClock();
  const presence = options.redisUrl
    ? createRedisPresence({ client: publisher, prefix, processId: randomUUID(), logger, heartbeatMs: 1000, timeoutMs: 3000 })
    : createMemoryPresence(clock);
  await presence.start(() => {});
  const revoked: string[] = [];
  const deps = createDeps({
    database,
    bus,
    presence,
    logger,
    clock,
    config: {
      cookieSecure: false,
      trustProxy: false,
      trustProxyHops: 1,
      sessionMaxAgeMs: 30 * DAY_MS,
      maxSessionsPerUser: 50,
      maxSubscriptionsPerSocket: 100,
      allowAnyPushEndpoint: true,
    },
    // Tests send due pushes themselves (deps.push.sendDue()), so there is no poller to wait for.
    push: { subject: 'mailto:tests@parley.invalid', coalesceMs: 0, timeoutMs: 2000, pollMs: 60_000 },
    // In-process tests sign many people up from one "address"; tests/security attacks the limits over HTTP.
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...GENEROUS_ADDRESS_LIMITS },
    passwordHashing: { concurrency: 2, maxQueued: 1000 },
    redis: options.redisUrl ? { client: publisher, prefix } : undefined,
    metrics: createMetrics({ openSockets: () => 0, defaultMetrics: false }),
    files: createFileServices({
      storage: { kind: 'disk', dir: `${dir.path}/uploads` },
      spoolDir: `${dir.path}/spool`,
      maxBytes: 25 * 1024 * 1024,
      maxPixels: 50_000_000,
      imageWorkers: 1,
      imageQueueLength: 8,
    }),
    sessionSockets: {
      async revoke(ids) {
        revoked.push(...ids);
      },
    },
  });
  return {
    ...deps,
    clock,
    revoked,
    redisPrefix: prefix,
    async close() {
      await presence.close();
      await bus.close();
      if (options.redisUrl) await deleteRedisKeys(options.redisUrl, prefix);
      await database.close();
      dir.remove();
    },
  };
}

const createCaller = createCallerFactory(appRouter);

/** A server-side caller acting as nobody. */
export function anonymousCaller(deps: Deps) {
  return createCaller(createContext(deps, { user: null, session: null }, { kind: 'internal' }));
}

/** Signs a user up through the API and returns a caller acting as them. */
export async function signedInCaller(deps: Deps, username: string, password = 'correct horse battery') {
  const { user } = await anonymousCaller(deps).auth.signUp({ username, password });
  return callerAs(deps, user);
}

async function callerAs(deps: Deps, user: SessionUser) {
  const { session, token } = await createSession(deps, user.id);
  const caller = createCaller(createContext(deps, { user, session }, { kind: 'internal' }));
  // The caller is a Proxy that treats every property as a procedure path, so its routers are copied out.
  return { user, session, token, auth: caller.auth, thread: caller.thread, message: caller.message, users: caller.user, push: caller.push };
}
