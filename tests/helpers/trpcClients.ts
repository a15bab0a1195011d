import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@parley/api';
import WebSocket from 'ws';

export type ApiClient = TRPCClient<AppRouter>;

/** A typed client over one WebSocket, authenticated by token as a non-browser program would be. */
export function wsClient(wsUrl: string, token?: string, options: { headers?: Record<string, string> } = {}) {
  // Node 20 has no global WebSocket; `ws` stands in, lets tests set headers such as Origin, and records
  // how the server closed each socket the client opened.
  const closeCodes: number[] = [];
  const WebSocketWithHeaders = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: options.headers ?? {} });
      this.on('close', (code) => closeCodes.push(code));
    }
  };
  const ws = createWSClient({
    url: wsUrl,
    WebSocket: WebSocketWithHeaders as unknown as typeof globalThis.WebSocket,
    retryDelayMs: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    ...(token ? { connectionParams: { token } } : {}),
  });
  const client: ApiClient = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return { client, ws, closeCodes, close: () => ws.close() };
}

/** A typed client over plain HTTP. */
export function httpClient(url: string, headers: Record<string, string> = {}): ApiClient {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers })] });
}

/** Signs a user up over HTTP as a program would (no Origin) and returns their token. */
export async function signUpOverHttp(url: string, username: string, password = 'correct horse battery') {
  const { user, token } = await httpClient(url).auth.signUp.mutate({ username, password });
  if (!token) throw new Error('signUp answered a program without a token');
  return { user, token };
}
