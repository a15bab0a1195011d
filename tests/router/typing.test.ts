import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '@parley/api/domain/streamActivity';
import type { ThreadEvent } from '@parley/api';
import { REDIS_URL } from '../helpers/redisPrefix.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

/** The next `count` events of a stream other than resync hints. */
async function nextEvents(stream: AsyncIterator<ActivityEvent>, count: number): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  while (events.length < count) {
    const { value, done } = await stream.next();
    if (done) break;
    if (value.type !== 'resync') events.push(value);
  }
  return events;
}

/** An activity stream that is listening: its first event (a resync) comes once it follows my threads. */
async function openActivity(caller: { thread: { onActivity(): Promise<AsyncIterable<ActivityEvent>> } }): Promise<AsyncIterator<ActivityEvent>> {
  const stream = (await caller.thread.onActivity())[Symbol.asyncIterator]();
  expect((await stream.next()).value).toEqual({ type: 'resync' });
  return stream;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

for (const backend of ['memory bus', 'Redis'] as const) {
  describe(`thread.typing (${backend})`, () => {
    let deps: TestDeps;
    beforeEach(async () => {
      deps = await createTestDeps(backend === 'Redis' ? { redisUrl: REDIS_URL } : {});
    });
    afterEach(async () => {
      await deps.close();
    });

    async function group() {
      const alice = await signedInCaller(deps, 'alice');
      const bob = await signedInCaller(deps, 'bob');
      const carol = await signedInCaller(deps, 'carol');
      const thread = await alice.thread.createGroup({ usernames: ['bob', 'carol'] });
      return { alice, bob, carol, thread };
    }

    it('reaches the other members but not the sender', async () => {
      const { alice, bob, carol, thread } = await group();
      const [aliceSees, bobSees, carolSees] = await Promise.all([alice, bob, carol].map(openActivity));
      await settle(); // Redis acknowledges the SUBSCRIBEs
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
      const typing = { type: 'typing', threadId: thread.id, userId: alice.user.id, username: 'alice' };
      expect(await nextEvents(bobSees!, 1)).toEqual([typing]);
      expect(await nextEvents(carolSees!, 1)).toEqual([typing]);
      // Alice's own stream skips her notice: the next thing she sees is Bob's message.
      await bob.message.send({ threadId: thread.id, body: 'after the typing' });
      expect(await nextEvents(aliceSees!, 1)).toMatchObject([{ type: 'message', message: { body: 'after the typing' } }]);
      for (const stream of [aliceSees, bobSees, carolSees]) await stream!.return?.();
    });

    it('drops, without an error, more than one notice per user and thread every 2 s', async () => {
      const { alice, bob, thread } = await group();
      const direct = await alice.thread.getOrCreate({ username: 'bob' });
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: false });
      expect(await alice.thread.typing({ threadId: direct.id })).toEqual({ isSent: true });
      expect(await bob.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
    });

    it('goes out again at once after the typer sends a message, which cleared their indicator', async () => {
      const { alice, thread } = await group();
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
      await alice.message.send({ threadId: thread.id, body: 'first part' });
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: false });
    });

    it('refuses a non-member and an unknown thread alike with NOT_FOUND, storing nothing', async () => {
      const { thread } = await group();
      const mallory = await signedInCaller(deps, 'mallory');
      expect(await codeOf(mallory.thread.typing({ threadId: thread.id }))).toBe('NOT_FOUND');
      expect(await codeOf(mallory.thread.typing({ threadId: 'no-such-thread' }))).toBe('NOT_FOUND');
      expect(await codeOf(mallory.thread.typing({ threadId: 'not an id!' }))).toBe('BAD_REQUEST');
      expect(await deps.db.message.count()).toBe(0);
    });

    it('is ignored by thread.onMessage, which yields only stored messages', async () => {
      const { alice, bob, thread } = await group();
      const messages = (await bob.thread.onMessage({ threadId: thread.id }))[Symbol.asyncIterator]();
      const first = messages.next(); // starts the stream, which then waits on the bus
      await settle();
      expect(await alice.thread.typing({ threadId: thread.id })).toEqual({ isSent: true });
      await alice.message.send({ threadId: thread.id, body: 'stored' });
      const { value } = await first;
      expect((value as unknown as [string, ThreadEvent])[1]).toMatchObject({ kind: 'message', seq: 1, message: { body: 'stored' } });
      await messages.return?.();
    });
  });
}
