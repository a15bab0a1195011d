import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnServer, type ServerProcess } from '../helpers/serverProcess.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { METRICS_TOKEN, refusalsByReason } from './securityScrape.ts';

const MAX_PER_ADDRESS = 5;
const AUTH_TIMEOUT_MS = 1500;
let server: ServerProcess;
const dir = makeTempDir();
beforeAll(async () => {
  server = await spawnServer({
    DATABASE_URL: `file:${dir.path}/parley.db`,
    MAX_SOCKETS_PER_ADDRESS: String(MAX_PER_ADDRESS),
    WS_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    METRICS_TOKEN,
  });
}, 60_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  dir.remove();
});

/** An unauthenticated socket: resolves once open, or with the HTTP status that refused the upgrade. */
function openAnonymous(): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl);
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('anonymous sockets from one address', () => {
  it('refuses sockets past MAX_SOCKETS_PER_ADDRESS with 429 at the upgrade, and admits again once one closes', async () => {
    const opened = await Promise.all(Array.from({ length: MAX_PER_ADDRESS }, () => openAnonymous()));
    const sockets = opened.map((o) => ('socket' in o ? o.socket : null));
    expect(sockets.every(Boolean)).toBe(true);
    expect(await openAnonymous()).toEqual({ status: 429 });

    const first = sockets[0]!;
    const closed = closeOf(first);
    first.close();
    await closed;
    await expect
      .poll(async () => {
        const next = await openAnonymous();
        if ('socket' in next) next.socket.close();
        return 'socket' in next;
      })
      .toBe(true);
    for (const socket of sockets.slice(1)) socket!.close();
    expect((await refusalsByReason(`${server.url}/metrics`, METRICS_TOKEN)).sockets_per_address).toBeGreaterThanOrEqual(1);
    expect(server.logs.some((line) => line.includes('"reason":"sockets_per_address"') && line.includes('"address":"127.0.0.1"'))).toBe(true);
  });

  it('closes a socket that does not authenticate in time with 4401, and keeps an authenticated one', async () => {
    const opened = await openAnonymous();
    if (!('socket' in opened)) throw new Error(`upgrade refused with ${opened.status}`);
    const startedAt = Date.now();
    const { code } = await closeOf(opened.socket);
    expect(code).toBe(4401);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 100);

    const user = await signUpOverHttp(server.url, 'patient');
    const authed = wsClient(server.wsUrl, user.token);
    try {
      expect((await authed.client.auth.me.query())?.username).toBe('patient');
      await new Promise((r) => setTimeout(r, AUTH_TIMEOUT_MS + 500));
      expect(authed.closeCodes).toEqual([]);
      expect((await authed.client.auth.me.query())?.username).toBe('patient');
    } finally {
      await authed.close();
    }
    expect((await refusalsByReason(`${server.url}/metrics`, METRICS_TOKEN)).socket_auth_timeout).toBeGreaterThanOrEqual(1);
  });

  it('drops a client that trickles its request headers in (slowloris)', async () => {
    const { port } = new URL(server.url);
    const tcp = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => tcp.once('connect', () => resolve()));
    const startedAt = Date.now();
    const ended = new Promise<number>((resolve) => tcp.once('close', () => resolve(Date.now() - startedAt)));
    tcp.on('error', () => undefined);
    tcp.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => tcp.write('X-Slow: 1\r\n'), 200);
    try {
      expect(await ended).toBeLessThan(8000);
    } finally {
      clearInterval(drip);
      tcp.destroy();
    }
    // Still serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
