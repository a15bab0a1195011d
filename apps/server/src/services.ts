import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { systemClock, type Database, type Deps, type EventBus, type PresenceStore } from '@parley/api';
import { touchSessionsInUse } from '@parley/api/auth/session';
import { createMemoryEventBus } from '@parley/api/bus/memoryEventBus';
import { createRedisEventBus } from '@parley/api/bus/redisEventBus';
import { createDeps } from '@parley/api/createDeps';
import { sweepUploads } from '@parley/api/domain/removeUploads';
import { createFileServices } from '@parley/api/files/createFileServices';
import { createDatabase } from '@parley/api/db/createDatabase';
import { applyMigrations } from '@parley/api/db/migrate';
import { createMetrics, type Metrics } from '@parley/api/metrics/metrics';
import { createMemoryPresence } from '@parley/api/presence/memoryPresence';
import { createPresenceAnnouncer, type PresenceAnnouncer } from '@parley/api/presence/presenceAnnouncer';
import { createRedisPresence } from '@parley/api/presence/redisPresence';
import type { Config } from './config.ts';
import { connectRedis, type RedisRole } from './redisConnections.ts';
import { SessionSocketRegistry } from './sessionSocketRegistry.ts';
import { createSocketAdmission, type SocketAdmission } from './socketAdmission.ts';
import { waitUntil } from './waitUntil.ts';

/** A process's long-lived services, built once from config; the HTTP and WebSocket sides share them. */
export interface ParleyServices {
  deps: Deps;
  database: Database;
  bus: EventBus;
  hasRedis: boolean;
  presence: PresenceStore;
  metrics: Metrics;
  announcer: PresenceAnnouncer;
  socketAdmission: SocketAdmission;
  /** This process's open sockets by session, to close those of ended sessions. */
  registry: SessionSocketRegistry;
  /** Gives the open-sockets gauge its source once the WebSocket server exists. */
  countOpenSocketsWith(count: () => number): void;
  /** Stops the session sweep and listening for sessions other processes ended (shutdown). */
  stopSessionUpkeep(): void;
}

/** Migrates and opens the database, connects Redis (bus, presence, rate limits) or stays in-process, and builds Deps. */
export async function createServices(options: {
  config: Config;
  logger: Logger;
  migrationsDir: string;
  createRedis?: ((role: RedisRole) => Redis) | undefined;
}): Promise<ParleyServices> {
  const { config, logger } = options;
  await applyMigrations(config.databaseUrl, options.migrationsDir, logger);
  const database = await createDatabase(config.databaseUrl, { poolSize: config.databasePoolSize, logger: logger.child({ component: 'db' }) });
  const registry = new SessionSocketRegistry();
  let openSockets = () => 0;
  const metrics = createMetrics({ openSockets: () => openSockets() });

  const redis = config.redisUrl ? connectRedis(config.redisUrl, options.createRedis) : null;
  const bus = redis
    ? createRedisEventBus({
        ...redis,
        prefix: config.redisPrefix,
        logger: logger.child({ component: 'bus' }),
        onReconnect: () => metrics.busReconnects.inc(),
      })
    : createMemoryEventBus();
  if (redis && !(await waitUntil(() => bus.isHealthy(), 5000))) {
    logger.warn('redis does not answer yet; starting anyway (readyz says not ready until it does)');
  }
  // Shared by the cluster with Redis, like the bus: a user is online while any process holds a socket of theirs.
  const presence = redis
    ? createRedisPresence({
        client: redis.publisher,
        prefix: config.redisPrefix,
        processId: randomUUID(),
        logger,
        heartbeatMs: config.presence.heartbeatMs,
        timeoutMs: config.presence.timeoutMs,
      })
    : createMemoryPresence(systemClock);

  const deps = createDeps({
    database,
    bus,
    presence,
    logger,
    config: {
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      trustProxyHops: config.trustProxyHops,
      sessionMaxAgeMs: config.sessionMaxAgeMs,
      maxSessionsPerUser: config.maxSessionsPerUser,
      maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
      allowAnyPushEndpoint: config.allowAnyPushEndpoint,
    },
    push: config.push,
    rateLimits: config.rateLimits,
    passwordHashing: config.passwordHashing,
    redis: redis ? { client: redis.publisher, prefix: config.redisPrefix } : undefined,
    metrics,
    files: createFileServices(config.files),
    sessionSockets: {
      async revoke(sessionIds, reason) {
        registry.closeSessions(sessionIds, reason);
        // Other processes may hold sockets of these sessions too.
        await bus.publishSessionsEnded(sessionIds).catch((err: unknown) => {
          logger.warn({ err }, 'could not announce ended sessions; other processes close them at their next sweep');
        });
      },
    },
  });
  const announcer = createPresenceAnnouncer(deps, presence, { offlineGraceMs: config.presence.offlineGraceMs });
  // Changes found in the background (a dead process's users) are long settled: no grace.
  await presence.start((changes) => announcer.announce(changes, { isImmediate: true }));
  const socketAdmission = createSocketAdmission({ presence, announcer, maxSocketsPerUser: config.maxSocketsPerUser });
  const stopListeningForEndedSessions = bus.onSessionsEnded((ids) => registry.closeSessions(ids, 'session ended'));
  const sweep = setInterval(() => {
    touchSessionsInUse(deps, registry.sessionIds()).then(
      (ended) => registry.closeSessions(ended, 'session ended'),
      (err: unknown) => logger.warn({ err }, 'session sweep failed'),
    );
  }, config.sessionSweepMs);
  sweep.unref();
  const uploadSweep = setInterval(() => {
    sweepUploads(deps).then(
      (removed) => removed > 0 && logger.info({ removed }, 'removed unsent uploads and files of deleted messages'),
      (err: unknown) => logger.warn({ err }, 'upload sweep failed'),
    );
  }, config.files.sweepMs);
  uploadSweep.unref();
  deps.push.start();

  return {
    deps,
    database,
    bus,
    hasRedis: Boolean(redis),
    presence,
    metrics,
    announcer,
    socketAdmission,
    registry,
    countOpenSocketsWith(count) {
      openSockets = count;
    },
    stopSessionUpkeep() {
      clearInterval(sweep);
      clearInterval(uploadSweep);
      deps.push.stop();
      stopListeningForEndedSessions();
    },
  };
}
