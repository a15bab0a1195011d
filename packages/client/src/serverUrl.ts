const TRPC_PATH = '/trpc';

/**
 * The tRPC HTTP endpoint for a server given as a base URL (`https://chat.example.com`) or as its
 * WebSocket endpoint (`wss://chat.example.com/trpc`).
 */
export function toHttpUrl(serverUrl: string): string {
  const url = parseServerUrl(serverUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  return withTrpcPath(url);
}

/** The WebSocket endpoint for the same inputs: ws:// for http, wss:// for https. */
export function toSocketUrl(serverUrl: string): string {
  const url = parseServerUrl(serverUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return withTrpcPath(url);
}

/** In a browser the page's own origin (so an https page gets wss://); elsewhere there is no default. */
export function defaultServerUrl(): string {
  const origin = globalThis.location?.origin;
  if (!origin || origin === 'null') {
    throw new Error('Pass the server url (for example http://localhost:3000): there is no page origin to default to');
  }
  return origin;
}

function parseServerUrl(serverUrl: string): URL {
  const url = new URL(serverUrl);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new Error(`Parley server urls are http(s):// or ws(s)://, not ${url.protocol}`);
  }
  url.search = '';
  url.hash = '';
  return url;
}

function withTrpcPath(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(TRPC_PATH) ? path : `${path}${TRPC_PATH}`;
  return url.toString();
}
