import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/trpcErrors.ts';
import { anonymousCaller, createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

let deps: TestDeps;
beforeEach(async () => {
  deps = await createTestDeps();
});
afterEach(async () => {
  await deps.close();
});

describe('thread.getOrCreate', () => {
  it('creates a direct thread with both members and returns the same one to either side', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'Bob');
    const fromAlice = await alice.thread.getOrCreate({ username: 'bob' });
    expect(fromAlice.kind).toBe('direct');
    expect(fromAlice.members.map((m) => m.username).sort()).toEqual(['Bob', 'alice']);
    const fromBob = await bob.thread.getOrCreate({ username: 'ALICE' });
    expect(fromBob.id).toBe(fromAlice.id);
  });

  it('gives both sides one thread when they race to create it', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => alice.thread.getOrCreate({ username: 'bob' })),
      ...Array.from({ length: 5 }, () => bob.thread.getOrCreate({ username: 'alice' })),
    ]);
    expect(new Set(results.map((t) => t.id)).size).toBe(1);
    expect(await deps.db.thread.count()).toBe(1);
  });

  it('with my own name gives my notes-to-self thread, with only me in it', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const notes = await alice.thread.getOrCreate({ username: 'ALICE' });
    expect(notes.members).toEqual([{ ...alice.user, lastReadSeq: 0 }]);
    expect((await alice.thread.getOrCreate({ username: 'alice' })).id).toBe(notes.id);
    await alice.message.send({ threadId: notes.id, body: 'remember the milk' });
    expect((await alice.thread.list())[0]).toMatchObject({ id: notes.id, unreadCount: 0 });
  });

  it('refuses an unknown username with NOT_FOUND', async () => {
    const alice = await signedInCaller(deps, 'alice');
    expect(await codeOf(alice.thread.getOrCreate({ username: 'nobody' }))).toBe('NOT_FOUND');
  });

  it('needs a session: UNAUTHORIZED', async () => {
    expect(await codeOf(anonymousCaller(deps).thread.getOrCreate({ username: 'alice' }))).toBe('UNAUTHORIZED');
  });

  it('refuses malformed input with BAD_REQUEST', async () => {
    const alice = await signedInCaller(deps, 'alice');
    expect(await codeOf(alice.thread.getOrCreate({ username: '' }))).toBe('BAD_REQUEST');
    // @ts-expect-error — a wrong type, as an untyped client could send
    expect(await codeOf(alice.thread.getOrCreate({ username: 42 }))).toBe('BAD_REQUEST');
  });
});

describe('thread.createGroup', () => {
  it('creates a group with me and the named users, whose members all see it and its messages', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const carol = await signedInCaller(deps, 'carol');
    const group = await alice.thread.createGroup({ usernames: ['bob', 'Carol', 'alice'], title: 'Team' });
    expect(group).toMatchObject({ kind: 'group', title: 'Team', lastSeq: 0 });
    expect(group.members.map((m) => m.username)).toEqual(['alice', 'bob', 'carol']);
    await bob.message.send({ threadId: group.id, body: 'hi all' });
    expect((await carol.thread.list())[0]).toMatchObject({ id: group.id, unreadCount: 1, lastMessage: { body: 'hi all' } });
    expect((await alice.message.list({ threadId: group.id })).messages.map((m) => m.body)).toEqual(['hi all']);
  });

  it('refuses unknown usernames with one NOT_FOUND that names none of them, and creates nothing', async () => {
    const alice = await signedInCaller(deps, 'alice');
    await signedInCaller(deps, 'bob');
    const refusal = alice.thread.createGroup({ usernames: ['bob', 'ghost'] });
    await expect(refusal).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(refusal).rejects.not.toMatchObject({ message: expect.stringMatching(/ghost|bob/) });
    expect(await deps.db.thread.count()).toBe(0);
  });

  it('refuses an empty or oversized member list with BAD_REQUEST', async () => {
    const alice = await signedInCaller(deps, 'alice');
    expect(await codeOf(alice.thread.createGroup({ usernames: [] }))).toBe('BAD_REQUEST');
    const fifty = Array.from({ length: 50 }, (_, i) => `user${i}`);
    expect(await codeOf(alice.thread.createGroup({ usernames: fifty }))).toBe('BAD_REQUEST');
  });
});

describe('thread.list', () => {
  it('lists my threads by latest activity with last message, members and unread count', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    await signedInCaller(deps, 'carol');
    const withBob = await alice.thread.getOrCreate({ username: 'bob' });
    deps.clock.advance(1000);
    const withCarol = await alice.thread.getOrCreate({ username: 'carol' });
    deps.clock.advance(1000);
    await bob.message.send({ threadId: withBob.id, body: 'one' });
    deps.clock.advance(1000);
    await bob.message.send({ threadId: withBob.id, body: 'two' });

    const list = await alice.thread.list();
    expect(list.map((t) => t.id)).toEqual([withBob.id, withCarol.id]);
    expect(list[0]).toMatchObject({ unreadCount: 2, lastMessage: { body: 'two', seq: 2, author: { username: 'bob' } } });
    expect(list[1]).toMatchObject({ unreadCount: 0, lastMessage: null });
    expect(list[0]?.members.map((m) => m.username).sort()).toEqual(['alice', 'bob']);

    const bobList = await bob.thread.list();
    expect(bobList).toHaveLength(1);
    expect(bobList[0]?.unreadCount).toBe(0); // his own messages count as read
  });

  it('pages by activity: the last thread id of a page is the cursor of the next, with no thread twice or missed', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const names = ['bob', 'carol', 'dave', 'erin', 'frank'];
    const threads = [];
    for (const name of names) {
      await signedInCaller(deps, name);
      threads.push(await alice.thread.getOrCreate({ username: name }));
      deps.clock.advance(1000);
    }
    await signedInCaller(deps, 'gina');
    threads.push(await alice.thread.getOrCreate({ username: 'gina' }));
    const newestFirst = (await alice.thread.list()).map((t) => t.id);
    expect(newestFirst).toHaveLength(6);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await alice.thread.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      paged.push(...page.map((t) => t.id));
      if (page.length < 2) break;
      cursor = page.at(-1)?.id;
    }
    expect(paged).toEqual(newestFirst);
    expect(await codeOf(alice.thread.list({ limit: 101 }))).toBe('BAD_REQUEST');
  });

  it('markRead clears the unread count and never moves back', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const bob = await signedInCaller(deps, 'bob');
    const thread = await alice.thread.getOrCreate({ username: 'bob' });
    for (const body of ['a', 'b', 'c']) await bob.message.send({ threadId: thread.id, body });
    expect(await alice.thread.markRead({ threadId: thread.id, seq: 2 })).toEqual({ lastReadSeq: 2 });
    expect((await alice.thread.list())[0]?.unreadCount).toBe(1);
    expect(await alice.thread.markRead({ threadId: thread.id, seq: 1 })).toEqual({ lastReadSeq: 2 });
    expect(await alice.thread.markRead({ threadId: thread.id, seq: 99 })).toEqual({ lastReadSeq: 3 });
    expect((await alice.thread.list())[0]?.unreadCount).toBe(0);
  });

  it('markRead on a thread I am not in is NOT_FOUND, as an unknown one', async () => {
    const alice = await signedInCaller(deps, 'alice');
    await signedInCaller(deps, 'bob');
    const mallory = await signedInCaller(deps, 'mallory');
    const thread = await alice.thread.getOrCreate({ username: 'bob' });
    expect(await codeOf(mallory.thread.markRead({ threadId: thread.id, seq: 1 }))).toBe('NOT_FOUND');
  });

  it('needs a session: UNAUTHORIZED', async () => {
    expect(await codeOf(anonymousCaller(deps).thread.list())).toBe('UNAUTHORIZED');
  });
});
