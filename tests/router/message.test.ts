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

async function aliceAndBob() {
  const alice = await signedInCaller(deps, 'alice');
  const bob = await signedInCaller(deps, 'bob');
  const thread = await alice.thread.getOrCreate({ username: 'bob' });
  return { alice, bob, thread };
}

describe('message.send', () => {
  it('stores the trimmed body with the next seq and returns it', async () => {
    const { alice, thread } = await aliceAndBob();
    const first = await alice.message.send({ threadId: thread.id, body: '  hello  ' });
    const second = await alice.message.send({ threadId: thread.id, body: 'again' });
    expect(first).toEqual({
      id: expect.any(String),
      threadId: thread.id,
      seq: 1,
      author: alice.user,
      body: 'hello',
      clientId: null,
      createdAt: deps.clock.now().toISOString(),
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      mentions: [],
      reactions: [],
      attachments: [],
    });
    expect(second.seq).toBe(2);
  });

  it('hands out unique, gapless seqs to concurrent senders', async () => {
    const { alice, bob, thread } = await aliceAndBob();
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? alice : bob).message.send({ threadId: thread.id, body: `m${i}` })));
    expect(sent.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('returns the first message when retried with the same clientId', async () => {
    const { alice, thread } = await aliceAndBob();
    const first = await alice.message.send({ threadId: thread.id, body: 'once', clientId: 'c-1' });
    const retry = await alice.message.send({ threadId: thread.id, body: 'once', clientId: 'c-1' });
    const racing = await Promise.all([1, 2, 3].map(() => alice.message.send({ threadId: thread.id, body: 'x', clientId: 'c-2' })));
    expect(retry).toEqual(first);
    expect(new Set(racing.map((m) => m.id)).size).toBe(1);
    expect(await deps.db.message.count()).toBe(2);
    expect((await deps.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).lastSeq).toBe(2);
  });

  it('refuses a clientId reused for another thread with CONFLICT', async () => {
    const { alice, thread } = await aliceAndBob();
    await signedInCaller(deps, 'carol');
    const other = await alice.thread.getOrCreate({ username: 'carol' });
    await alice.message.send({ threadId: thread.id, body: 'one', clientId: 'c-1' });
    expect(await codeOf(alice.message.send({ threadId: other.id, body: 'two', clientId: 'c-1' }))).toBe('CONFLICT');
  });

  it('refuses a non-member and an unknown thread alike with NOT_FOUND', async () => {
    const { thread } = await aliceAndBob();
    const mallory = await signedInCaller(deps, 'mallory');
    expect(await codeOf(mallory.message.send({ threadId: thread.id, body: 'hi' }))).toBe('NOT_FOUND');
    expect(await codeOf(mallory.message.send({ threadId: 'no-such-thread', body: 'hi' }))).toBe('NOT_FOUND');
    expect(await deps.db.message.count()).toBe(0);
  });

  it.each([[''], ['   '], ['x'.repeat(4001)]])('refuses body of length %#  with BAD_REQUEST', async (body) => {
    const { alice, thread } = await aliceAndBob();
    expect(await codeOf(alice.message.send({ threadId: thread.id, body }))).toBe('BAD_REQUEST');
  });

  it('accepts a body of exactly 4000 characters', async () => {
    const { alice, thread } = await aliceAndBob();
    expect((await alice.message.send({ threadId: thread.id, body: 'y'.repeat(4000) })).body).toHaveLength(4000);
  });

  it('needs a session: UNAUTHORIZED', async () => {
    const { thread } = await aliceAndBob();
    expect(await codeOf(anonymousCaller(deps).message.send({ threadId: thread.id, body: 'hi' }))).toBe('UNAUTHORIZED');
  });
});

describe('message.list', () => {
  it('pages back through history, 50 by default, oldest first within a page', async () => {
    const { alice, bob, thread } = await aliceAndBob();
    for (let i = 1; i <= 120; i++) await (i % 2 ? alice : bob).message.send({ threadId: thread.id, body: `m${i}` });
    const newest = await bob.message.list({ threadId: thread.id });
    expect(newest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(newest.prevCursor).toBe(71);
    const middle = await bob.message.list({ threadId: thread.id, beforeSeq: newest.prevCursor!, limit: 60 });
    expect(middle.messages.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => 11 + i));
    const oldest = await bob.message.list({ threadId: thread.id, beforeSeq: middle.prevCursor! });
    expect(oldest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i));
    expect(oldest.prevCursor).toBeNull();
  });

  it('returns an empty page and no cursor for a thread without messages', async () => {
    const { alice, thread } = await aliceAndBob();
    expect(await alice.message.list({ threadId: thread.id })).toEqual({ messages: [], prevCursor: null, nextCursor: null, asOfSeq: 0 });
  });

  it('refuses a limit over 100 with BAD_REQUEST and a non-member with NOT_FOUND', async () => {
    const { alice, thread } = await aliceAndBob();
    const mallory = await signedInCaller(deps, 'mallory');
    expect(await codeOf(alice.message.list({ threadId: thread.id, limit: 101 }))).toBe('BAD_REQUEST');
    expect(await codeOf(mallory.message.list({ threadId: thread.id }))).toBe('NOT_FOUND');
    expect(await codeOf(anonymousCaller(deps).message.list({ threadId: thread.id }))).toBe('UNAUTHORIZED');
  });
});
