import { testMessage } from '@parley/api/testing/testMessage';
import { describe, expect, it, vi } from 'vitest';
import { PresenceBook } from './presenceBook.ts';
import { createTypingNotifier, TypingState } from './typingState.ts';
import type { ActivityEvent } from './types.ts';

const typing = (threadId: string, userId: string, username: string): ActivityEvent => ({ type: 'typing', threadId, userId, username });
const message = (threadId: string, authorId: string): ActivityEvent => ({
  type: 'message',
  message: testMessage({ threadId, author: { id: authorId, username: authorId } }),
});

describe('TypingState', () => {
  it('shows a typist for 5 s unless the notice is repeated', () => {
    const state = new TypingState();
    expect(state.apply(typing('t1', 'u1', 'bob'), 0)).toBe(true);
    expect(state.typingIn('t1', 4999)).toEqual([{ userId: 'u1', username: 'bob' }]);
    expect(state.apply(typing('t1', 'u1', 'bob'), 4000)).toBe(false);
    expect(state.typingIn('t1', 8999)).toHaveLength(1);
    expect(state.nextExpiry(8999)).toBe(9000);
    expect(state.typingIn('t1', 9000)).toEqual([]);
    expect(state.nextExpiry(9000)).toBeNull();
    expect(state.typingIn('t2', 0)).toEqual([]);
  });

  it('clears a typist when their message arrives, in that thread only', () => {
    const state = new TypingState();
    state.apply(typing('t1', 'u1', 'bob'), 0);
    state.apply(typing('t2', 'u1', 'bob'), 0);
    state.apply(typing('t1', 'u2', 'anna'), 0);
    expect(state.apply(message('t1', 'u1'), 100)).toBe(true);
    expect(state.typingIn('t1', 100)).toEqual([{ userId: 'u2', username: 'anna' }]);
    expect(state.typingIn('t2', 100)).toHaveLength(1);
    expect(state.apply(message('t1', 'u3'), 100)).toBe(false);
  });
});

describe('createTypingNotifier', () => {
  it('sends at most one notice per interval while typing, and at once after reset', () => {
    let now = 0;
    const send = vi.fn(async () => undefined);
    const notifier = createTypingNotifier(send, 2000, () => now);
    for (now = 0; now < 5000; now += 100) notifier.notify();
    expect(send).toHaveBeenCalledTimes(3); // at 0, 2000 and 4000
    notifier.reset();
    notifier.notify();
    expect(send).toHaveBeenCalledTimes(4);
  });
});

describe('PresenceBook', () => {
  it('keeps the highest version per user, whatever order answers and events arrive in', () => {
    const book = new PresenceBook();
    expect(book.apply({ userId: 'u', online: false, version: 7, lastSeenAt: 'x' })).toBe(true);
    expect(book.apply({ userId: 'u', online: true, version: 6, lastSeenAt: null })).toBe(false);
    expect(book.isOnline('u')).toBe(false);
    expect(book.apply({ userId: 'u', online: true, version: 8, lastSeenAt: null })).toBe(true);
    expect(book.isOnline('u')).toBe(true);
    book.clear();
    expect(book.get('u')).toBeUndefined();
  });
});
