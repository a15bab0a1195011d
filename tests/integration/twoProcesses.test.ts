import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageView, ThreadEvent } from '@parley/api';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { REDIS_URL, uniqueRedisPrefix } from '../helpers/redisPrefix.ts';
import { spawnServer, stopServers, type ServerProcess } from '../helpers/serverProcess.ts';
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
  await stopServers(servers);
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
      bobWs.client.thread.onMessage.subscribe(
        { threadId: thread.id },
        { onStarted: () => resolve(), onData: (e) => void (e.data.kind === 'message' && received.push(e.data.message)) },
      );
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

  it('an edit, a delete and a reaction on one process reach a live subscriber on the other, and one that was away gets them on resume, once, in order', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const dana = await signUpOverHttp(one.url, 'dana');
    const eli = await signUpOverHttp(two.url, 'eli');
    const danaWs = wsClient(one.wsUrl, dana.token);
    const eliWs = wsClient(two.wsUrl, eli.token);
    const thread = await danaWs.client.thread.getOrCreate.mutate({ username: 'eli' });
    const subscribe = (client: typeof eliWs.client, lastEventId: string, into: ThreadEvent[]) =>
      new Promise<{ unsubscribe(): void }>((resolve) => {
        const subscription = client.thread.onMessage.subscribe(
          { threadId: thread.id, lastEventId },
          { onStarted: () => resolve(subscription), onData: ({ id, data }) => void (expect(id).toBe(String(data.seq)), into.push(data)) },
        );
      });
    const live: ThreadEvent[] = [];
    const away: ThreadEvent[] = [];
    await subscribe(eliWs.client, '0', live);
    const awayWs = wsClient(two.wsUrl, eli.token);
    const leaving = await subscribe(awayWs.client, '0', away);

    const first = await danaWs.client.message.send.mutate({ threadId: thread.id, body: 'draft' });
    const second = await danaWs.client.message.send.mutate({ threadId: thread.id, body: 'keep' });
    await vi.waitFor(() => expect(away.map((e) => e.seq)).toEqual([1, 2]));
    leaving.unsubscribe();
    await awayWs.close(); // away while the changes happen

    await danaWs.client.message.edit.mutate({ messageId: first.id, body: 'final' });
    await danaWs.client.message.react.mutate({ messageId: second.id, emoji: '🙌', on: true });
    await danaWs.client.message.delete.mutate({ messageId: first.id });
    const expected = [
      { seq: 3, kind: 'edit', messageId: first.id, body: 'final' },
      { seq: 4, kind: 'reaction', messageId: second.id, emoji: '🙌', on: true },
      { seq: 5, kind: 'delete', messageId: first.id },
    ];
    await vi.waitFor(() => expect(live.length).toBe(5), { timeout: 10_000 });
    expect(live.slice(2)).toMatchObject(expected);
    expect(live.slice(2).every((e) => e.actor.id === dana.user.id)).toBe(true);

    const backWs = wsClient(two.wsUrl, eli.token);
    const resumed: ThreadEvent[] = [];
    await subscribe(backWs.client, String(away.at(-1)!.seq), resumed);
    await vi.waitFor(() => expect(resumed.length).toBe(3), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200)); // nothing more, nothing twice
    // On resume the edit's text is gone: the message was deleted afterwards, and deleting forgets every version.
    expect(resumed).toMatchObject([{ ...expected[0], body: null }, expected[1], expected[2]]);
    expect(live).toHaveLength(5);
    await Promise.all([danaWs.close(), eliWs.close(), backWs.close()]);
  });
});
