import type { WebSocket } from 'ws';

/** Close code for a socket whose session ended (logged out, expired, deleted). */
export const SESSION_ENDED_CLOSE_CODE = 4401;

/**
 * The open sockets of each session in this process. tRPC builds a WebSocket's context once, so a session
 * that ends must close its sockets here or they would keep receiving messages.
 */
export class SessionSocketRegistry {
  readonly #sockets = new Map<string, Set<WebSocket>>();

  add(sessionId: string, socket: WebSocket): void {
    let set = this.#sockets.get(sessionId);
    if (!set) this.#sockets.set(sessionId, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && this.#sockets.get(sessionId) === set) this.#sockets.delete(sessionId);
    });
  }

  sessionIds(): string[] {
    return [...this.#sockets.keys()];
  }

  countFor(sessionIds: Iterable<string>): number {
    let n = 0;
    for (const id of sessionIds) n += this.#sockets.get(id)?.size ?? 0;
    return n;
  }

  /** Closes every local socket of these sessions; their subscriptions end with them. */
  closeSessions(sessionIds: Iterable<string>, reason: string): number {
    let closed = 0;
    for (const id of sessionIds) {
      for (const socket of this.#sockets.get(id) ?? []) {
        socket.close(SESSION_ENDED_CLOSE_CODE, reason.slice(0, 120));
        closed++;
      }
      this.#sockets.delete(id);
    }
    return closed;
  }
}
