import { WebSocket } from 'ws';

type MessageListener = (this: WebSocket, event: { type: 'message'; data: unknown; target: WebSocket }) => void;

/**
 * Node 20 has no global WebSocket; `ws` speaks the same protocol with a browser-compatible class. Its
 * `addEventListener('message')` decodes every frame to a string and wraps it in a new event once per
 * listener, where a browser makes one event for all of them. tRPC's client listens to each socket's
 * messages three or four times (answers, keep-alive, pings, pongs), so each delivery was decoded that many
 * times. This class hands every message listener one shared event per frame; every other event, and the
 * `onmessage` attribute, stay with `ws`.
 */
class SharedMessageEventWebSocket extends WebSocket {
  #messageListeners: Array<{ handler: MessageListener; once: boolean }> | null = null;

  override addEventListener(type: string, handler: unknown, options?: { once?: boolean }): void {
    // ws marks its own `onmessage` attribute listener with a symbol-keyed option: leave that to ws.
    if (type !== 'message' || typeof handler !== 'function' || hasSymbolKeys(options)) {
      return super.addEventListener(type as 'message', handler as never, options as never);
    }
    let listeners = this.#messageListeners;
    if (!listeners) {
      listeners = this.#messageListeners = [];
      this.on('message', (data, isBinary) => this.#dispatch(data, isBinary));
    }
    if (listeners.some((listener) => listener.handler === handler)) return;
    // Copied, never changed in place: a frame being dispatched keeps the listeners it started with.
    this.#messageListeners = [...listeners, { handler: handler as MessageListener, once: options?.once === true }];
  }

  override removeEventListener(type: string, handler: unknown): void {
    const listeners = this.#messageListeners;
    const at = type === 'message' && listeners ? listeners.findIndex((listener) => listener.handler === handler) : -1;
    if (at === -1) return super.removeEventListener(type as 'message', handler as never);
    this.#messageListeners = [...listeners!.slice(0, at), ...listeners!.slice(at + 1)];
  }

  #dispatch(data: WebSocket.RawData, isBinary: boolean): void {
    const listeners = this.#messageListeners!;
    const event = { type: 'message' as const, data: isBinary ? data : data.toString(), target: this };
    if (listeners.some((listener) => listener.once)) {
      this.#messageListeners = listeners.filter((listener) => !listener.once);
    }
    // Like ws, a listener that throws stops the ones after it for this frame (EventEmitter semantics).
    for (const listener of listeners) listener.handler.call(this, event);
  }
}

function hasSymbolKeys(options: object | undefined): boolean {
  return options !== undefined && Object.getOwnPropertySymbols(options).length > 0;
}

export const WebSocketImpl = SharedMessageEventWebSocket as unknown as typeof globalThis.WebSocket;
