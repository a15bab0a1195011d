import type { IncomingMessage } from 'node:http';
import type { ApiConfig } from '../deps.ts';

/**
 * The caller's address, for per-address limits and logs; the one definition for HTTP, WebSocket and
 * the upgrade. Without TRUST_PROXY it is the socket's peer and X-Forwarded-For is ignored. Behind
 * trusted proxies it is the right-most hop that none of them added: each proxy appends the address it
 * saw, and everything left of that was written by the client, so the left-most entry is whatever an
 * attacker wants it to be.
 */
export function clientAddressOf(req: IncomingMessage, config: Pick<ApiConfig, 'trustProxy' | 'trustProxyHops'>): string {
  const peer = req.socket.remoteAddress || 'unknown';
  if (!config.trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  // The peer is the last proxy; the hops it and the proxies before it appended sit at the right.
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - config.trustProxyHops)] ?? peer;
}
