import { describe, expect, it } from 'vitest';
import type { BusEvent } from './eventBus.ts';
import { LocalListeners } from './localListeners.ts';
import { createSubscriptionQueue, type SubscriptionQueue } from './subscriptionQueue.ts';

/** A queue read by a background consumer; `events` is what it has received so far. */
function queue(onClose?: (q: SubscriptionQueue) => void): SubscriptionQueue & { events: BusEvent[] } {
  const q = Object.assign(createSubscriptionQueue({ signal: new AbortController().signal, maxQueued: 10, onClose }), {
    events: [] as BusEvent[],
  });
  void (async () => {
    for await (const event of q) q.events.push(event);
  })();
  return q;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const typing: BusEvent = { type: 'typing', threadId: 't1', userId: 'u1', username: 'ada' };

describe('local listeners', () => {
  it('reports the first queue of a key and the last one leaving', () => {
    const listeners = new LocalListeners<string>();
    const a = queue();
    const b = queue();
    expect(listeners.add('k', a)).toEqual(new Set([a]));
    expect(listeners.add('k', b)).toBeNull();
    expect(listeners.remove('k', a)).toBe(false);
    expect(listeners.remove('k', a)).toBe(false);
    expect(listeners.remove('k', b)).toBe(true);
    expect(listeners.remove('k', b)).toBe(false);
    expect(listeners.get('k')).toBeUndefined();
  });

  it('gives a key a new queue set after its last queue left', () => {
    const listeners = new LocalListeners<string>();
    const a = queue();
    const first = listeners.add('k', a);
    listeners.remove('k', a);
    expect(listeners.add('k', a)).not.toBe(first);
  });

  it('delivers one event object to every queue of the key and to no other key', async () => {
    const listeners = new LocalListeners<string>();
    const a = queue();
    const b = queue();
    const other = queue();
    listeners.add('k', a);
    listeners.add('k', b);
    listeners.add('other', other);

    listeners.deliver('k', typing);
    listeners.deliver('nobody', typing);
    await tick();

    expect(a.events).toEqual([typing]);
    expect(b.events[0]).toBe(a.events[0]);
    expect(other.events).toEqual([]);
  });

  it('ends every queue and forgets them, even when ending one removes it', () => {
    const listeners = new LocalListeners<string>();
    const release = (q: SubscriptionQueue) => {
      listeners.remove('k1', q);
      listeners.remove('k2', q);
    };
    const a = queue(release);
    const b = queue(release);
    listeners.add('k1', a);
    listeners.add('k2', a);
    listeners.add('k2', b);
    expect([listeners.keyCount, listeners.queueCount]).toEqual([2, 3]);

    listeners.endAll();

    expect([a.closed, b.closed]).toEqual([true, true]);
    expect([listeners.keyCount, listeners.queueCount]).toEqual([0, 0]);
  });
});
