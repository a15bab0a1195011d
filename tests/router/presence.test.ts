import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '@parley/api/domain/streamActivity';
import { createPresenceAnnouncer } from '@parley/api/presence/presenceAnnouncer';
import { REDIS_URL } from '../helpers/redisPrefix.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

async function openActivity(caller: { thread: { onActivity(): Promise<AsyncIterable<ActivityEvent>> } }): Promise<AsyncIterator<ActivityEvent>> {
  const stream = (await caller.thread.onActivity())[Symbol.asyncIterator]();
  expect((await stream.next()).value).toEqual({ type: 'resync' });
  await new Promise((r) => setTimeout(r, 50)); // Redis acknowledges the SUBSCRIBEs
  return stream;
}

/** Events up to (not including) the message with body `until`, resync hints aside. */
async function eventsUntil(stream: AsyncIterator<ActivityEvent>, until: string): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for (;;) {
    const { value, done } = await stream.next();
    if (done || (value.type === 'message' && value.message.body === until)) return events;
    if (value.type !== 'resync') events.push(value);
  }
}

for (const backend of ['memory', 'Redis'] as const) {
  describe(`presence (${backend})`, () => {
    let deps: TestDeps;
    beforeEach(async () => {
      deps = await createTestDeps(backend === 'Redis' ? { redisUrl: REDIS_URL } : {});
    });
    afterEach(async () => {
      await deps.close();
    });

    async function people() {
      const alice = await signedInCaller(deps, 'alice');
      const bob = await signedInCaller(deps, 'bob');
      const direct = await alice.thread.getOrCreate({ username: 'bob' });
      const group = await alice.thread.createGroup({ usernames: ['bob'], title: 'Both of us' });
      return { alice, bob, direct, group };
    }

    it('user.presence shows a member online while they have a socket, then when they were last seen', async () => {
      const { alice, bob } = await people();
      await deps.presence.tryConnect(alice.user.id, 10);
      expect(await bob.users.presence({ userIds: [alice.user.id] })).toMatchObject([{ userId: alice.user.id, online: true, lastSeenAt: null }]);
      const offline = await deps.presence.disconnect(alice.user.id);
      const [seen] = await bob.users.presence({ userIds: [alice.user.id, alice.user.id] });
      expect(seen).toEqual({ userId: alice.user.id, online: false, version: offline!.version, lastSeenAt: expect.any(String) });
    });

    it('user.presence leaves out people I share no thread with', async () => {
      const { alice, bob } = await people();
      const stranger = await signedInCaller(deps, 'stranger');
      await deps.presence.tryConnect(stranger.user.id, 10);
      const answer = await bob.users.presence({ userIds: [stranger.user.id, alice.user.id, bob.user.id] });
      expect(answer.map((p) => p.userId)).toEqual([alice.user.id, bob.user.id]);
    });

    it('user.presence takes 1 to 100 ids', async () => {
      const { bob } = await people();
      expect(await codeOf(bob.users.presence({ userIds: [] }))).toBe('BAD_REQUEST');
      expect(await codeOf(bob.users.presence({ userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }))).toBe('BAD_REQUEST');
    });

    it('thread.onActivity tells me once when someone I share threads with comes online and goes offline', async () => {
      const { alice, bob, direct } = await people();
      const announcer = createPresenceAnnouncer(deps, deps.presence, { offlineGraceMs: 0 });
      const bobSees = await openActivity(bob);
      const online = await deps.presence.tryConnect(alice.user.id, 10);
      announcer.announce([online.change!]);
      await announcer.flush(); // changes queued together go as the newest per user
      announcer.announce([(await deps.presence.disconnect(alice.user.id))!]);
      await announcer.flush();
      await alice.message.send({ threadId: direct.id, body: 'sentinel' });
      expect(await eventsUntil(bobSees, 'sentinel')).toEqual([
        { type: 'presence', userId: alice.user.id, online: true, version: online.change!.version, lastSeenAt: null },
        { type: 'presence', userId: alice.user.id, online: false, version: online.change!.version + 1, lastSeenAt: expect.any(String) },
      ]);
      await bobSees.return?.();
    });

    it('thread.onActivity drops a presence notice older than one it gave', async () => {
      const { alice, bob, direct, group } = await people();
      const bobSees = await openActivity(bob);
      const notice = (version: number, online: boolean) => ({
        change: { userId: alice.user.id, online, version, lastSeenAt: null },
        threadIds: [direct.id, group.id],
      });
      await deps.bus.publishPresence([notice(7, false), notice(5, true)]);
      await alice.message.send({ threadId: direct.id, body: 'sentinel' });
      expect(await eventsUntil(bobSees, 'sentinel')).toMatchObject([{ type: 'presence', version: 7, online: false }]);
      await bobSees.return?.();
    });

    it('holds going offline for the grace period and drops it when the user is back by then', async () => {
      const { alice, bob, direct } = await people();
      const announcer = createPresenceAnnouncer(deps, deps.presence, { offlineGraceMs: 150 });
      const bobSees = await openActivity(bob);
      announcer.announce([(await deps.presence.tryConnect(alice.user.id, 10)).change!]);
      await announcer.flush();
      announcer.announce([(await deps.presence.disconnect(alice.user.id))!]); // a page reload
      announcer.announce([(await deps.presence.tryConnect(alice.user.id, 10)).change!]);
      await new Promise((r) => setTimeout(r, 300));
      await announcer.flush();
      await alice.message.send({ threadId: direct.id, body: 'sentinel' });
      const events = await eventsUntil(bobSees, 'sentinel');
      expect(events.map((e) => e.type === 'presence' && e.online)).toEqual([true, true]);
      await bobSees.return?.();
    });
  });
}
