import type { Logger } from 'pino';
import type { EventBus, ReadNotice } from './bus/eventBus.ts';
import type { Db, DbProvider } from './db/db.ts';
import type { ChangeRequest, ChangeResult } from './db/changeRequests.ts';
import type { HotPath } from './db/hotPath.ts';
import type { FileServices } from './files/fileServices.ts';
import type { InFlight } from './inFlight.ts';
import type { FocusStore } from './push/focusStore.ts';
import type { PushNotifier } from './push/pushNotifier.ts';
import type { PasswordHashQueue } from './limits/passwordHashQueue.ts';
import type { RateLimits } from './limits/rateLimits.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { PresenceStore } from './presence/presenceStore.ts';

export interface Clock {
  now(): Date;
}

export interface ApiConfig {
  /** Mark the session cookie Secure; 'auto' follows the request (https or x-forwarded-proto). */
  cookieSecure: boolean | 'auto';
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For (for per-address limits). */
  trustProxy: boolean;
  /** How many proxies of ours append to X-Forwarded-For: the client is the hop just before them. */
  trustProxyHops: number;
  /** A session ends this long after it was created, however much it is used. */
  sessionMaxAgeMs: number;
  /** Sessions one user may hold; a new log-in past it ends the oldest. */
  maxSessionsPerUser: number;
  /** thread.onMessage subscriptions one socket may hold at once. */
  maxSubscriptionsPerSocket: number;
  /** Accept push endpoints that are not an https host name (tests; a push service on a private network). */
  allowAnyPushEndpoint: boolean;
}

/** Closes open sockets of revoked sessions, in this process and (through the bus) every other one. */
export interface SessionSockets {
  revoke(sessionIds: string[], reason: string): Promise<void>;
}

/** Everything procedures and domain functions use, built once by the composition root (or a test). */
export interface Deps {
  db: Db;
  dbProvider: DbProvider;
  /** Plain-SQL per-message and per-connection queries (see db/hotPath.ts). */
  hotPath: HotPath;
  /** hotPath.appendChanges behind group commit: resolves with the change's seq, or why it was refused. */
  appendChange(request: ChangeRequest): Promise<ChangeResult>;
  bus: EventBus;
  /** Publishes a moved read marker, at most a few a second per member and thread (the newest always goes out). */
  announceRead(notice: ReadNotice): void;
  clock: Clock;
  newId(): string;
  logger: Logger;
  config: ApiConfig;
  sessionSockets: SessionSockets;
  rateLimits: RateLimits;
  /** Where every argon2 hash and verification waits its turn (bounded; see limits/passwordHashQueue.ts). */
  passwordHashing: PasswordHashQueue;
  /** Who is online (open sockets per user, cluster-wide with Redis). */
  presence: PresenceStore;
  metrics: Metrics;
  /** Web Push: queues a push per stored message for members whose level wants it, sent off the send path. */
  push: PushNotifier;
  /** Which users have a socket in a focused tab (no push for them). */
  focus: FocusStore;
  /** Uploaded files: their store, inspection and limits. */
  files: FileServices;
  /** Mutations under way; shutdown waits for them. */
  inFlight: InFlight;
}

export const systemClock: Clock = { now: () => new Date() };
