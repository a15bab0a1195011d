import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageView } from '@parley/api';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { REDIS_URL, uniqueRedisPrefix } from '../helpers/redisPrefix.ts';
import { spawnServer, type ServerProcess } from '../helpers/serverProcess.ts';
import { httpClient, signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  database = await createTestPostgresDatabase();
  const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: uniqueRedisPrefix(), SEND_RATE_PER_SECOND: '10000' };
  // Both start at once, so both try to migrate the fresh database: the lock makes that safe.
  servers = await Promise.all([spawnServer(env), spawnServer(env)]);
}, 60_000);

afterAll(async () => {
  // Server-side errors explain a failure here; they are printed rather than lost with the processes.
  for (const server of servers) {
    const errors = server.logs.filter((line) => line.includes('"level":50'));
    if (errors.length) console.error(errors.join('\n'));
  }
  await Promise.all(servers.map((s) => s.stop()));
  await database?.drop();
});

describe('two server processes on PostgreSQL and Redis', () => {
  it('a subscriber on one process gets every message sent through the other, in order, once', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const alice = await signUpOverHttp(one.url, 'alice');
    const bob = await signUpOverHttp(two.url, 'bob');
    const aliceWs = wsClient(one.wsUrl, alice.token);
    const bobWs = wsClient(two.wsUrl, bob.token);
    const thread = await aliceWs.client.thread.getOrCreate.mutate({ username: 'bob' });

    const received: MessageView[] = [];
    await new Promise<void>((resolve) => {
      bobWs.client.thread.onMessage.subscribe({ threadId: thread.id }, { onStarted: () => resolve(), onData: (e) => received.push(e.data) });
    });
    // Alice and a second client of Bob's on process one send concurrently, so seqs interleave across senders.
    const bobOnOne = wsClient(one.wsUrl, bob.token);
    await Promise.all(
      Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? bobOnOne : aliceWs).client.message.send.mutate({ threadId: thread.id, body: `m${i}` })),
    );
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(150), { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(new Set(received.map((m) => m.body)).size).toBe(150);

    for (const server of servers) {
      const res = await fetch(`${server.url}/readyz`);
      expect(await res.json()).toMatchObject({ ready: true, database: true, redis: true });
    }
    await aliceWs.close();
    await bobWs.close();
    await bobOnOne.close();
  });

  it("logging out through one process closes that session's sockets on the other", async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const carol = await signUpOverHttp(one.url, 'carol');
    const carolOnTwo = wsClient(two.wsUrl, carol.token);
    expect(await carolOnTwo.client.auth.me.query()).toEqual(carol.user);
    await httpClient(one.url, { authorization: `Bearer ${carol.token}` }).auth.logOut.mutate();
    await vi.waitFor(() => expect(carolOnTwo.closeCodes).toContain(4401));
    await carolOnTwo.close();
  });
});
