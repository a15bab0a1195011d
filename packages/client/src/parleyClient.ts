import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client';
import { WebSocketImpl } from '#webSocket';
import { SESSION_ENDED_CLOSE_CODE } from './closeCodes.ts';
import { toConnectionState, type CloseReason, type ConnectionState } from './connectionState.ts';
import { reconnectDelayMs } from './reconnectDelay.ts';
import { defaultServerUrl, toSocketUrl } from './serverUrl.ts';
import type { AppRouter } from './types.ts';

export interface ParleyClientOptions {
  /** http(s):// base or ws(s):// endpoint; in a browser, defaults to the page's origin. */
  url?: string;
  /** A session token from `logIn`/`signUp`, for programs. Browsers leave it out: the cookie goes with the upgrade. */
  token?: string;
  onConnectionState?: (state: ConnectionState) => void;
  /** Delay before reconnect attempt n (0-based); exponential backoff with jitter by default. */
  retryDelayMs?: (attempt: number) => number;
  /** Client pings detect a dead link that never reports a close (sleeping laptop, dropped NAT entry). */
  keepAlive?: { intervalMs: number; pongTimeoutMs: number };
}

export interface ParleyClient {
  /** Every procedure, typed from the server's router, over the one WebSocket. */
  api: TRPCClient<AppRouter>;
  readonly connectionState: ConnectionState;
  /** Set once the state is 'closed'. */
  readonly closeReason: CloseReason | null;
  /** Calls `listener` on every change (not with the current state); returns an unsubscribe function. */
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
  /** Closes the socket for good; subscriptions complete. */
  close(): Promise<void>;
}

const DEFAULT_KEEP_ALIVE = { intervalMs: 15_000, pongTimeoutMs: 5_000 };

/** A typed Parley client over one WebSocket that reconnects with backoff and resumes its subscriptions. */
export function createParleyClient(options: ParleyClientOptions = {}): ParleyClient {
  const listeners = new Set<(state: ConnectionState) => void>();
  if (options.onConnectionState) listeners.add(options.onConnectionState);
  let state: ConnectionState = 'connecting';
  let closeReason: CloseReason | null = null;
  let hasOpened = false;

  const wsClient = createWSClient({
    url: toSocketUrl(options.url ?? defaultServerUrl()),
    WebSocket: WebSocketImpl,
    // Only programs send connectionParams: a browser's session rides on the cookie of the upgrade request.
    ...(options.token ? { connectionParams: { token: options.token } } : {}),
    retryDelayMs: options.retryDelayMs ?? reconnectDelayMs,
    keepAlive: { enabled: true, ...(options.keepAlive ?? DEFAULT_KEEP_ALIVE) },
    onClose(cause) {
      // The session is gone (logged out, expired, bad token): reconnecting would only be refused again.
      if (cause?.code === SESSION_ENDED_CLOSE_CODE && !closeReason) {
        closeReason = 'session-ended';
        void wsClient.close();
      }
    },
  });

  const stateSubscription = wsClient.connectionState.subscribe({
    next({ state: trpcState }) {
      if (trpcState === 'pending') hasOpened = true;
      const next = toConnectionState(trpcState, hasOpened);
      if (next === 'closed') closeReason ??= 'closed';
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener(next);
    },
  });

  return {
    api: createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] }),
    get connectionState() {
      return state;
    },
    get closeReason() {
      return closeReason;
    },
    onConnectionState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closeReason ??= 'closed';
      await wsClient.close();
      stateSubscription.unsubscribe();
    },
  };
}
