import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEvent, EventBus, MessageView, ThreadEvent } from '@parley/api';
import { messageEvent } from '@parley/api/domain/threadEvent';
import { createSubscriptionQueue, type SubscriptionQueue } from '@parley/api/bus/subscriptionQueue';
import { codeOf } from '../helpers/trpcErrors.ts';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

let deps: TestDeps;
beforeEach(async () => {
  deps = await createTestDeps();
});
afterEach(async () => {
  await deps.close();
});

/** A bus the test drives by hand: it delivers exactly what the test pushes, in that order. */
function scriptedBus(): EventBus & { push(event: BusEvent): void } {
  const queues = new Set<SubscriptionQueue>();
  return {
    push: (event) => queues.forEach((q) => q.push(event)),
    async publish() {},
    async publishRead() {},
    async publishThreadAdded() {},
    async publishTyping() {},
    async publishPresence() {},
    subscribe(_threadId, { signal }) {
      return this.subscribeTopics([], { signal });
    },
    subscribeTopics(_topics, { signal }) {
      const queue = createSubscriptionQueue({ signal, maxQueued: 100, onClose: (q) => queues.delete(q) });
      queues.add(queue);
      return Object.assign(queue, { add: () => {} });
    },
    async publishSessionsEnded() {},
    onSessionsEnded: () => () => {},
    isHealthy: async () => true,
    close: async () => {},
  };
}

async function setUp() {
  const alice = await signedInCaller(deps, 'alice');
  const bob = await signedInCaller(deps, 'bob');
  const thread = await alice.thread.getOrCreate({ username: 'bob' });
  return { alice, bob, thread };
}

/** Reads `count` events from a subscription, then stops it. */
async function take(iterable: AsyncIterable<unknown>, count: number): Promise<MessageView[]> {
  const out: MessageView[] = [];
  if (count === 0) return out;
  for await (const envelope of iterable) {
    const [id, event] = envelope as [string, ThreadEvent];
    expect(id).toBe(String(event.seq));
    if (event.kind !== 'message') throw new Error(`expected only messages, got a ${event.kind} event`);
    out.push(event.message);
    if (out.length === count) break;
  }
  return out;
}

describe('thread.onMessage', () => {
  it('yields the stored messages after lastEventId, then live ones', async () => {
    const { alice, bob, thread } = await setUp();
    for (const body of ['1', '2', '3']) await alice.message.send({ threadId: thread.id, body });
    const stream = await bob.thread.onMessage({ threadId: thread.id, lastEventId: '1' });
    const reading = take(stream, 3);
    await new Promise((r) => setTimeout(r, 50));
    await alice.message.send({ threadId: thread.id, body: '4' });
    expect((await reading).map((m) => m.body)).toEqual(['2', '3', '4']);
  });

  it('without lastEventId yields only what is sent from now on', async () => {
    const { alice, bob, thread } = await setUp();
    await alice.message.send({ threadId: thread.id, body: 'old' });
    const stream = await bob.thread.onMessage({ threadId: thread.id });
    const reading = take(stream, 1);
    await new Promise((r) => setTimeout(r, 50));
    await alice.message.send({ threadId: thread.id, body: 'new' });
    expect((await reading).map((m) => m.body)).toEqual(['new']);
  });

  it('fills a gap on the bus from the database and drops duplicates', async () => {
    const bus = scriptedBus();
    deps.bus = bus;
    const { alice, bob, thread } = await setUp();
    const sent: MessageView[] = [];
    for (const body of ['a', 'b', 'c', 'd']) sent.push(await alice.message.send({ threadId: thread.id, body }));
    const stream = await bob.thread.onMessage({ threadId: thread.id, lastEventId: '1' });
    const reading = take(stream, 4);
    await new Promise((r) => setTimeout(r, 50)); // backlog 2..4 read
    const e = await alice.message.send({ threadId: thread.id, body: 'e' }); // stored, bus delivers nothing
    const f = await alice.message.send({ threadId: thread.id, body: 'f' });
    bus.push({ type: 'event', event: messageEvent(sent[2]!) }); // duplicate of the backlog
    bus.push({ type: 'event', event: messageEvent(f) }); // seq 6 while 5 was expected: a gap
    bus.push({ type: 'event', event: messageEvent(e) }); // late duplicate
    expect((await reading).map((m) => m.seq)).toEqual([2, 3, 4, 5]);
    const more = await bob.thread.onMessage({ threadId: thread.id, lastEventId: '4' });
    expect((await take(more, 2)).map((m) => m.body)).toEqual(['e', 'f']);
  });

  it('re-reads the database when the bus says it may have dropped messages', async () => {
    const bus = scriptedBus();
    deps.bus = bus;
    const { alice, bob, thread } = await setUp();
    const stream = await bob.thread.onMessage({ threadId: thread.id, lastEventId: '0' });
    const reading = take(stream, 2);
    await new Promise((r) => setTimeout(r, 50));
    await alice.message.send({ threadId: thread.id, body: 'x' });
    await alice.message.send({ threadId: thread.id, body: 'y' });
    bus.push({ type: 'resync' });
    expect((await reading).map((m) => m.body)).toEqual(['x', 'y']);
  });

  it('refuses a non-member with NOT_FOUND and a malformed lastEventId with BAD_REQUEST', async () => {
    const { thread, bob } = await setUp();
    const mallory = await signedInCaller(deps, 'mallory');
    expect(await codeOf(mallory.thread.onMessage({ threadId: thread.id }).then((s) => take(s, 1)))).toBe('NOT_FOUND');
    expect(await codeOf(bob.thread.onMessage({ threadId: thread.id, lastEventId: 'abc' }))).toBe('BAD_REQUEST');
  });
});
