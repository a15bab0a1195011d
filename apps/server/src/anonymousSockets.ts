import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Open sockets per client address in this process. A socket is counted from its upgrade request until its
 * TCP connection closes, so one address cannot hold thousands of sockets before any of them authenticates.
 */
export class SocketsPerAddress {
  readonly #open = new Map<string, number>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Counts `socket` against `address`; false (and not counted) when the address is at its limit. */
  tryAdmit(address: string, socket: Duplex): boolean {
    const open = this.#open.get(address) ?? 0;
    if (open >= this.#max) return false;
    this.#open.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    });
    return true;
  }

  openFrom(address: string): number {
    return this.#open.get(address) ?? 0;
  }
}

/**
 * Closes a socket that has not authenticated (cookie at the upgrade, or a token in connectionParams) in
 * time: an anonymous socket can do nothing but log in, and would otherwise be held for free.
 */
export class AuthDeadline {
  readonly #timers = new WeakMap<WebSocket, NodeJS.Timeout>();
  readonly #timeoutMs: number;
  readonly #onExpire: (socket: WebSocket) => void;

  constructor(timeoutMs: number, onExpire: (socket: WebSocket) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  watch(socket: WebSocket): void {
    const timer = setTimeout(() => {
      this.#timers.delete(socket);
      this.#onExpire(socket);
    }, this.#timeoutMs);
    timer.unref();
    this.#timers.set(socket, timer);
    socket.once('close', () => this.authenticated(socket));
  }

  authenticated(socket: WebSocket): void {
    clearTimeout(this.#timers.get(socket));
    this.#timers.delete(socket);
  }
}
