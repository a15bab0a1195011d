import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

const METRICS_TOKEN = 'a-metrics-token-for-the-e2e-test';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN } });
});
afterAll(async () => {
  await server.close();
});

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.headers.get('content-type')).toContain('text/plain');
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^(parley_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

describe('GET /metrics', () => {
  it('counts sockets, subscriptions, messages sent and delivered, and delivery latency', async () => {
    const alice = await signUpOverHttp(server.url, 'alice');
    const bob = await signUpOverHttp(server.url, 'bob');
    const aliceWs = wsClient(server.wsUrl, alice.token);
    const bobWs = wsClient(server.wsUrl, bob.token);
    const thread = await aliceWs.client.thread.getOrCreate.mutate({ username: 'bob' });
    let received = 0;
    await new Promise<void>((resolve) => {
      bobWs.client.thread.onMessage.subscribe({ threadId: thread.id }, { onStarted: () => resolve(), onData: () => received++ });
    });
    for (const body of ['one', 'two', 'three']) await aliceWs.client.message.send.mutate({ threadId: thread.id, body });
    await vi.waitFor(() => expect(received).toBe(3));

    const metrics = await scrape();
    expect(metrics.get('parley_open_sockets')).toBe(2);
    expect(metrics.get('parley_live_subscriptions')).toBe(1);
    expect(metrics.get('parley_messages_sent_total')).toBe(3);
    expect(metrics.get('parley_messages_delivered_total')).toBe(3);
    expect(metrics.get('parley_delivery_latency_seconds_count')).toBe(3);
    expect(metrics.get('parley_process_resident_memory_bytes')).toBeGreaterThan(0);

    await bobWs.close();
    await aliceWs.close();
    await vi.waitFor(async () => expect((await scrape()).get('parley_live_subscriptions')).toBe(0));
  });
});
