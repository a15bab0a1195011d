import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PresenceNotice } from '../bus/eventBus.ts';
import { createMemoryPresence } from './memoryPresence.ts';
import type { PresenceStore } from './presenceStore.ts';
import { createRedisPresence } from './redisPresence.ts';

// Real Redis (CI starts it); each test has its own key prefix, deleted afterwards.
const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
const HEARTBEAT_MS = 100;
const TIMEOUT_MS = 300;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Presence stores as separate processes would have them: one connection each, one shared prefix. */
async function cluster() {
  const prefix = `parley-test-${randomUUID().slice(0, 8)}:`;
  const clients: Redis[] = [];
  cleanups.push(async () => {
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
    for (const client of clients) client.disconnect();
  });
  return async (options: { heartbeatMs?: number } = {}) => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    const changes: PresenceNotice[] = [];
    const store = createRedisPresence({
      client,
      prefix,
      processId: randomUUID(),
      logger,
      heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
      timeoutMs: TIMEOUT_MS,
    });
    await store.start((found) => changes.push(...found));
    return { store, client, changes };
  };
}

async function online(store: PresenceStore, userId: string): Promise<boolean> {
  const [presence] = await store.lookup([userId]);
  return presence!.online;
}

describe('presence in Redis across processes', () => {
  it('holds the per-user socket limit across processes', async () => {
    const start = await cluster();
    const [one, two] = [await start(), await start()];
    expect((await one.store.tryConnect('u1', 3)).isAdmitted).toBe(true);
    expect((await two.store.tryConnect('u1', 3)).isAdmitted).toBe(true);
    expect((await one.store.tryConnect('u1', 3)).isAdmitted).toBe(true);
    expect((await two.store.tryConnect('u1', 3)).isAdmitted).toBe(false);
    await one.store.disconnect('u1');
    expect((await two.store.tryConnect('u1', 3)).isAdmitted).toBe(true);
  });

  it('admits exactly the limit when sockets race on two processes', async () => {
    const start = await cluster();
    const [one, two] = [await start(), await start()];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).store.tryConnect('racer', 5)));
    expect(results.filter((r) => r.isAdmitted)).toHaveLength(5);
    expect(results.filter((r) => r.change?.online)).toHaveLength(1);
  });

  it('reports online at the first socket anywhere and offline at the last, with growing versions', async () => {
    const start = await cluster();
    const [one, two] = [await start(), await start()];
    const first = await one.store.tryConnect('u2', 10);
    expect(first.change).toMatchObject({ userId: 'u2', online: true, lastSeenAt: null });
    expect((await two.store.tryConnect('u2', 10)).change).toBeNull();
    expect(await one.store.disconnect('u2')).toBeNull();
    expect(await online(one.store, 'u2')).toBe(true);
    const last = await two.store.disconnect('u2');
    expect(last).toMatchObject({ userId: 'u2', online: false });
    expect(last!.version).toBeGreaterThan(first.change!.version);
    const [seen] = await one.store.lookup(['u2']);
    expect(seen).toEqual({ userId: 'u2', online: false, version: last!.version, lastSeenAt: last!.lastSeenAt });
    expect(await one.store.lookup(['never-seen'])).toEqual([{ userId: 'never-seen', online: false, version: 0, lastSeenAt: null }]);
  });

  it("takes a dead process's users offline within the timeout plus one heartbeat", async () => {
    const start = await cluster();
    const [doomed, survivor] = [await start(), await start()];
    await doomed.store.tryConnect('lost', 10);
    await doomed.store.tryConnect('kept', 10);
    await survivor.store.tryConnect('kept', 10);
    // As SIGKILL would: its connection gone, nothing cleaned up (its heartbeats fail from here on).
    doomed.client.disconnect();
    const diedAt = Date.now();
    await vi.waitFor(() => expect(survivor.changes.map((c) => [c.userId, c.online])).toEqual([['lost', false]]), {
      timeout: 5000,
      interval: 20,
    });
    expect(Date.now() - diedAt).toBeLessThanOrEqual(TIMEOUT_MS + 2 * HEARTBEAT_MS + 200);
    expect(await online(survivor.store, 'lost')).toBe(false);
    expect(await online(survivor.store, 'kept')).toBe(true);
    // Its sockets no longer count against the limit either.
    expect((await survivor.store.tryConnect('lost', 1)).isAdmitted).toBe(true);
  });

  it('a process taken for dead puts its users back when its heartbeat returns', async () => {
    const start = await cluster();
    const survivor = await start();
    const paused = await start({ heartbeatMs: 2000 }); // its next beat comes after the timeout: "dead"
    const connected = await paused.store.tryConnect('sleeper', 10);
    expect(connected.change?.online).toBe(true);
    await vi.waitFor(() => expect(survivor.changes).toMatchObject([{ userId: 'sleeper', online: false }]), { timeout: 5000 });
    await vi.waitFor(() => expect(paused.changes).toMatchObject([{ userId: 'sleeper', online: true }]), { timeout: 5000 });
    expect(await online(survivor.store, 'sleeper')).toBe(true);
    expect(paused.changes[0]!.version).toBeGreaterThan(survivor.changes[0]!.version);
  });

  it('at close, reports its remaining users offline and leaves nothing counted', async () => {
    const start = await cluster();
    const [leaving, staying] = [await start(), await start()];
    await leaving.store.tryConnect('solo', 10);
    await leaving.store.tryConnect('shared', 10);
    await staying.store.tryConnect('shared', 10);
    expect((await leaving.store.close()).map((c) => [c.userId, c.online])).toEqual([['solo', false]]);
    expect(await online(staying.store, 'solo')).toBe(false);
    expect(await online(staying.store, 'shared')).toBe(true);
  });
});

describe('presence in memory', () => {
  it('behaves as the Redis store does within one process', async () => {
    const store = createMemoryPresence({ now: () => new Date('2026-11-25T12:00:00Z') });
    expect(await store.tryConnect('u', 2)).toMatchObject({ isAdmitted: true, change: { online: true, version: 1 } });
    expect(await store.tryConnect('u', 2)).toEqual({ isAdmitted: true, change: null });
    expect(await store.tryConnect('u', 2)).toEqual({ isAdmitted: false, change: null });
    expect(await store.disconnect('u')).toBeNull();
    expect(await store.disconnect('u')).toEqual({ userId: 'u', online: false, version: 2, lastSeenAt: '2026-11-25T12:00:00.000Z' });
    expect(await store.lookup(['u'])).toEqual([{ userId: 'u', online: false, version: 2, lastSeenAt: '2026-11-25T12:00:00.000Z' }]);
  });
});
