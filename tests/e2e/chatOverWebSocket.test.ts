import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageView } from '@parley/api';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { httpClient, signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

let server: TestServer;
beforeAll(async () => {
  // These tests send as fast as a program can; the per-user send limit has its own tests.
  server = await startTestServer({ env: { SEND_RATE_PER_SECOND: '10000' } });
});
afterAll(async () => {
  await server.close();
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Subscribes and records every event, resolving once the server confirmed the subscription. */
async function record(client: ReturnType<typeof wsClient>['client'], threadId: string, lastEventId?: string) {
  const events: { id: string; data: MessageView }[] = [];
  const errors: unknown[] = [];
  let starts = 0;
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => (resolveStarted = r));
  const subscription = client.thread.onMessage.subscribe(
    { threadId, ...(lastEventId ? { lastEventId } : {}) },
    {
      onStarted: () => {
        starts++;
        resolveStarted();
      },
      onData: (event) => void (event.data.kind === 'message' && events.push({ id: event.id, data: event.data.message })),
      onError: (error) => errors.push(error),
    },
  );
  await started;
  return { events, errors, starts: () => starts, unsubscribe: () => subscription.unsubscribe() };
}

async function pair(prefix: string) {
  const alice = await signUpOverHttp(server.url, `${prefix}-alice`);
  const bob = await signUpOverHttp(server.url, `${prefix}-bob`);
  const aliceWs = wsClient(server.wsUrl, alice.token);
  const thread = await aliceWs.client.thread.getOrCreate.mutate({ username: bob.user.username });
  return { alice, bob, aliceWs, thread };
}

describe('chat over one WebSocket', () => {
  it('delivers 200 concurrent messages once each in seq order, and after a cut exactly the 50 sent meanwhile', async () => {
    const { bob, aliceWs, thread } = await pair('e2e');
    const socketsBefore = new Set(server.parley.wss.clients);
    const bobWs = wsClient(server.wsUrl, bob.token);
    const feed = await record(bobWs.client, thread.id);
    const bobSocket = [...server.parley.wss.clients].find((socket) => !socketsBefore.has(socket));

    await Promise.all(range(1, 200).map((i) => aliceWs.client.message.send.mutate({ threadId: thread.id, body: `m${i}` })));
    await vi.waitFor(() => expect(feed.events.length).toBeGreaterThanOrEqual(200), { timeout: 10_000 });
    expect(feed.events.map((e) => e.data.seq)).toEqual(range(1, 200));
    expect(feed.events.every((e) => e.id === String(e.data.seq))).toBe(true);

    bobSocket!.terminate();
    await Promise.all(range(201, 250).map((i) => aliceWs.client.message.send.mutate({ threadId: thread.id, body: `m${i}` })));
    await vi.waitFor(() => expect(feed.events.length).toBeGreaterThanOrEqual(250), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200)); // room for a duplicate to show up, were there one
    expect(feed.events.map((e) => e.data.seq)).toEqual(range(1, 250));
    expect(feed.starts()).toBe(2); // it did reconnect and resubscribe, by itself
    expect(feed.errors).toEqual([]);
    await aliceWs.close();
    await bobWs.close();
  });

  it('resumes from lastEventId with the stored messages after it, then live ones', async () => {
    const { bob, aliceWs, thread } = await pair('resume');
    for (const i of range(1, 5)) await aliceWs.client.message.send.mutate({ threadId: thread.id, body: `m${i}` });
    const bobWs = wsClient(server.wsUrl, bob.token);
    const feed = await record(bobWs.client, thread.id, '2');
    await aliceWs.client.message.send.mutate({ threadId: thread.id, body: 'live' });
    await vi.waitFor(() => expect(feed.events.map((e) => e.data.seq)).toEqual([3, 4, 5, 6]));
    expect(feed.events.at(-1)?.data.body).toBe('live');
    await aliceWs.close();
    await bobWs.close();
  });

  it('refuses a non-member subscription with NOT_FOUND', async () => {
    const { aliceWs, thread } = await pair('nonmember');
    const mallory = await signUpOverHttp(server.url, 'nonmember-mallory');
    const malloryWs = wsClient(server.wsUrl, mallory.token);
    const error = await new Promise<unknown>((resolve) => {
      malloryWs.client.thread.onMessage.subscribe({ threadId: thread.id }, { onData: () => resolve('got data'), onError: resolve });
    });
    expect(error).toMatchObject({ data: { code: 'NOT_FOUND' } });
    await aliceWs.close();
    await malloryWs.close();
  });

  it('closes the sockets of a session that logs out, so it stops receiving messages', async () => {
    const { bob, aliceWs, thread } = await pair('logout');
    const bobWs = wsClient(server.wsUrl, bob.token);
    const feed = await record(bobWs.client, thread.id);
    await aliceWs.client.message.send.mutate({ threadId: thread.id, body: 'before' });
    await vi.waitFor(() => expect(feed.events).toHaveLength(1));

    await httpClient(server.url, { authorization: `Bearer ${bob.token}` }).auth.logOut.mutate();
    await aliceWs.client.message.send.mutate({ threadId: thread.id, body: 'after' });
    await new Promise((r) => setTimeout(r, 500));
    expect(feed.events.map((e) => e.data.body)).toEqual(['before']);
    await aliceWs.close();
    await bobWs.close();
  });
});

describe('the WebSocket upgrade', () => {
  function upgrade(headers: Record<string, string>): Promise<{ status: number } | { open: WebSocket }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(server.wsUrl, { headers });
      socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      socket.once('open', () => resolve({ open: socket }));
      socket.once('error', (error) => {
        if (!String(error.message).includes('Unexpected server response')) reject(error);
      });
    });
  }

  it('refuses a browser Origin that is not allowed with 403', async () => {
    expect(await upgrade({ origin: 'https://evil.example' })).toEqual({ status: 403 });
  });

  it('refuses an allowed Origin with an invalid session cookie with 401', async () => {
    expect(await upgrade({ origin: server.url, cookie: 'parley_session=abc.def' })).toEqual({ status: 401 });
  });

  it('authenticates a browser by its session cookie when the Origin is allowed', async () => {
    const carol = await signUpOverHttp(server.url, 'cookie-carol');
    const ws = wsClient(server.wsUrl, undefined, { headers: { origin: server.url, cookie: `parley_session=${carol.token}` } });
    expect(await ws.client.auth.me.query()).toEqual(carol.user);
    await ws.close();
  });

  it('ignores a session cookie sent without an Origin (not a browser): it must use a token', async () => {
    const dave = await signUpOverHttp(server.url, 'cookie-dave');
    const ws = wsClient(server.wsUrl, undefined, { headers: { cookie: `parley_session=${dave.token}` } });
    expect(await ws.client.auth.me.query()).toBeNull();
    await ws.close();
  });

  it('closes a socket whose connectionParams token is invalid, with code 4401 and a reason', async () => {
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
      socket.once('open', () => socket.send(JSON.stringify({ method: 'connectionParams', data: { token: 'bad.token' } })));
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(await closed).toEqual({ code: 4401, reason: 'Invalid or expired session token' });
  });
});

describe('health', () => {
  it('GET /healthz says the process is up, and nothing more', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('sessions ended elsewhere', () => {
  it("closes the sockets of a session deleted behind the server's back at the next sweep", async () => {
    const swept = await startTestServer({ env: { SESSION_SWEEP_MS: '100' } });
    try {
      const erin = await signUpOverHttp(swept.url, 'sweep-erin');
      const erinWs = wsClient(swept.wsUrl, erin.token);
      expect(await erinWs.client.auth.me.query()).toEqual(erin.user);
      await swept.parley.deps.db.session.deleteMany({ where: { userId: erin.user.id } });
      await vi.waitFor(() => expect(erinWs.closeCodes).toContain(4401));
      await erinWs.close();
    } finally {
      await swept.close();
    }
  });
});
