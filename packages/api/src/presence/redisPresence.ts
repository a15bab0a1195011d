import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PresenceNotice } from '../bus/eventBus.ts';
import type { PresenceStore, UserPresence } from './presenceStore.ts';
import { BEAT, CONNECT, DISCONNECT, LOOKUP, RECONCILE, REAP } from './redisPresenceScripts.ts';

export interface RedisPresenceOptions {
  /** A command connection (the bus publisher); scripts are defined on it. */
  client: Redis;
  prefix: string;
  /** Unique per process run (not the pid: two hosts may share one). */
  processId: string;
  logger: Logger;
  /** How often this process refreshes its heartbeat and looks for dead processes. */
  heartbeatMs: number;
  /** A process whose heartbeat is older than this is dead: its sockets stop counting, its users go offline. */
  timeoutMs: number;
  /** Bounds each Redis call, past which a socket is admitted on this process's own count. */
  commandTimeoutMs?: number;
}

type ScriptName = 'connect' | 'disconnect' | 'beat' | 'reap' | 'reconcile' | 'lookup';
const SCRIPTS: Record<ScriptName, string> = {
  connect: CONNECT,
  disconnect: DISCONNECT,
  beat: BEAT,
  reap: REAP,
  reconcile: RECONCILE,
  lookup: LOOKUP,
};

/**
 * Presence shared by the cluster: per process, a hash userId -> open sockets with a TTL, and a heartbeat
 * in a sorted set. Counts are summed over processes whose heartbeat is fresh, so a process killed with
 * SIGKILL stops counting after `timeoutMs`; the next heartbeat of any survivor (within `heartbeatMs`)
 * removes it and reports its users offline. The hash TTL only cleans up when no process is left to do so.
 *
 * This process's own counts are kept locally too, as the truth Redis is repaired from: after Redis did not
 * answer (sockets were then admitted on the local count alone) or after this process was taken for dead
 * (a long pause), its hash is rewritten from them at the next heartbeat.
 */
export function createRedisPresence(options: RedisPresenceOptions): PresenceStore {
  const { client, prefix, processId, heartbeatMs, timeoutMs } = options;
  const logger = options.logger.child({ component: 'presence' });
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  const hashPrefix = `${prefix}presence:proc:`;
  const keys = [
    `${prefix}presence:procs`,
    `${hashPrefix}${processId}`,
    `${prefix}presence:version`,
    `${prefix}presence:versions`,
    `${prefix}presence:seen`,
  ];
  // The hash outlives the timeout by far, so a survivor always finds a dead process's users to report.
  const common = [hashPrefix, processId, String(timeoutMs), String(Math.max(60_000, timeoutMs * 4))];
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(`parleyPresence_${name}`, { numberOfKeys: keys.length, lua });
  const run = (name: ScriptName, ...args: Array<string | number>): Promise<unknown> => {
    const command = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[`parleyPresence_${name}`]!;
    return withTimeout(command.call(client, ...keys, ...common, ...args), commandTimeoutMs);
  };

  const local = new Map<string, number>();
  let isDirty = false;
  let hasBeaten = false;
  let timer: NodeJS.Timeout | undefined;
  let isClosed = false;
  // A rewrite from local counts must not interleave with connects and disconnects in flight, whose
  // effect on Redis it would count twice or lose: it waits for them, and new ones wait for it.
  let inFlight = 0;
  let rewriting: Promise<void> | null = null;
  let idle: (() => void) | null = null;

  const track = async <T>(operation: () => Promise<T>): Promise<T> => {
    while (rewriting) await rewriting;
    inFlight++;
    try {
      return await operation();
    } finally {
      if (--inFlight === 0) idle?.();
    }
  };

  const rewrite = async (leave: boolean): Promise<PresenceNotice[]> => {
    while (rewriting) await rewriting;
    let done!: () => void;
    rewriting = new Promise((resolve) => (done = resolve));
    try {
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      idle = null;
      const pairs = leave ? [] : [...local].flatMap(([userId, count]) => [userId, String(count)]);
      const changes = toChanges(await run('reconcile', leave ? '1' : '0', ...pairs));
      isDirty = false;
      if (changes.length) logger.info({ changes: changes.length }, "presence rewritten from this process's sockets");
      return changes;
    } finally {
      rewriting = null;
      done();
    }
  };

  const adjustLocal = (userId: string, delta: number): void => {
    const count = (local.get(userId) ?? 0) + delta;
    if (count > 0) local.set(userId, count);
    else local.delete(userId);
  };

  const heartbeat = async (onChanges: (changes: PresenceNotice[]) => void): Promise<void> => {
    try {
      if (!isDirty && (await run('beat')) === 1 && hasBeaten) {
        logger.warn('this process was taken for dead (a pause or an outage); rewriting its presence');
        isDirty = true;
      }
      hasBeaten = true;
      const changes = isDirty ? await rewrite(false) : [];
      changes.push(...toChanges(await run('reap')));
      if (changes.length) onChanges(changes);
    } catch (err) {
      isDirty = true; // counts may have drifted while Redis was away
      logger.warn({ err }, 'presence heartbeat failed; retried at the next one');
    }
  };

  return {
    tryConnect: (userId, maxSockets) =>
      track(async () => {
        // Cluster-wide count >= this process's, so this refusal needs no round trip.
        if ((local.get(userId) ?? 0) >= maxSockets) return { isAdmitted: false, change: null };
        try {
          const [admitted, version] = (await run('connect', userId, maxSockets)) as [number, number];
          if (!admitted) return { isAdmitted: false, change: null };
          adjustLocal(userId, 1);
          return { isAdmitted: true, change: version ? { userId, online: true, version, lastSeenAt: null } : null };
        } catch (err) {
          // Chat goes on without Redis; the limit holds per process meanwhile, and Redis is repaired later.
          isDirty = true;
          adjustLocal(userId, 1);
          logger.warn({ err }, "presence unavailable; socket admitted on this process's count");
          return { isAdmitted: true, change: null };
        }
      }),

    disconnect: (userId) =>
      track(async () => {
        adjustLocal(userId, -1);
        try {
          const [version, seenMs] = (await run('disconnect', userId)) as [number, number];
          return version ? { userId, online: false, version, lastSeenAt: new Date(seenMs).toISOString() } : null;
        } catch (err) {
          isDirty = true;
          logger.warn({ err }, 'presence unavailable; socket close recorded at the next heartbeat');
          return null;
        }
      }),

    async lookup(userIds) {
      if (userIds.length === 0) return [];
      const flat = (await run('lookup', ...userIds)) as number[];
      return userIds.map((userId, i): UserPresence => {
        const online = flat[i * 3]! > 0;
        const seenMs = flat[i * 3 + 2]!;
        return { userId, online, version: flat[i * 3 + 1]!, lastSeenAt: online || !seenMs ? null : new Date(seenMs).toISOString() };
      });
    },

    async start(onChanges) {
      await heartbeat(onChanges);
      const beat = () => {
        timer = setTimeout(() => void heartbeat(onChanges).finally(() => !isClosed && beat()), heartbeatMs);
        timer.unref();
      };
      beat();
    },

    async close() {
      isClosed = true;
      clearTimeout(timer);
      local.clear();
      try {
        return await rewrite(true);
      } catch (err) {
        logger.warn({ err }, 'could not remove this process from presence; it expires after the timeout');
        return [];
      }
    },
  };
}

function toChanges(reply: unknown): PresenceNotice[] {
  const flat = reply as Array<string | number>;
  const changes: PresenceNotice[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    const online = Number(flat[i + 1]) === 1;
    changes.push({
      userId: String(flat[i]),
      online,
      version: Number(flat[i + 2]),
      lastSeenAt: online ? null : new Date(Number(flat[i + 3])).toISOString(),
    });
  }
  return changes;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`presence call timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
