import type { Logger } from 'pino';
import type { EventBus } from './bus/eventBus.ts';
import type { Db, DbProvider } from './db/db.ts';

export interface Clock {
  now(): Date;
}

export interface ApiConfig {
  /** Mark the session cookie Secure; 'auto' follows the request (https or x-forwarded-proto). */
  cookieSecure: boolean | 'auto';
}

/** Closes open sockets of revoked sessions, in this process and (through the bus) every other one. */
export interface SessionSockets {
  revoke(sessionIds: string[], reason: string): Promise<void>;
}

/** Everything procedures and domain functions use, built once by the composition root (or a test). */
export interface Deps {
  db: Db;
  dbProvider: DbProvider;
  bus: EventBus;
  clock: Clock;
  newId(): string;
  logger: Logger;
  config: ApiConfig;
  sessionSockets: SessionSockets;
}

export const systemClock: Clock = { now: () => new Date() };
