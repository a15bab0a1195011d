import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '@parley/api/domain/streamActivity';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

let deps: TestDeps;
beforeEach(async () => {
  deps = await createTestDeps();
});
afterEach(async () => {
  await deps.close();
});

/** Collects a stream's events (resync hints aside) until `count` arrived. */
async function collect(stream: AsyncIterable<ActivityEvent>, count: number): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for await (const event of stream) {
    if (event.type !== 'resync') events.push(event);
    if (events.length === count) break;
  }
  return events;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('thread.onActivity', () => {
  it('announces a thread someone starts with me, then its messages, and messages of threads I already had', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const carol = await signedInCaller(deps, 'carol');
    const withCarol = await bob.thread.getOrCreate({ username: 'carol' });

    const reading = collect(await bob.thread.onActivity(), 3);
    await settle();
    const withAlice = await alice.thread.getOrCreate({ username: 'bob' });
    await settle();
    await alice.message.send({ threadId: withAlice.id, body: 'hello bob' });
    await carol.message.send({ threadId: withCarol.id, body: 'hi from carol' });

    const events = await reading;
    expect(events[0]).toMatchObject({ type: 'thread', thread: { id: withAlice.id, unreadCount: 0, lastMessage: null } });
    expect(events.slice(1)).toEqual([
      { type: 'message', message: expect.objectContaining({ threadId: withAlice.id, body: 'hello bob' }) },
      { type: 'message', message: expect.objectContaining({ threadId: withCarol.id, body: 'hi from carol' }) },
    ]);
  });

  it('announces a new group to every member', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const carol = await signedInCaller(deps, 'carol');
    const bobReading = collect(await bob.thread.onActivity(), 1);
    const carolReading = collect(await carol.thread.onActivity(), 1);
    await settle();
    const group = await alice.thread.createGroup({ usernames: ['bob', 'carol'], title: 'Plans' });
    for (const events of [await bobReading, await carolReading]) {
      expect(events).toEqual([{ type: 'thread', thread: expect.objectContaining({ id: group.id, title: 'Plans' }) }]);
    }
  });

  it('does not tell me about threads I am not in', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const mallory = await signedInCaller(deps, 'mallory');
    const malloryReading = collect(await mallory.thread.onActivity(), 1);
    await settle();
    const thread = await alice.thread.getOrCreate({ username: 'bob' });
    await bob.message.send({ threadId: thread.id, body: 'private' });
    const own = await mallory.thread.getOrCreate({ username: 'alice' });
    expect(await malloryReading).toEqual([{ type: 'thread', thread: expect.objectContaining({ id: own.id }) }]);
  });
});
