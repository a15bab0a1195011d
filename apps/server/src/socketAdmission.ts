import type { PresenceAnnouncer } from '@parley/api/presence/presenceAnnouncer';
import type { PresenceStore } from '@parley/api/presence/presenceStore';
import { WebSocket } from 'ws';

export interface SocketAdmission {
  /**
   * Counts an authenticated socket in its user's presence, cluster-wide, unless they already hold
   * `maxSocketsPerUser` sockets; false means refuse it. Counted sockets are uncounted when they close.
   */
  admit(userId: string, socket: WebSocket): Promise<boolean>;
  /** Resolves when the uncounting of closed sockets has finished (shutdown). */
  settled(): Promise<void>;
}

export function createSocketAdmission(options: {
  presence: PresenceStore;
  announcer: PresenceAnnouncer;
  maxSocketsPerUser: number;
}): SocketAdmission {
  const { presence, announcer } = options;
  const releasing = new Set<Promise<void>>();

  const release = (userId: string): void => {
    const done = presence.disconnect(userId).then(
      (change) => void (change && announcer.announce([change])),
      () => undefined, // the store logs it and repairs its counts at its next heartbeat
    );
    releasing.add(done);
    void done.finally(() => releasing.delete(done));
  };

  return {
    async admit(userId, socket) {
      const { isAdmitted, change } = await presence.tryConnect(userId, options.maxSocketsPerUser);
      if (!isAdmitted) return false;
      if (change) announcer.announce([change]);
      // The socket may have closed during the round trip to Redis, and 'close' is not emitted twice.
      if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) release(userId);
      else socket.once('close', () => release(userId));
      return true;
    },
    async settled() {
      while (releasing.size) await Promise.all(releasing);
    },
  };
}
