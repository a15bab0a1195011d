import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ChannelRefCounts } from './channelRefCounts.ts';
import type { BusEvent } from './eventBus.ts';
import { createSubscriptionQueue, type SubscriptionQueue } from './subscriptionQueue.ts';

const logger = pino({ level: 'silent' });

/** A subscriber connection whose SUBSCRIBE replies the test gives, in order. */
function fakeSubscriber() {
  const calls: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  return {
    calls,
    subscribe: (...names: string[]) => {
      calls.push(`SUBSCRIBE ${names.join(' ')}`);
      return new Promise<number>((resolve, reject) => pending.push({ resolve: () => resolve(names.length), reject }));
    },
    unsubscribe: async (...names: string[]) => {
      calls.push(`UNSUBSCRIBE ${names.join(' ')}`);
      return 0;
    },
    /** Answers the oldest SUBSCRIBE not answered yet and lets its handlers run. */
    async acknowledge(err?: Error) {
      const next = pending.shift();
      if (!next) throw new Error('no SUBSCRIBE is waiting');
      if (err) next.reject(err);
      else next.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function setUp() {
  const subscriber = fakeSubscriber();
  const channels = new ChannelRefCounts(subscriber, logger);
  return { subscriber, channels };
}

/** A queue read by a background consumer; `events` is what it has received so far. */
function queue(): SubscriptionQueue & { events: BusEvent[] } {
  const q = Object.assign(createSubscriptionQueue({ signal: new AbortController().signal, maxQueued: 10 }), { events: [] as BusEvent[] });
  void (async () => {
    for await (const event of q) q.events.push(event);
  })();
  return q;
}

describe('channel ref-counting', () => {
  it('subscribes a channel once however many queues it has, all of a call in one SUBSCRIBE', () => {
    const { subscriber, channels } = setUp();
    channels.acquire(['c1', 'c2'], queue());
    channels.acquire(['c1'], queue());
    channels.acquire(['c2', 'c3'], queue());
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1 c2', 'SUBSCRIBE c3']);
    expect(channels.channelCount).toBe(3);
    expect(channels.queueCount).toBe(5);
  });

  it('resyncs the queues of a channel when its SUBSCRIBE is acknowledged, not before', async () => {
    const { subscriber, channels } = setUp();
    const q = queue();
    channels.acquire(['c1'], q);
    expect(q.events).toEqual([]);
    await subscriber.acknowledge();
    expect(q.events).toEqual([{ type: 'resync' }]);
  });

  it('unsubscribes only when the last queue of a channel leaves', () => {
    const { subscriber, channels } = setUp();
    const a = queue();
    const b = queue();
    channels.acquire(['c1'], a);
    channels.acquire(['c1'], b);
    channels.release('c1', a);
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1']);
    channels.release('c1', a); // already gone: no second UNSUBSCRIBE later
    channels.release('c1', b);
    channels.release('c1', b);
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1', 'UNSUBSCRIBE c1']);
    expect(channels.queuesOf('c1')).toBeUndefined();
  });

  it('gives no resync to a channel released and re-acquired before its first SUBSCRIBE was answered', async () => {
    const { subscriber, channels } = setUp();
    const first = queue();
    channels.acquire(['c1'], first);
    channels.release('c1', first);
    const second = queue();
    channels.acquire(['c1'], second);
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1', 'UNSUBSCRIBE c1', 'SUBSCRIBE c1']);

    await subscriber.acknowledge(); // the first SUBSCRIBE: Redis has not applied the second yet
    expect(second.events).toEqual([]);
    await subscriber.acknowledge();
    expect(second.events).toEqual([{ type: 'resync' }]);
  });

  it('subscribes every live channel again, in one SUBSCRIBE, when the connection is ready after a loss', async () => {
    const { subscriber, channels } = setUp();
    const a = queue();
    const b = queue();
    channels.acquire(['c1'], a);
    channels.acquire(['c2'], b);
    await subscriber.acknowledge();
    await subscriber.acknowledge();
    a.events.length = 0;
    b.events.length = 0;

    channels.onConnectionLost();
    channels.onConnectionReady();
    channels.onConnectionReady(); // a second ready without a loss sends nothing
    expect(subscriber.calls.slice(2)).toEqual(['SUBSCRIBE c1 c2']);

    await subscriber.acknowledge();
    expect(a.events).toEqual([{ type: 'resync' }]);
    expect(b.events).toEqual([{ type: 'resync' }]);
  });

  it('retries a failed SUBSCRIBE when the connection is ready again', async () => {
    const { subscriber, channels } = setUp();
    const q = queue();
    channels.acquire(['c1'], q);
    await subscriber.acknowledge(new Error('Reached the max retries per request limit'));
    expect(q.events).toEqual([]);

    channels.onConnectionReady();
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1', 'SUBSCRIBE c1']);
    await subscriber.acknowledge();
    expect(q.events).toEqual([{ type: 'resync' }]);
  });

  it('sends nothing on ready after a loss when no channel is live', () => {
    const { subscriber, channels } = setUp();
    channels.onConnectionLost();
    channels.onConnectionReady();
    expect(subscriber.calls).toEqual([]);
  });

  it('ends every queue on close without unsubscribing', async () => {
    const { subscriber, channels } = setUp();
    const q = queue();
    channels.acquire(['c1', 'c2'], q);
    channels.close();
    expect(q.closed).toBe(true);
    expect(subscriber.calls).toEqual(['SUBSCRIBE c1 c2']);
    expect(channels.channelCount).toBe(0);
  });
});
