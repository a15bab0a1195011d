import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActivityEvent } from '@parley/api';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { deleteRedisKeys } from '../helpers/redisAdmin.ts';
import { REDIS_URL, uniqueRedisPrefix } from '../helpers/redisPrefix.ts';
import { spawnServer, type ServerProcess } from '../helpers/serverProcess.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
const prefix = uniqueRedisPrefix();
let one: ServerProcess;
let two: ServerProcess;
const clients: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  database = await createTestPostgresDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    MAX_SOCKETS_PER_USER: '2',
    PRESENCE_OFFLINE_GRACE_MS: '200',
  };
  [one, two] = (await Promise.all([spawnServer(env), spawnServer(env)])) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await Promise.all([one, two].map((s) => s?.stop()));
  await deleteRedisKeys(REDIS_URL, prefix);
  await database?.drop();
});

function connect(server: ServerProcess, token: string) {
  const client = wsClient(server.wsUrl, token);
  clients.push(client);
  return client;
}

/** Bob's activity stream on `server`, resolved once it follows his threads. */
async function activityOf(server: ServerProcess, token: string) {
  const events: ActivityEvent[] = [];
  const client = connect(server, token);
  await new Promise<void>((resolve) => {
    client.client.thread.onActivity.subscribe(undefined, {
      onData: (event) => {
        if (event.type === 'resync') resolve();
        else events.push(event);
      },
    });
  });
  return { client, events };
}

async function pair(tag: string) {
  const alice = await signUpOverHttp(one.url, `alice${tag}`);
  const bob = await signUpOverHttp(two.url, `bob${tag}`);
  const setup = connect(two, bob.token);
  const thread = await setup.client.thread.getOrCreate.mutate({ username: alice.user.username });
  return { alice, bob, thread };
}

describe('presence and typing across two server processes', () => {
  it('bob on one process sees alice come online on the other, and go offline when her last socket closes', async () => {
    const { alice, bob } = await pair('p');
    const bobSees = await activityOf(two, bob.token);
    const aliceOnOne = connect(one, alice.token);
    const aliceOnTwo = connect(two, alice.token);
    await Promise.all([aliceOnOne.client.auth.me.query(), aliceOnTwo.client.auth.me.query()]);

    const presenceEvents = () => bobSees.events.filter((e) => e.type === 'presence');
    await vi.waitFor(() => expect(presenceEvents()).toMatchObject([{ userId: alice.user.id, online: true }]));
    expect(await bobSees.client.client.user.presence.query({ userIds: [alice.user.id] })).toMatchObject([{ online: true }]);

    await aliceOnOne.close();
    await new Promise((r) => setTimeout(r, 500)); // past the offline grace: still online on process two
    expect(presenceEvents()).toHaveLength(1);
    await aliceOnTwo.close();
    await vi.waitFor(() => expect(presenceEvents().at(-1)).toMatchObject({ userId: alice.user.id, online: false }));
    const [seen] = await bobSees.client.client.user.presence.query({ userIds: [alice.user.id] });
    expect(seen).toMatchObject({ online: false, lastSeenAt: expect.any(String) });
  });

  it('typing on one process reaches the other member on the other process', async () => {
    const { alice, bob, thread } = await pair('t');
    const bobSees = await activityOf(two, bob.token);
    const aliceOnOne = connect(one, alice.token);
    expect(await aliceOnOne.client.thread.typing.mutate({ threadId: thread.id })).toEqual({ isSent: true });
    await vi.waitFor(() =>
      expect(bobSees.events.filter((e) => e.type === 'typing')).toEqual([
        { type: 'typing', threadId: thread.id, userId: alice.user.id, username: alice.user.username },
      ]),
    );
    // The throttle is shared too: a second notice through the other process within 2 s is dropped.
    expect(await connect(two, alice.token).client.thread.typing.mutate({ threadId: thread.id })).toEqual({ isSent: false });
  });

  it('holds the per-user socket limit across processes, closing the extra socket with 4429', async () => {
    const carol = await signUpOverHttp(one.url, 'carol');
    const open = [connect(one, carol.token), connect(two, carol.token)];
    for (const c of open) expect(await c.client.auth.me.query()).toEqual(carol.user);
    const third = connect(one, carol.token);
    void third.client.auth.me.query().catch(() => undefined);
    await vi.waitFor(() => expect(third.closeCodes).toContain(4429));
    await third.close();

    // A closed socket frees its place in the cluster-wide count.
    await open[1]!.close();
    const again = connect(two, carol.token);
    await vi.waitFor(async () => expect(await again.client.auth.me.query()).toEqual(carol.user), { timeout: 5000 });
  });
});
