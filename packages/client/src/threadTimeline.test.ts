import { testMessage } from '@parley/api/testing/testMessage';
import { messageEvent } from '@parley/api/domain/threadEvent';
import { describe, expect, it } from 'vitest';
import { ThreadTimeline } from './threadTimeline.ts';
import type { MessageView } from './types.ts';

const alice = { id: 'u-alice', username: 'alice' };
const bob = { id: 'u-bob', username: 'bob' };
const now = new Date('2026-11-25T12:00:00Z');

function message(seq: number, author = bob, clientId: string | null = null, body = `m${seq}`): MessageView {
  return testMessage({ seq, author, body, clientId, createdAt: new Date(now.getTime() + seq * 1000).toISOString() });
}

const rows = (timeline: ThreadTimeline) => timeline.entries.map((e) => `${e.status}:${e.seq ?? '-'}:${e.body}`);

describe('ThreadTimeline', () => {
  it('shows a send at once as pending, after the confirmed messages', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPage({ messages: [message(1), message(2)], prevCursor: null, asOfSeq: 0 });
    timeline.addPending('c1', 'hello', now);
    expect(rows(timeline)).toEqual(['confirmed:1:m1', 'confirmed:2:m2', 'pending:-:hello']);
    expect(timeline.entries.at(-1)).toMatchObject({ author: alice, clientId: 'c1', createdAt: now.toISOString() });
  });

  it('replaces the pending send when the mutation result comes first, and ignores the later subscription copy', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    const key = timeline.entries[0]?.key;
    const stored = message(1, alice, 'c1', 'hello');
    timeline.receive(stored);
    timeline.receive({ ...stored });
    expect(rows(timeline)).toEqual(['confirmed:1:hello']);
    expect(timeline.entries[0]?.key).toBe(key);
  });

  it('replaces the pending send when the subscription delivers it before the mutation returns', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    timeline.addPending('c2', 'second', now);
    timeline.receive(message(1, alice, 'c1', 'hello'));
    expect(rows(timeline)).toEqual(['confirmed:1:hello', 'pending:-:second']);
    timeline.receive(message(1, alice, 'c1', 'hello'));
    expect(rows(timeline)).toEqual(['confirmed:1:hello', 'pending:-:second']);
  });

  it('marks a failed send and retries it with the same clientId, leaving one row when it lands', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    timeline.markFailed('c1', 'WebSocket closed');
    expect(timeline.entries[0]).toMatchObject({ status: 'failed', error: 'WebSocket closed', clientId: 'c1' });
    expect(timeline.retry('c1')).toBe('hello');
    expect(timeline.entries[0]).toMatchObject({ status: 'pending', error: null });
    timeline.receive(message(1, alice, 'c1', 'hello'));
    expect(rows(timeline)).toEqual(['confirmed:1:hello']);
  });

  it('turns a failed send into the stored message when the server had it after all', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    timeline.markFailed('c1', 'timed out');
    timeline.receive(message(1, alice, 'c1', 'hello'));
    expect(rows(timeline)).toEqual(['confirmed:1:hello']);
    expect(timeline.retry('c1')).toBeNull();
  });

  it('ignores a failure reported after the confirmation, and a retry of a send that is not failed', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    expect(timeline.retry('c1')).toBeNull();
    timeline.receive(message(1, alice, 'c1', 'hello'));
    timeline.markFailed('c1', 'late error');
    expect(rows(timeline)).toEqual(['confirmed:1:hello']);
  });

  it('refuses a clientId that is already pending', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    expect(() => timeline.addPending('c1', 'again', now)).toThrow(/already/);
  });

  it("does not take someone else's message with the same clientId for my send", () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'mine', now);
    timeline.receive(message(1, bob, 'c1', 'theirs'));
    expect(rows(timeline)).toEqual(['confirmed:1:theirs', 'pending:-:mine']);
  });

  it('merges live messages by seq exactly once and in order, whatever order they arrive in', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPage({ messages: [message(1), message(2)], prevCursor: null, asOfSeq: 2 });
    for (const seq of [4, 3, 2, 5, 4, 3]) timeline.receive(message(seq));
    expect(timeline.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    // Send results and out-of-band copies do not move the resume cursor; the log does.
    expect(timeline.lastEventSeq).toBe(2);
    for (const seq of [3, 4, 5, 4]) timeline.apply(messageEvent(message(seq)));
    expect(timeline.lastEventSeq).toBe(5);
    expect(timeline.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('prepends older pages and moves the cursor back, but a reloaded newest page does not move it forward', () => {
    const timeline = new ThreadTimeline(alice);
    expect(timeline.prevCursor).toBeUndefined();
    timeline.addPage({ messages: [message(5), message(6)], prevCursor: 5, asOfSeq: 0 });
    expect(timeline.hasOlder).toBe(true);
    timeline.addPage({ messages: [message(3), message(4)], prevCursor: 3, asOfSeq: 0 });
    expect(timeline.prevCursor).toBe(3);
    timeline.addPage({ messages: [message(5), message(6), message(7)], prevCursor: 5, asOfSeq: 0 });
    expect(timeline.prevCursor).toBe(3);
    timeline.addPage({ messages: [message(1), message(2)], prevCursor: null, asOfSeq: 0 });
    expect(timeline.hasOlder).toBe(false);
    expect(timeline.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('knows an empty thread has nothing older', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPage({ messages: [], prevCursor: null, asOfSeq: 0 });
    expect(timeline.hasOlder).toBe(false);
    expect(timeline.lastEventSeq).toBe(0);
  });

  it('makes a new row object for every change, so renderers can compare by identity', () => {
    const timeline = new ThreadTimeline(alice);
    timeline.addPending('c1', 'hello', now);
    const before = timeline.entries[0];
    timeline.markFailed('c1', 'boom');
    expect(timeline.entries[0]).not.toBe(before);
    expect(before?.status).toBe('pending');
  });

  it('applies edits, deletes and reactions to loaded messages and their quotes, and ignores those it already reflects', () => {
    const timeline = new ThreadTimeline(alice);
    const parent = message(1, bob, null, 'lunch at noon?');
    const reply = {
      ...message(2, alice, 'c2', 'yes'),
      replyTo: { id: parent.id, seq: 1, author: bob, snippet: 'lunch at noon?', editedAt: null, deletedAt: null },
    };
    timeline.addPage({ messages: [parent, reply], prevCursor: null, asOfSeq: 2 });
    const base = { threadId: parent.threadId, messageId: parent.id, actor: bob };
    timeline.apply({ ...base, kind: 'edit', seq: 3, at: 'T3', body: 'lunch at one?', mentions: [alice] });
    timeline.apply({ ...base, kind: 'reaction', seq: 4, at: 'T4', actor: alice, emoji: '👍', on: true });
    timeline.apply({ ...base, kind: 'reaction', seq: 5, at: 'T5', emoji: '👍', on: true });
    timeline.apply({ ...base, kind: 'reaction', seq: 4, at: 'T4', actor: alice, emoji: '👍', on: false }); // an old seq: ignored
    let [first, second] = timeline.entries;
    expect(first).toMatchObject({ body: 'lunch at one?', editedAt: 'T3', mentions: [alice] });
    expect(first!.reactions).toEqual([{ emoji: '👍', count: 2, mine: true, users: [alice, bob] }]);
    expect(second!.replyTo).toMatchObject({ snippet: 'lunch at one?', editedAt: 'T3' });
    timeline.apply({ ...base, kind: 'reaction', seq: 6, at: 'T6', actor: alice, emoji: '👍', on: false });
    expect(timeline.entries[0]!.reactions).toEqual([{ emoji: '👍', count: 1, mine: false, users: [bob] }]);
    timeline.apply({ ...base, kind: 'delete', seq: 7, at: 'T7' });
    [first, second] = timeline.entries;
    expect(first).toMatchObject({ body: '', deletedAt: 'T7', reactions: [], mentions: [] });
    expect(second!.replyTo).toMatchObject({ snippet: '', deletedAt: 'T7' });
    // About a message older than the loaded page: nothing shown changes, the cursor moves on.
    timeline.apply({ ...base, messageId: 'older', kind: 'delete', seq: 8, at: 'T8' });
    expect(timeline.lastEventSeq).toBe(8);
    expect(timeline.entries).toHaveLength(2);
  });
});
