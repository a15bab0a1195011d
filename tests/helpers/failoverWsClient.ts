import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '@parley/api';
import WebSocket from 'ws';
import type { ApiClient } from './trpcClients.ts';

export interface FailoverWsClient {
  client: ApiClient;
  ws: ReturnType<typeof createWSClient>;
  /** Every URL a connection was attempted to, in order. */
  attempts: string[];
  /** The server URL of the socket in use now (without tRPC's query string), or null. */
  currentUrl(): string | null;
  close(): Promise<void>;
}

/**
 * A typed client that knows several server URLs and moves to the next one at each (re)connect, as a
 * client given a list of servers would: when its process dies or drains, it lands on another.
 */
export function failoverWsClient(wsUrls: string[], token: string): FailoverWsClient {
  if (wsUrls.length === 0) throw new Error('give at least one URL');
  let next = 0;
  const attempts: string[] = [];
  const ws = createWSClient({
    url: () => {
      const url = wsUrls[next++ % wsUrls.length]!;
      attempts.push(url);
      return url;
    },
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    connectionParams: { token },
  });
  return {
    client: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }),
    ws,
    attempts,
    currentUrl: () => ws.connection?.ws?.url.split('?')[0] ?? null,
    close: () => ws.close(),
  };
}
