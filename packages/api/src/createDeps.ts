import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus } from './bus/eventBus.ts';
import type { Database } from './db/db.ts';
import { createReadAnnouncer } from './bus/readAnnouncer.ts';
import { createChangeAppender } from './db/changeAppender.ts';
import { systemClock, type ApiConfig, type Clock, type Deps, type SessionSockets } from './deps.ts';
import { newTimeOrderedId } from './ids.ts';
import type { FileServices } from './files/fileServices.ts';
import { InFlight } from './inFlight.ts';
import { createMemoryFocusStore, createRedisFocusStore } from './push/focusStore.ts';
import { createPushNotifier, type PushConfig } from './push/pushNotifier.ts';
import { createMemoryPushQueue, createRedisPushQueue } from './push/pushQueue.ts';
import { createPasswordHashQueue } from './limits/passwordHashQueue.ts';
import { createRateLimits, type RateLimitConfig } from './limits/rateLimits.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { PresenceStore } from './presence/presenceStore.ts';

/** What the server and tests build differently; createDeps wires everything else the same way for both. */
export interface DepsParts {
  database: Database;
  bus: EventBus;
  presence: PresenceStore;
  logger: Logger;
  config: ApiConfig;
  metrics: Metrics;
  sessionSockets: SessionSockets;
  rateLimits: RateLimitConfig;
  /** argon2 behind a bounded queue: how many hash at once, how many may wait. */
  passwordHashing: { concurrency: number; maxQueued: number };
  /** Rate-limit counters shared by the cluster; without it, each process counts on its own. */
  redis?: { client: Redis; prefix: string } | undefined;
  files: FileServices;
  push: PushConfig;
  clock?: Clock;
  newId?: () => string;
}

/** The one place Deps are assembled, for apps/server and tests/helpers alike. */
export function createDeps(parts: DepsParts): Deps {
  const { database, bus, logger } = parts;
  const focus = parts.redis ? createRedisFocusStore(parts.redis.client, parts.redis.prefix) : createMemoryFocusStore();
  const pushQueue = parts.redis ? createRedisPushQueue(parts.redis.client, parts.redis.prefix) : createMemoryPushQueue();
  return {
    db: database.db,
    dbProvider: database.provider,
    hotPath: database.hotPath,
    appendChange: createChangeAppender(database.hotPath),
    bus,
    announceRead: createReadAnnouncer((notice) =>
      bus.publishRead(notice).catch((err: unknown) => logger.warn({ err, threadId: notice.threadId }, 'read notice publish failed')),
    ),
    clock: parts.clock ?? systemClock,
    newId: parts.newId ?? newTimeOrderedId,
    logger,
    config: parts.config,
    sessionSockets: parts.sessionSockets,
    rateLimits: createRateLimits(parts.rateLimits, parts.redis),
    passwordHashing: createPasswordHashQueue(parts.passwordHashing),
    presence: parts.presence,
    metrics: parts.metrics,
    files: parts.files,
    focus,
    push: createPushNotifier({ db: database.db, logger, focus, queue: pushQueue, config: parts.push }),
    inFlight: new InFlight(),
  };
}
