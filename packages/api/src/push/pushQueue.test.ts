import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryFocusStore, createRedisFocusStore, FOCUS_TTL_MS } from './focusStore.ts';
import { createMemoryPushQueue, createRedisPushQueue, type PushQueue } from './pushQueue.ts';

// Real Redis (CI starts it); each test has its own key prefix, deleted afterwards.
const REDIS_URL = 'redis://127.0.0.1:6379';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two processes' connections to one Redis, sharing a prefix. */
function redisPair(): [Redis, Redis, string] {
  const prefix = `parley-test-${randomUUID().slice(0, 8)}:`;
  const clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)] as [Redis, Redis];
  cleanups.push(async () => {
    const keys = await clients[0].keys(`${prefix}*`);
    if (keys.length) await clients[0].del(...keys);
    for (const client of clients) client.disconnect();
  });
  return [...clients, prefix];
}

describe.each([
  ['in memory', () => [createMemoryPushQueue(), null] as const],
  [
    'in Redis, shared by two processes',
    () => {
      const [a, b, prefix] = redisPair();
      return [createRedisPushQueue(a, prefix), createRedisPushQueue(b, prefix)] as const;
    },
  ],
])('the push queue %s', (_, make) => {
  it('keeps one job per person and thread however often a burst schedules it, and hands it out once', async () => {
    const [one, other] = make();
    const two: PushQueue = other ?? one;
    const job = { userId: 'u1', threadId: 't1' };
    await one.schedule(job, 1000);
    await two.schedule(job, 1500);
    await one.schedule({ userId: 'u2', threadId: 't1' }, 5000);
    expect(await one.takeDue(999, 10)).toEqual([]);
    const taken = await Promise.all([one.takeDue(1200, 10), two.takeDue(1200, 10)]);
    expect(taken.flat()).toEqual([job]);
    expect(await two.takeDue(6000, 10)).toEqual([{ userId: 'u2', threadId: 't1' }]);
  });

  it('remembers what was pushed, for every process', async () => {
    const [one, other] = make();
    const two = other ?? one;
    const job = { userId: 'u1', threadId: 't1' };
    expect(await two.pushedUpTo(job)).toBe(0);
    await one.markPushed(job, 7);
    expect(await two.pushedUpTo(job)).toBe(7);
  });
});

describe.each([
  ['in memory', (now: () => number) => createMemoryFocusStore(now)],
  [
    'in Redis',
    (now: () => number) => {
      const [a, , prefix] = redisPair();
      return createRedisFocusStore(a, prefix, now);
    },
  ],
])('focus %s', (_, make) => {
  it('holds while any socket of the user reports focus, and lapses when reports stop', async () => {
    let clock = 1_000_000;
    const focus = make(() => clock);
    await focus.report('u1', 'tab-a', true);
    await focus.report('u1', 'tab-b', true);
    await focus.report('u1', 'tab-a', false);
    expect(await focus.isFocused('u1')).toBe(true);
    expect(await focus.isFocused('u2')).toBe(false);
    clock += FOCUS_TTL_MS + 1;
    expect(await focus.isFocused('u1')).toBe(false);
  });
});
