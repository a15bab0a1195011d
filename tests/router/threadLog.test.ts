import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEvent, ThreadEvent } from '@parley/api';
import { createProviderDeps, type Provider } from '../helpers/providerDeps.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

type Caller = Awaited<ReturnType<typeof signedInCaller>>;

/** Reads `count` events of a thread's log from a subscription, then stops it. */
async function takeEvents(stream: AsyncIterable<unknown>, count: number): Promise<ThreadEvent[]> {
  const out: ThreadEvent[] = [];
  for await (const envelope of stream) {
    const [id, event] = envelope as [string, ThreadEvent];
    expect(id).toBe(String(event.seq));
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

async function firstActivity(stream: AsyncIterable<ActivityEvent>, matches: (e: ActivityEvent) => boolean): Promise<ActivityEvent> {
  for await (const event of stream) if (matches(event)) return event;
  throw new Error('activity stream ended');
}

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('the thread log on %s', (provider) => {
  let deps: TestDeps;
  let n = 0;
  beforeAll(async () => {
    deps = await createProviderDeps(provider);
  }, 60_000);
  afterAll(async () => {
    await deps.close();
  });

  /** Fresh people per test: ada and bob share a thread, eve is a stranger to it. */
  async function people(): Promise<{ ada: Caller; bob: Caller; eve: Caller; threadId: string }> {
    n++;
    const [ada, bob, eve] = await Promise.all(['ada', 'bob', 'eve'].map((name) => signedInCaller(deps, `${name}${n}`)));
    const thread = await ada!.thread.getOrCreate({ username: bob!.user.username });
    return { ada: ada!, bob: bob!, eve: eve!, threadId: thread.id };
  }

  const listed = async (caller: Caller, threadId: string) => (await caller.message.list({ threadId })).messages;

  it('edits: the author changes the text with the next seq; list shows it edited; a same-text edit stores nothing', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'helo' });
    const edit = await ada.message.edit({ messageId: sent.id, body: `hello @${bob.user.username}` });
    expect(edit).toMatchObject({
      kind: 'edit',
      seq: 2,
      messageId: sent.id,
      actor: ada.user,
      body: `hello @${bob.user.username}`,
      mentions: [bob.user],
    });
    expect(await ada.message.edit({ messageId: sent.id, body: `hello @${bob.user.username}` })).toBeNull();
    const [message] = await listed(bob, threadId);
    expect(message).toMatchObject({ body: `hello @${bob.user.username}`, editedAt: edit!.at, mentions: [bob.user] });
    const page = await bob.message.list({ threadId });
    expect(page.asOfSeq).toBe(2);
  });

  it("refuses edits of someone else's message (FORBIDDEN), of a thread I am not in and of no message (NOT_FOUND alike), and of a deleted one (CONFLICT)", async () => {
    const { ada, bob, eve, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'mine' });
    expect(await codeOf(bob.message.edit({ messageId: sent.id, body: 'yours now' }))).toBe('FORBIDDEN');
    const stranger = await eve.message.edit({ messageId: sent.id, body: 'x' }).catch((e: Error) => e.message);
    const missing = await eve.message.edit({ messageId: 'no-such-message', body: 'x' }).catch((e: Error) => e.message);
    expect(stranger).toBe(missing);
    expect(await codeOf(eve.message.edit({ messageId: sent.id, body: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(eve.message.delete({ messageId: sent.id }))).toBe('NOT_FOUND');
    expect(await codeOf(eve.message.react({ messageId: sent.id, emoji: '👍', on: true }))).toBe('NOT_FOUND');
    await ada.message.delete({ messageId: sent.id });
    expect(await codeOf(ada.message.edit({ messageId: sent.id, body: 'back' }))).toBe('CONFLICT');
    expect(await codeOf(bob.message.react({ messageId: sent.id, emoji: '👍', on: true }))).toBe('CONFLICT');
    expect((await listed(ada, threadId))[0]).toMatchObject({ body: '', deletedAt: expect.any(String) });
  });

  it('deletes: the text of the message and of its earlier edits leaves storage; a tombstone keeps its seq; a second delete is a no-op', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'secret plan one' });
    await ada.message.edit({ messageId: sent.id, body: 'secret plan two' });
    await bob.message.react({ messageId: sent.id, emoji: '🎉', on: true });
    expect(await codeOf(bob.message.delete({ messageId: sent.id }))).toBe('FORBIDDEN');
    const deleted = await ada.message.delete({ messageId: sent.id });
    expect(deleted).toMatchObject({ kind: 'delete', seq: 4, messageId: sent.id });
    expect(await ada.message.delete({ messageId: sent.id })).toBeNull();
    const [tombstone] = await listed(bob, threadId);
    expect(tombstone).toMatchObject({ id: sent.id, seq: 1, body: '', deletedAt: deleted!.at, reactions: [], mentions: [] });
    const stored = JSON.stringify([
      await deps.db.message.findMany({ where: { threadId } }),
      await deps.db.threadEvent.findMany({ where: { threadId } }),
      await deps.db.reaction.findMany({ where: { messageId: sent.id } }),
    ]);
    expect(stored).not.toMatch(/secret plan/);
    // Replaying the log shows the edit without its text, then the delete.
    const log = await takeEvents(await bob.thread.onMessage({ threadId, lastEventId: '0' }), 4);
    expect(log.map((e) => e.kind)).toEqual(['message', 'edit', 'reaction', 'delete']);
    expect(log[1]).toMatchObject({ kind: 'edit', body: null });
  });

  it('reacts: on and off are idempotent, counts aggregate per emoji with mine per reader, and who reacted in order', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'lunch?' });
    expect(await ada.message.react({ messageId: sent.id, emoji: '👍', on: true })).toMatchObject({
      kind: 'reaction',
      emoji: '👍',
      on: true,
      actor: ada.user,
    });
    expect(await ada.message.react({ messageId: sent.id, emoji: '👍', on: true })).toBeNull();
    deps.clock.advance(1000);
    await bob.message.react({ messageId: sent.id, emoji: '👍', on: true });
    await bob.message.react({ messageId: sent.id, emoji: '👍🏽', on: true });
    const [forBob] = await listed(bob, threadId);
    expect(forBob!.reactions).toEqual([
      { emoji: '👍', count: 2, mine: true, users: [ada.user, bob.user] },
      { emoji: '👍🏽', count: 1, mine: true, users: [bob.user] },
    ]);
    const [forAda] = await listed(ada, threadId);
    expect(forAda!.reactions.map((r) => r.mine)).toEqual([true, false]);
    expect(await bob.message.react({ messageId: sent.id, emoji: '👍🏽', on: false })).toMatchObject({ on: false });
    expect(await bob.message.react({ messageId: sent.id, emoji: '👍🏽', on: false })).toBeNull();
    expect((await listed(bob, threadId))[0]!.reactions.map((r) => r.emoji)).toEqual(['👍']);
  });

  it('refuses a 21st distinct emoji (CONFLICT) and anything that is not one emoji (BAD_REQUEST)', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'react away' });
    const twenty = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
    for (const emoji of twenty) await ada.message.react({ messageId: sent.id, emoji, on: true });
    expect(await codeOf(bob.message.react({ messageId: sent.id, emoji: '🤔', on: true }))).toBe('CONFLICT');
    // One more of an emoji already there is fine.
    expect(await bob.message.react({ messageId: sent.id, emoji: '😀', on: true })).not.toBeNull();
    for (const emoji of ['a', '1', '👍👍', '👍 ', '', ':+1:', '\u200d']) {
      expect(await codeOf(bob.message.react({ messageId: sent.id, emoji, on: true })), JSON.stringify(emoji)).toBe('BAD_REQUEST');
    }
  });

  it('replies quote a message of the same thread, as it is now: edited, then deleted', async () => {
    const { ada, bob, eve, threadId } = await people();
    const parent = await ada.message.send({ threadId, body: 'which   day\nworks?' });
    const reply = await bob.message.send({ threadId, body: 'friday', replyToId: parent.id });
    expect(reply.replyTo).toEqual({ id: parent.id, seq: 1, author: ada.user, snippet: 'which day works?', editedAt: null, deletedAt: null });
    const edit = await ada.message.edit({ messageId: parent.id, body: 'which evening works?' });
    expect((await listed(bob, threadId))[1]!.replyTo).toMatchObject({ snippet: 'which evening works?', editedAt: edit!.at });
    const deleted = await ada.message.delete({ messageId: parent.id });
    expect((await listed(bob, threadId))[1]!.replyTo).toMatchObject({ snippet: '', deletedAt: deleted!.at });
    expect(await codeOf(bob.message.send({ threadId, body: 'late', replyToId: parent.id }))).toBe('CONFLICT');
    const elsewhere = await eve.thread.getOrCreate({ username: ada.user.username });
    const other = await eve.message.send({ threadId: elsewhere.id, body: 'private' });
    expect(await codeOf(bob.message.send({ threadId, body: 'peek', replyToId: other.id }))).toBe('NOT_FOUND');
  });

  it('counts unread messages by others after my marker, not seqs, and mentions of me apart', async () => {
    const { ada, bob, threadId } = await people();
    await bob.message.send({ threadId, body: 'mine do not count' });
    const one = await ada.message.send({ threadId, body: `hi @${bob.user.username} and @nobody-here` });
    expect(one.mentions).toEqual([bob.user]);
    const two = await ada.message.send({ threadId, body: 'second' });
    await ada.message.send({ threadId, body: 'third' });
    await ada.message.edit({ messageId: two.id, body: 'second, edited' });
    await bob.message.react({ messageId: one.id, emoji: '👀', on: true });
    await ada.message.delete({ messageId: two.id });
    const [summary] = (await bob.thread.list()).filter((t) => t.id === threadId);
    expect(summary).toMatchObject({ unreadCount: 2, unreadMentions: 1 });
    await bob.thread.markRead({ threadId, seq: summary!.lastSeq });
    const [after] = (await bob.thread.list()).filter((t) => t.id === threadId);
    expect(after).toMatchObject({ unreadCount: 0, unreadMentions: 0 });
  });

  it('resumes from message.list asOfSeq with every later change once, in order, then live ones', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await ada.message.send({ threadId, body: 'v1' });
    const page = await bob.message.list({ threadId });
    await ada.message.edit({ messageId: sent.id, body: 'v2' });
    await bob.message.react({ messageId: sent.id, emoji: '✅', on: true });
    const stream = await bob.thread.onMessage({ threadId, lastEventId: String(page.asOfSeq) });
    const reading = takeEvents(stream, 4);
    await new Promise((r) => setTimeout(r, 50));
    await ada.message.delete({ messageId: sent.id });
    await ada.message.send({ threadId, body: 'after' });
    const events = await reading;
    expect(events.map((e) => [e.seq, e.kind])).toEqual([
      [2, 'edit'],
      [3, 'reaction'],
      [4, 'delete'],
      [5, 'message'],
    ]);
  });

  it("shows members' read markers in thread.list and announces them live to the others", async () => {
    const { ada, bob, threadId } = await people();
    await ada.message.send({ threadId, body: 'seen?' });
    const watching = firstActivity(await ada.thread.onActivity(), (e) => e.type === 'read');
    await new Promise((r) => setTimeout(r, 50));
    await bob.thread.markRead({ threadId, seq: 1 });
    expect(await watching).toEqual({ type: 'read', threadId, userId: bob.user.id, lastReadSeq: 1 });
    const [summary] = (await ada.thread.list()).filter((t) => t.id === threadId);
    expect(summary!.members).toEqual(
      expect.arrayContaining([
        { ...ada.user, lastReadSeq: 1 },
        { ...bob.user, lastReadSeq: 1 },
      ]),
    );
  });
});
