import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { METRICS_TOKEN, refusalsByReason } from './securityScrape.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN } });
});
afterAll(async () => {
  await server.close();
});

describe('subscriptions over plain HTTP', () => {
  it('refuses an SSE subscription with a valid bearer token with 405, and leaves no stream open', async () => {
    const alice = await signUpOverHttp(server.url, 'sse-alice');
    await signUpOverHttp(server.url, 'sse-bob');
    const aliceWs = wsClient(server.wsUrl, alice.token);
    const thread = await aliceWs.client.thread.getOrCreate.mutate({ username: 'sse-bob' });
    await aliceWs.close();

    const input = encodeURIComponent(JSON.stringify({ threadId: thread.id }));
    const res = await fetch(`${server.url}/trpc/thread.onMessage?input=${input}`, {
      headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toContain('application/json');
    // The body ends: nothing streams.
    const body = JSON.parse(await res.text()) as { error: { message: string; data: { code: string; path: string } } };
    expect(body.error.data).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', path: 'thread.onMessage' });
    expect(body.error.message).toMatch(/WebSocket/);
    expect(server.parley.deps.metrics.liveSubscriptions).toBeDefined();
    const live = (await server.parley.deps.metrics.liveSubscriptions.get()).values[0]?.value ?? 0;
    expect(live).toBe(0);
    expect((await refusalsByReason(`${server.url}/metrics`, METRICS_TOKEN)).http_subscription).toBe(1);
  });

  it('refuses the activity stream over HTTP too, signed in or not', async () => {
    const res = await fetch(`${server.url}/trpc/thread.onActivity`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(405);
    await res.text();
  });

  it('still serves queries and mutations over HTTP', async () => {
    const res = await fetch(`${server.url}/trpc/auth.me`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { data: null } });
  });
});
