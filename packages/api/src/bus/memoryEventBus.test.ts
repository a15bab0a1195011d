import { getEventListeners } from 'node:events';
import { describe, it, expect, vi } from 'vitest';
import { testMessageEvent } from '../testing/testMessage.ts';
import type { BusEvent } from './eventBus.ts';
import { createMemoryEventBus } from './memoryEventBus.ts';

const message = (threadId: string, seq: number) => testMessageEvent({ threadId, seq });

function collect(iterable: AsyncIterable<BusEvent>) {
  const events: BusEvent[] = [];
  const done = (async () => {
    for await (const event of iterable) events.push(event);
  })();
  const seqs = () => events.flatMap((e) => (e.type === 'event' ? [e.event.seq] : []));
  return { events, done, seqs };
}

describe('memory event bus', () => {
  it('delivers to every subscription of the thread and to no other thread', async () => {
    const bus = createMemoryEventBus();
    const ac = new AbortController();
    const a = collect(bus.subscribe('t1', { signal: ac.signal }));
    const b = collect(bus.subscribe('t1', { signal: ac.signal }));
    const other = collect(bus.subscribe('t2', { signal: ac.signal }));

    await bus.publish(message('t1', 1));
    await bus.publish(message('t1', 2));

    await vi.waitFor(() => {
      expect(a.seqs()).toEqual([1, 2]);
      expect(b.seqs()).toEqual([1, 2]);
    });
    expect(a.events[0]).toBe(b.events[0]);
    expect(other.events).toEqual([]);
    ac.abort();
    await Promise.all([a.done, b.done, other.done]);
  });

  it('queues from subscribe() on, before iteration starts', async () => {
    const bus = createMemoryEventBus();
    const ac = new AbortController();
    const live = bus.subscribe('t1', { signal: ac.signal });
    await bus.publish(message('t1', 1));
    const iterator = live[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'event', event: message('t1', 1) } });
    ac.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a waiting iterator when the signal aborts, and releases the signal', async () => {
    const bus = createMemoryEventBus();
    const ac = new AbortController();
    const live = collect(bus.subscribe('t1', { signal: ac.signal }));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    await live.done;
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await bus.publish(message('t1', 1));
    expect(live.events).toEqual([]);
  });

  it('yields nothing when the signal aborted before subscribing', async () => {
    const bus = createMemoryEventBus();
    const live = collect(bus.subscribe('t1', { signal: AbortSignal.abort() }));
    await bus.publish(message('t1', 1));
    await live.done;
    expect(live.events).toEqual([]);
  });

  it('releases the subscription on break out of for await', async () => {
    const bus = createMemoryEventBus();
    const ac = new AbortController();
    const live = bus.subscribe('t1', { signal: ac.signal });
    await bus.publish(message('t1', 1));
    await bus.publish(message('t1', 2));
    for await (const event of live) {
      expect(event.type).toBe('event');
      break;
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(await live[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });

  it('replaces the backlog of a slow subscription with one resync, then keeps delivering', async () => {
    const bus = createMemoryEventBus({ maxQueuedPerSubscription: 3 });
    const ac = new AbortController();
    const live = bus.subscribe('t1', { signal: ac.signal });
    for (let seq = 1; seq <= 10; seq++) await bus.publish(message('t1', seq));

    const iterator = live[Symbol.asyncIterator]();
    // Queue of 3 after each push: [1,2,3] -> 4 overflows: [R] -> [R,5,6] -> 7: [R] -> [R,8,9] -> 10: [R]
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'resync' } });

    await bus.publish(message('t1', 11));
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'event', event: message('t1', 11) } });
    ac.abort();
  });

  it('ends live subscriptions on close and refuses to publish after it', async () => {
    const bus = createMemoryEventBus();
    const live = collect(bus.subscribe('t1', { signal: new AbortController().signal }));
    expect(await bus.isHealthy()).toBe(true);
    await bus.close();
    await live.done;
    expect(await bus.isHealthy()).toBe(false);
    await expect(bus.publish(message('t1', 1))).rejects.toThrow(/closed/);
    const late = collect(bus.subscribe('t1', { signal: new AbortController().signal }));
    await late.done;
    expect(late.events).toEqual([]);
  });
});
