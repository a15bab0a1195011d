import { describe, expect, it } from 'vitest';
import type { MessageView, ThreadSummary } from '@parley/client';
import { withChangeApplied, withReadApplied, withReadMarkersOf } from './threadSummaryChanges.ts';

const anna = { id: 'u-anna', username: 'anna' };
const last: MessageView = {
  id: 'm2',
  threadId: 't',
  seq: 2,
  author: anna,
  body: 'hello',
  clientId: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  replyTo: null,
  mentions: [],
  reactions: [],
  attachments: [],
};
const thread: ThreadSummary = {
  id: 't',
  kind: 'direct',
  title: null,
  members: [
    { ...anna, lastReadSeq: 2 },
    { id: 'u-bob', username: 'bob', lastReadSeq: 1 },
  ],
  lastSeq: 2,
  lastMessage: last,
  notifications: 'all',
  unreadCount: 1,
  unreadMentions: 0,
  lastActivityAt: last.createdAt,
};
const base = { threadId: 't', seq: 3, actor: anna, at: '2025-01-01T00:01:00.000Z' };

describe('withChangeApplied', () => {
  it('shows an edit of the last message in the preview', () => {
    const next = withChangeApplied(thread, { ...base, kind: 'edit', messageId: 'm2', body: 'hello there', mentions: [] });
    expect(next.lastMessage).toMatchObject({ body: 'hello there', editedAt: base.at });
  });

  it('shows a delete of the last message as a tombstone', () => {
    const next = withChangeApplied(thread, { ...base, kind: 'delete', messageId: 'm2' });
    expect(next.lastMessage).toMatchObject({ body: '', deletedAt: base.at });
  });

  it('keeps the preview for reactions and changes to older messages, but moves lastSeq', () => {
    const reacted = withChangeApplied(thread, { ...base, kind: 'reaction', messageId: 'm2', emoji: '👍', on: true });
    expect(reacted).toEqual({ ...thread, lastSeq: 3 });
    expect(withChangeApplied(thread, { ...base, kind: 'delete', messageId: 'm1' })).toEqual({ ...thread, lastSeq: 3 });
  });

  it('ignores an event the summary already reflects', () => {
    expect(withChangeApplied(thread, { ...base, seq: 2, kind: 'delete', messageId: 'm2' })).toBe(thread);
  });
});

describe('withReadApplied', () => {
  it("moves a member's read marker forward", () => {
    const next = withReadApplied(thread, { type: 'read', threadId: 't', userId: 'u-bob', lastReadSeq: 2 });
    expect(next.members.find((m) => m.id === 'u-bob')?.lastReadSeq).toBe(2);
  });

  it('never moves a marker back', () => {
    expect(withReadApplied(thread, { type: 'read', threadId: 't', userId: 'u-anna', lastReadSeq: 1 })).toBe(thread);
  });
});

describe('withReadMarkersOf', () => {
  it('keeps the higher read marker of each member from either copy', () => {
    const older = {
      ...thread,
      members: [
        { ...anna, lastReadSeq: 1 },
        { id: 'u-bob', username: 'bob', lastReadSeq: 3 },
      ],
    };
    expect(withReadMarkersOf(older, thread).members.map((m) => m.lastReadSeq)).toEqual([2, 3]);
    expect(withReadMarkersOf(thread, thread)).toBe(thread);
  });
});
