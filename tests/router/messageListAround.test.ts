import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderDeps, type Provider } from '../helpers/providerDeps.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

type Caller = Awaited<ReturnType<typeof signedInCaller>>;

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('message.list around a seq on %s', (provider) => {
  let deps: TestDeps;
  let ada: Caller;
  let threadId: string;
  beforeAll(async () => {
    deps = await createProviderDeps(provider);
    ada = await signedInCaller(deps, 'ada');
    const bob = await signedInCaller(deps, 'bob');
    threadId = (await ada.thread.getOrCreate({ username: bob.user.username })).id;
    for (let i = 1; i <= 30; i++) await (i % 2 ? ada : bob).message.send({ threadId, body: `message ${i}` });
    const [last] = (await bob.message.list({ threadId, limit: 1 })).messages;
    await bob.message.edit({ messageId: last!.id, body: 'message 30, edited' }); // seq 31
  }, 60_000);
  afterAll(async () => {
    await deps.close();
  });

  const seqs = (page: { messages: Array<{ seq: number }> }) => page.messages.map((m) => m.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('centres the page on the seq, the message at it included, with cursors both ways and the seq it is current at', async () => {
    const page = await ada.message.list({ threadId, aroundSeq: 15, limit: 10 });
    expect(seqs(page)).toEqual(range(11, 20));
    expect(page).toMatchObject({ prevCursor: 11, nextCursor: 20, asOfSeq: 31 });
    expect(seqs(await ada.message.list({ threadId, aroundSeq: 15, limit: 5 }))).toEqual(range(13, 17));
  });

  it('pages both ways from there to both ends, every message once', async () => {
    const around = await ada.message.list({ threadId, aroundSeq: 15, limit: 10 });
    const before = await ada.message.list({ threadId, beforeSeq: around.prevCursor!, limit: 10 });
    expect(seqs(before)).toEqual(range(1, 10));
    expect(before).toMatchObject({ prevCursor: null, nextCursor: 10 });
    const after = await ada.message.list({ threadId, afterSeq: around.nextCursor!, limit: 10 });
    expect(seqs(after)).toEqual(range(21, 30));
    expect(after).toMatchObject({ prevCursor: 21, nextCursor: null, asOfSeq: 31 }); // seq 31 is an edit, not a message
    expect(after.messages.at(-1)?.body).toBe('message 30, edited');
    expect(await ada.message.list({ threadId, afterSeq: 30 })).toMatchObject({ messages: [], nextCursor: null });
  });

  it('fills the page from the other side near either end', async () => {
    expect(seqs(await ada.message.list({ threadId, aroundSeq: 2, limit: 10 }))).toEqual(range(1, 10));
    const nearEnd = await ada.message.list({ threadId, aroundSeq: 29, limit: 10 });
    expect(seqs(nearEnd)).toEqual(range(21, 30));
    expect(nearEnd.nextCursor).toBeNull();
    expect(seqs(await ada.message.list({ threadId, aroundSeq: 500, limit: 3 }))).toEqual([28, 29, 30]);
  });

  it('keeps the newest page as it was: no newer cursor', async () => {
    const newest = await ada.message.list({ threadId, limit: 10 });
    expect(seqs(newest)).toEqual(range(21, 30));
    expect(newest).toMatchObject({ prevCursor: 21, nextCursor: null, asOfSeq: 31 });
  });

  it('takes one position at most (BAD_REQUEST), and answers NOT_FOUND to a stranger', async () => {
    expect(await codeOf(ada.message.list({ threadId, beforeSeq: 5, aroundSeq: 3 }))).toBe('BAD_REQUEST');
    expect(await codeOf(ada.message.list({ threadId, afterSeq: 5, aroundSeq: 3 }))).toBe('BAD_REQUEST');
    const eve = await signedInCaller(deps, `eve${provider}`);
    expect(await codeOf(eve.message.list({ threadId, aroundSeq: 3 }))).toBe('NOT_FOUND');
  });
});
