import type { ServerOptions } from 'node:http';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * Deadlines against slow clients (slowloris: headers or a body trickled in to hold a connection). A
 * WebSocket upgrade needs only its headers in time; after the upgrade these deadlines no longer apply.
 */
export function httpServerOptions(timeouts: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node only checks the two deadlines above on this interval, so it bounds how late they are enforced.
    connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
  };
}
