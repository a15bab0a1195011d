import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testMessageEvent } from '../testing/testMessage.ts';
import { threadTopic, userTopic, type BusEvent, type EventBus } from './eventBus.ts';
import { createMemoryEventBus } from './memoryEventBus.ts';
import { createRedisEventBus } from './redisEventBus.ts';

const logger = pino({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const message = (threadId: string, seq: number) => testMessageEvent({ threadId, seq });

/** Two buses that see each other's messages: one in-process bus twice, or two Redis buses (two "processes"). */
function pairOf(kind: 'memory' | 'redis'): [EventBus, EventBus] {
  if (kind === 'memory') {
    const bus = createMemoryEventBus();
    closers.push(() => bus.close());
    return [bus, bus];
  }
  const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
  const make = () => {
    const bus = createRedisEventBus({ publisher: new Redis(), subscriber: new Redis(), prefix, logger });
    closers.push(() => bus.close());
    return bus;
  };
  return [make(), make()];
}

function drain(iterable: AsyncIterable<BusEvent>) {
  const events: BusEvent[] = [];
  void (async () => {
    for await (const event of iterable) if (event.type !== 'resync') events.push(event);
  })();
  return events;
}

describe.each(['memory', 'redis'] as const)('subscribeTopics on the %s bus', (kind) => {
  it('streams a user channel and thread channels added later, in one subscription', async () => {
    const [publisherSide, subscriberSide] = pairOf(kind);
    const controller = new AbortController();
    const subscription = subscriberSide.subscribeTopics([userTopic('bob')], { signal: controller.signal });
    const events = drain(subscription);
    await vi.waitFor(async () => {
      await publisherSide.publishThreadAdded(['bob'], 't1');
      expect(events.length).toBeGreaterThan(0);
    });
    expect(events[0]).toEqual({ type: 'threadAdded', threadId: 't1' });

    subscription.add([threadTopic('t1'), threadTopic('t1')]);
    await vi.waitFor(async () => {
      await publisherSide.publish(message('t1', 1));
      expect(events.some((e) => e.type === 'event')).toBe(true);
    });
    await publisherSide.publish(message('t2', 1)); // a thread it does not follow
    await publisherSide.publishThreadAdded(['carol'], 't3'); // someone else's notice
    await publisherSide.publish(message('t1', 2));
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'event').at(-1)).toMatchObject({ event: { seq: 2 } }));
    expect(events.every((e) => (e.type === 'threadAdded' ? e.threadId === 't1' : e.type === 'event' && e.event.threadId === 't1'))).toBe(true);
    controller.abort();
  });
});
