import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderDeps, type Provider } from '../helpers/providerDeps.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('notification levels on %s', (provider) => {
  let deps: TestDeps;
  beforeAll(async () => {
    deps = await createProviderDeps(provider);
  }, 60_000);
  afterAll(async () => {
    await deps.close();
  });

  it('default to every message in direct threads and mentions in groups, and follow my choice per thread', async () => {
    const [ada, bob, cyd] = await Promise.all(['ada', 'bob', 'cyd'].map((name) => signedInCaller(deps, name)));
    const direct = await ada!.thread.getOrCreate({ username: 'bob' });
    const group = await ada!.thread.createGroup({ usernames: ['bob', 'cyd'], title: 'Team' });
    const levels = async () => Object.fromEntries((await bob!.thread.list()).map((t) => [t.id, t.notifications]));
    expect(await levels()).toEqual({ [direct.id]: 'all', [group.id]: 'mentions' });

    expect(await bob!.thread.setNotifications({ threadId: direct.id, level: 'mute' })).toEqual({ threadId: direct.id, notifications: 'mute' });
    await bob!.thread.setNotifications({ threadId: group.id, level: 'all' });
    expect(await levels()).toEqual({ [direct.id]: 'mute', [group.id]: 'all' });
    // Mine only: Ada's levels stay the defaults.
    expect(Object.fromEntries((await ada!.thread.list()).map((t) => [t.id, t.notifications]))).toEqual({
      [direct.id]: 'all',
      [group.id]: 'mentions',
    });

    expect(await codeOf(cyd!.thread.setNotifications({ threadId: direct.id, level: 'all' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob!.thread.setNotifications({ threadId: direct.id, level: 'loud' as 'all' }))).toBe('BAD_REQUEST');
  });

  it('keeps push subscriptions per person, the newest ten, and forgets one on unsubscribe', async () => {
    const dee = await signedInCaller(deps, 'dee');
    const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };
    for (let i = 0; i < 12; i++) {
      deps.clock.advance(1000);
      await dee.push.subscribe({ endpoint: `https://push.example.com/s/${i}`, keys });
    }
    const kept = await deps.db.pushSubscription.findMany({ where: { userId: dee.user.id }, select: { endpoint: true } });
    expect(kept.map((s) => s.endpoint).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `https://push.example.com/s/${i + 2}`).sort());
    await dee.push.unsubscribe({ endpoint: 'https://push.example.com/s/5' });
    expect(await deps.db.pushSubscription.count({ where: { userId: dee.user.id } })).toBe(9);
  });
});
