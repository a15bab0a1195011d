import { SESSION_ENDED_CLOSE_CODE } from '@parley/client/closeCodes';
import type { WebSocket } from 'ws';

/**
 * The open sockets of each session in this process. tRPC builds a WebSocket's context once, so a session
 * that ends must close its sockets here or they would keep receiving messages. (Sockets per user are
 * counted by presence, across processes.)
 */
export class SessionSocketRegistry {
  readonly #bySession = new Map<string, Set<WebSocket>>();

  add(sessionId: string, socket: WebSocket): void {
    const inSession = addTo(this.#bySession, sessionId, socket);
    socket.once('close', () => {
      removeFrom(this.#bySession, sessionId, inSession, socket);
    });
  }

  sessionIds(): string[] {
    return [...this.#bySession.keys()];
  }

  /** Closes every local socket of these sessions; their subscriptions end with them. */
  closeSessions(sessionIds: Iterable<string>, reason: string): number {
    let closed = 0;
    for (const id of sessionIds) {
      for (const socket of this.#bySession.get(id) ?? []) {
        socket.close(SESSION_ENDED_CLOSE_CODE, reason.slice(0, 120));
        closed++;
      }
    }
    return closed;
  }
}

function addTo(map: Map<string, Set<WebSocket>>, key: string, socket: WebSocket): Set<WebSocket> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(socket);
  return set;
}

function removeFrom(map: Map<string, Set<WebSocket>>, key: string, set: Set<WebSocket>, socket: WebSocket): void {
  set.delete(socket);
  if (set.size === 0 && map.get(key) === set) map.delete(key);
}
