import type { Redis } from 'ioredis';

/** How long a reported focus counts without being reported again (the web app repeats it while focused). */
export const FOCUS_TTL_MS = 60_000;

/**
 * Which users have a socket in a focused tab, across processes (Redis) or in this one: Web Push stays
 * quiet for them, since the open tab shows and sounds the message itself.
 */
export interface FocusStore {
  /** One socket of the user is (or is no longer) in a focused tab. `socketKey` is unique in the cluster. */
  report(userId: string, socketKey: string, focused: boolean): Promise<void>;
  isFocused(userId: string): Promise<boolean>;
}

export function createMemoryFocusStore(now: () => number = Date.now): FocusStore {
  const byUser = new Map<string, Map<string, number>>();
  return {
    async report(userId, socketKey, focused) {
      const sockets = byUser.get(userId) ?? new Map<string, number>();
      if (focused) sockets.set(socketKey, now() + FOCUS_TTL_MS);
      else sockets.delete(socketKey);
      if (sockets.size > 0) byUser.set(userId, sockets);
      else byUser.delete(userId);
    },
    async isFocused(userId) {
      const sockets = byUser.get(userId);
      if (!sockets) return false;
      const at = now();
      for (const [key, until] of sockets) if (until <= at) sockets.delete(key);
      return sockets.size > 0;
    },
  };
}

/** One hash per user: socket key → until when it counts. The hash expires with its newest report. */
export function createRedisFocusStore(client: Redis, prefix: string, now: () => number = Date.now): FocusStore {
  const key = (userId: string) => `${prefix}focus:${userId}`;
  return {
    async report(userId, socketKey, focused) {
      if (!focused) {
        await client.hdel(key(userId), socketKey);
        return;
      }
      await client
        .multi()
        .hset(key(userId), socketKey, String(now() + FOCUS_TTL_MS))
        .pexpire(key(userId), FOCUS_TTL_MS)
        .exec();
    },
    async isFocused(userId) {
      const untils = await client.hvals(key(userId));
      const at = now();
      return untils.some((until) => Number(until) > at);
    },
  };
}
