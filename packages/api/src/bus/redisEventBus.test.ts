import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
// @ts-expect-error -- @types/ioredis-mock is only a peer of ioredis-mock, not linked into packages/api
import RedisMockUntyped from 'ioredis-mock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testMessageEvent } from '../testing/testMessage.ts';
import { threadChannel, type BusEvent } from './eventBus.ts';
import { createRedisEventBus, type RedisEventBus, type RedisEventBusOptions } from './redisEventBus.ts';

const RedisMock = RedisMockUntyped as new () => Redis;
const REDIS_URL = 'redis://127.0.0.1:6379';
const runPrefix = `parley-test-${randomUUID().slice(0, 8)}:`;
const logger = pino({ level: 'silent' });
const waitOptions = { timeout: 10_000, interval: 10 };

interface Backend {
  name: string;
  /** Real Redis (CI starts it): a test that needs it fails when it is down rather than being skipped. */
  real: boolean;
  client(connectionName: string): Redis;
  /** Make the subscriber connection drop and come back. */
  dropConnection(client: Redis, connectionName: string, admin: Redis): Promise<void>;
}

const mockBackend: Backend = {
  name: 'ioredis-mock',
  real: false,
  // Every ioredis-mock instance with the same host:port shares one in-memory server, pub/sub included.
  client: () => new RedisMock(),
  // ioredis-mock cannot lose a connection; replay the events ioredis emits around a reconnect.
  dropConnection: async (client) => {
    client.emit('close');
    client.emit('reconnecting', 50);
    client.emit('connect');
    client.emit('ready');
  },
};

const realBackend: Backend = {
  name: `real Redis at ${REDIS_URL}`,
  real: true,
  client: (connectionName) => new Redis(REDIS_URL, { connectionName }),
  dropConnection: async (_client, connectionName, admin) => {
    const list = String(await admin.client('LIST'));
    const line = list.split('\n').find((l) => l.includes(` name=${connectionName} `));
    const id = line?.match(/\bid=(\d+)\b/)?.[1];
    if (!id) throw new Error(`no Redis client named ${connectionName}`);
    await admin.client('KILL', 'ID', id);
  },
};

const message = (threadId: string, seq: number) => testMessageEvent({ threadId, seq });

function collect(iterable: AsyncIterable<BusEvent>) {
  const events: BusEvent[] = [];
  const done = (async () => {
    for await (const event of iterable) events.push(event);
  })();
  return {
    events,
    done,
    seqs: () => events.flatMap((e) => (e.type === 'event' ? [e.event.seq] : [])),
    resyncs: () => events.filter((e) => e.type === 'resync').length,
  };
}

for (const backend of [mockBackend, realBackend]) {
  describe(`redis event bus on ${backend.name}`, () => {
    let admin: Redis;
    let testPrefix = '';
    let processes = 0;
    const cleanups: Array<() => Promise<unknown>> = [];

    beforeAll(() => {
      admin = backend.client(`${runPrefix}admin`);
    });
    beforeEach(() => {
      testPrefix = `${runPrefix}${randomUUID().slice(0, 8)}:`;
      processes = 0;
    });
    afterAll(async () => {
      await admin.quit();
    });
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    /** One bus with its own two connections: one "process". */
    async function startProcess(options: Partial<RedisEventBusOptions> = {}) {
      const name = `${testPrefix}p${++processes}`;
      const publisher = backend.client(`${name}-pub`);
      const subscriber = backend.client(`${name}-sub`);
      const bus = createRedisEventBus({ publisher, subscriber, prefix: testPrefix, logger, ...options });
      cleanups.push(() => bus.close());
      // Tests count SUBSCRIBEs; a subscriber not yet connected would add its first ready to the count.
      await vi.waitFor(async () => expect(await bus.isHealthy()).toBe(true), waitOptions);
      return { bus, publisher, subscriber, subscriberName: `${name}-sub` };
    }

    function abortable() {
      const ac = new AbortController();
      cleanups.push(async () => ac.abort());
      return ac;
    }

    async function numsub(threadId: string): Promise<number> {
      const reply = await admin.pubsub('NUMSUB', threadChannel(testPrefix, threadId));
      return Number(reply[1]);
    }

    /**
     * Subscribes as the first local subscription of its thread: live once Redis acknowledged the channel,
     * which the bus answers with a resync. Later ones join a live channel and get no such resync.
     */
    async function live(bus: RedisEventBus, threadId: string, signal = abortable().signal) {
      const events = collect(bus.subscribe(threadId, { signal }));
      await vi.waitFor(() => expect(events.resyncs()).toBeGreaterThan(0), waitOptions);
      return events;
    }

    it('delivers to every local subscription from one parse, and to no other thread', async () => {
      const { bus, publisher } = await startProcess();
      const publish = vi.spyOn(publisher, 'publish');
      const a = await live(bus, 't1');
      const b = collect(bus.subscribe('t1', { signal: abortable().signal }));
      const other = await live(bus, 't2');

      await bus.publish(message('t1', 1));
      await bus.publish(message('t1', 2));

      await vi.waitFor(() => {
        expect(a.seqs()).toEqual([1, 2]);
        expect(b.seqs()).toEqual([1, 2]);
      }, waitOptions);
      expect(publish).toHaveBeenCalledTimes(2);
      expect(publish.mock.calls[0]).toEqual([threadChannel(testPrefix, 't1'), JSON.stringify({ event: message('t1', 1) })]);
      const firstOf = (c: typeof a) => c.events.find((e) => e.type === 'event');
      expect(firstOf(a)).toEqual({ type: 'event', event: message('t1', 1) });
      // The same object: parsed once per process, not once per subscription.
      expect(firstOf(a)).toBe(firstOf(b));
      expect(other.seqs()).toEqual([]);
    });

    it('makes one Redis subscription per thread however many local subscriptions', async () => {
      const { bus, subscriber } = await startProcess();
      const subscribe = vi.spyOn(subscriber, 'subscribe');
      await live(bus, 't1');
      collect(bus.subscribe('t1', { signal: abortable().signal }));
      collect(bus.subscribe('t1', { signal: abortable().signal }));

      const channel = threadChannel(testPrefix, 't1');
      const calls = (subscribe.mock.calls as unknown[][]).filter((args) => args.includes(channel));
      expect(calls).toHaveLength(1);
      expect(await numsub('t1')).toBe(1);
      expect(bus.stats()).toMatchObject({ channels: 1, subscriptions: 3 });
    });

    it('fans out between two processes', async () => {
      const one = await startProcess();
      const two = await startProcess();
      const onOne = await live(one.bus, 't1');
      const onTwo = await live(two.bus, 't1');
      expect(await numsub('t1')).toBe(2);

      await one.bus.publish(message('t1', 1));
      await two.bus.publish(message('t1', 2));

      await vi.waitFor(() => {
        expect(onOne.seqs()).toEqual([1, 2]);
        expect(onTwo.seqs()).toEqual([1, 2]);
      }, waitOptions);
    });

    it('unsubscribes the channel when the last local subscription leaves', async () => {
      const { bus, subscriber } = await startProcess();
      const unsubscribe = vi.spyOn(subscriber, 'unsubscribe');
      const first = abortable();
      const a = await live(bus, 't1', first.signal);
      const second = bus.subscribe('t1', { signal: abortable().signal });
      const leftByBreak = (async () => {
        for await (const event of second) if (event.type === 'event') break;
      })();
      await vi.waitFor(() => expect(bus.stats().subscriptions).toBe(2), waitOptions);

      first.abort();
      await a.done;
      expect(unsubscribe).not.toHaveBeenCalled();
      expect(await numsub('t1')).toBe(1);

      await bus.publish(message('t1', 1));
      await leftByBreak;
      expect(unsubscribe).toHaveBeenCalledTimes(1);
      expect(bus.stats()).toMatchObject({ channels: 0, subscriptions: 0 });
      await vi.waitFor(async () => expect(await numsub('t1')).toBe(0), waitOptions);
    });

    it('ends subscribed when a channel is released and re-acquired before Redis answered', async () => {
      const { bus } = await startProcess();
      const first = abortable();
      await live(bus, 't1', first.signal);
      // UNSUBSCRIBE and SUBSCRIBE in flight together.
      first.abort();
      const second = collect(bus.subscribe('t1', { signal: abortable().signal }));
      // SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBE in flight together.
      const brief = abortable();
      bus.subscribe('t2', { signal: brief.signal });
      brief.abort();
      const third = collect(bus.subscribe('t2', { signal: abortable().signal }));

      await vi.waitFor(() => {
        expect(second.resyncs()).toBeGreaterThan(0);
        expect(third.resyncs()).toBeGreaterThan(0);
      }, waitOptions);
      expect(await numsub('t1')).toBe(1);
      expect(await numsub('t2')).toBe(1);
      await bus.publish(message('t1', 1));
      await bus.publish(message('t2', 1));
      await vi.waitFor(() => {
        expect(second.seqs()).toEqual([1]);
        expect(third.seqs()).toEqual([1]);
      }, waitOptions);
    });

    it('ends the iterator on abort, and never subscribes when aborted before', async () => {
      const { bus, subscriber } = await startProcess();
      const ac = abortable();
      const waiting = await live(bus, 't1', ac.signal);
      ac.abort();
      await waiting.done;
      expect(bus.stats().subscriptions).toBe(0);

      const subscribe = vi.spyOn(subscriber, 'subscribe');
      const never = collect(bus.subscribe('t2', { signal: AbortSignal.abort() }));
      await never.done;
      expect(never.events).toEqual([]);
      expect(subscribe).not.toHaveBeenCalled();
      expect(bus.stats().channels).toBe(0);
    });

    it('replaces the backlog of a slow subscription with one resync', async () => {
      const { bus } = await startProcess({ maxQueuedPerSubscription: 3 });
      const slow = bus.subscribe('t1', { signal: abortable().signal });
      const slowIterator = slow[Symbol.asyncIterator]();
      expect((await slowIterator.next()).value).toEqual({ type: 'resync' }); // the channel is live

      for (let seq = 1; seq <= 10; seq++) await bus.publish(message('t1', seq));
      // Queue of 3 after each push: [1,2,3] -> 4 overflows: [R] -> [R,5,6] -> 7: [R] -> [R,8,9] -> 10: [R]
      await vi.waitFor(() => expect(bus.stats().overflows).toBe(3), waitOptions);

      expect((await slowIterator.next()).value).toEqual({ type: 'resync' });
      await bus.publish(message('t1', 11));
      expect((await slowIterator.next()).value).toEqual({ type: 'event', event: message('t1', 11) });
    });

    it('answers a payload that is not a message with a resync', async () => {
      const { bus, publisher } = await startProcess();
      const sub = await live(bus, 't1');
      const before = sub.resyncs();
      await publisher.publish(threadChannel(testPrefix, 't1'), 'not json');
      await vi.waitFor(() => expect(sub.resyncs()).toBe(before + 1), waitOptions);
      expect(bus.stats().malformed).toBe(1);
    });

    it('resyncs live subscriptions after the subscriber connection drops, then keeps delivering', async () => {
      const onReconnect = vi.fn();
      const { bus, subscriber, subscriberName } = await startProcess({ onReconnect });
      const peer = await startProcess();
      const a = await live(bus, 't1');
      const b = await live(bus, 't2');
      const resyncsBefore = [a.resyncs(), b.resyncs()];

      await backend.dropConnection(subscriber, subscriberName, admin);

      await vi.waitFor(() => {
        expect(a.resyncs()).toBeGreaterThan(resyncsBefore[0]!);
        expect(b.resyncs()).toBeGreaterThan(resyncsBefore[1]!);
      }, waitOptions);
      expect(onReconnect).toHaveBeenCalledTimes(1);
      expect(bus.stats().reconnects).toBe(1);
      expect(await bus.isHealthy()).toBe(true);
      expect(await numsub('t1')).toBe(1);

      await peer.bus.publish(message('t1', 7));
      await peer.bus.publish(message('t2', 8));
      await vi.waitFor(() => {
        expect(a.seqs()).toEqual([7]);
        expect(b.seqs()).toEqual([8]);
      }, waitOptions);
    });

    it('ends live subscriptions on close and reports unhealthy', async () => {
      const { bus } = await startProcess();
      const sub = await live(bus, 't1');
      await bus.close();
      await sub.done;
      expect(await bus.isHealthy()).toBe(false);
      await expect(bus.publish(message('t1', 1))).rejects.toThrow(/closed/);
    });
  });
}
