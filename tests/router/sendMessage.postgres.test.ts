import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '@parley/api';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '@parley/api/limits/rateLimits';

// The send path is plain SQL per provider (db/postgresHotPath.ts); these pin its PostgreSQL side.
describe('message.send on PostgreSQL', () => {
  let deps: TestDeps;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestPostgresDatabase();
    drop = database.drop;
    deps = await createTestDeps({ databaseUrl: database.url });
    deps.rateLimits = createRateLimits({ ...DEFAULT_RATE_LIMITS, sendPerSecond: 100_000, sendBurst: 0 });
  });
  afterAll(async () => {
    await deps.close();
    await drop();
  });

  it('gives concurrent sends across threads gapless seqs per thread and keeps the read markers', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const others = await Promise.all(['bob', 'carol', 'dave'].map((name) => signedInCaller(deps, name)));
    const threads = await Promise.all(others.map((o) => alice.thread.getOrCreate({ username: o.user.username })));
    const sent = await Promise.all(
      Array.from({ length: 90 }, (_, i) => alice.message.send({ threadId: threads[i % 3]!.id, body: `m${i}`, clientId: `c${i}` })),
    );
    for (const thread of threads) {
      const seqs = sent
        .filter((m) => m.threadId === thread.id)
        .map((m) => m.seq)
        .sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const page = await alice.message.list({ threadId: thread.id, limit: 100 });
      expect(page.messages.map((m) => m.seq)).toEqual(seqs);
    }
    expect((await alice.thread.list()).every((t) => t.unreadCount === 0 && t.lastMessage?.seq === 30)).toBe(true);
    expect((await others[0]!.thread.list())[0]?.unreadCount).toBe(30);
  });

  it('stores one message for a clientId raced by its own retries, without a hole in seq', async () => {
    const erin = await signedInCaller(deps, 'erin');
    await signedInCaller(deps, 'frank');
    const thread = await erin.thread.getOrCreate({ username: 'frank' });
    const racing = await Promise.all(Array.from({ length: 6 }, () => erin.message.send({ threadId: thread.id, body: 'once', clientId: 'same' })));
    expect(new Set(racing.map((m) => m.id)).size).toBe(1);
    const next = await erin.message.send({ threadId: thread.id, body: 'next' });
    expect(next.seq).toBe(2);
  });

  it('catches a subscription up with exactly what message.list returns', async () => {
    const ivy = await signedInCaller(deps, 'ivy');
    const jack = await signedInCaller(deps, 'jack');
    const thread = await ivy.thread.getOrCreate({ username: 'jack' });
    for (const body of ['one', 'two', 'three']) await ivy.message.send({ threadId: thread.id, body });
    const stream = await jack.thread.onMessage({ threadId: thread.id, lastEventId: '0' });
    const caughtUp = [];
    for await (const [, event] of stream as AsyncIterable<[string, ThreadEvent]>) {
      if (event.kind === 'message') caughtUp.push(event.message);
      if (caughtUp.length === 3) break;
    }
    expect(caughtUp).toEqual((await jack.message.list({ threadId: thread.id })).messages);
  });

  it('refuses a non-member and an unknown thread, storing nothing', async () => {
    const gina = await signedInCaller(deps, 'gina');
    const henry = await signedInCaller(deps, 'henry');
    const thread = await gina.thread.getOrCreate({ username: 'alice' });
    expect(await codeOf(henry.message.send({ threadId: thread.id, body: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(henry.message.send({ threadId: 'no-such-thread', body: 'x' }))).toBe('NOT_FOUND');
    expect(await deps.db.message.count({ where: { threadId: thread.id } })).toBe(0);
  });
});
