import type { PresenceNotice } from '../bus/eventBus.ts';
import type { Clock } from '../deps.ts';
import type { PresenceStore, UserPresence } from './presenceStore.ts';

/** Presence of a single process: its sockets are all there is. The reference the Redis store must match. */
export function createMemoryPresence(clock: Clock): PresenceStore {
  const sockets = new Map<string, number>();
  // One entry per user ever seen, like the Redis store's hashes: bounded by the user table.
  const versions = new Map<string, number>();
  const lastSeen = new Map<string, string>();
  let version = 0;

  const change = (userId: string, online: boolean): PresenceNotice => {
    versions.set(userId, ++version);
    const lastSeenAt = online ? null : clock.now().toISOString();
    if (lastSeenAt) lastSeen.set(userId, lastSeenAt);
    return { userId, online, version, lastSeenAt };
  };

  const disconnectAll = (): PresenceNotice[] => {
    const changes = [...sockets.keys()].map((userId) => change(userId, false));
    sockets.clear();
    return changes;
  };

  return {
    async tryConnect(userId, maxSockets) {
      const count = sockets.get(userId) ?? 0;
      if (count >= maxSockets) return { isAdmitted: false, change: null };
      sockets.set(userId, count + 1);
      return { isAdmitted: true, change: count === 0 ? change(userId, true) : null };
    },

    async disconnect(userId) {
      const count = sockets.get(userId) ?? 0;
      if (count <= 1) sockets.delete(userId);
      else sockets.set(userId, count - 1);
      return count === 1 ? change(userId, false) : null;
    },

    async lookup(userIds): Promise<UserPresence[]> {
      return userIds.map((userId) => {
        const online = sockets.has(userId);
        return { userId, online, version: versions.get(userId) ?? 0, lastSeenAt: online ? null : (lastSeen.get(userId) ?? null) };
      });
    },

    async start() {},

    async close() {
      return disconnectAll();
    },
  };
}
