import type { ActivityEvent, ThreadSummary } from '@parley/client';

type ChangeEvent = Extract<ActivityEvent, { type: 'change' }>['event'];
type ReadEvent = Extract<ActivityEvent, { type: 'read' }>;

/**
 * The summary after a change event: `lastSeq` moves to it (every seq is an event, so a message after it
 * is no gap), and the last-message preview shows an edit or delete of that message. An event at or
 * below `lastSeq` is already in the summary and returns it unchanged (the same object). The unread
 * count is not touched: a deleted unread message is corrected by the next thread.list read.
 */
export function withChangeApplied(thread: ThreadSummary, event: ChangeEvent): ThreadSummary {
  if (event.seq <= thread.lastSeq) return thread;
  const moved = { ...thread, lastSeq: event.seq };
  const last = thread.lastMessage;
  if (!last || last.id !== event.messageId) return moved;
  // A live edit always has its body; null only comes from a catch-up after a delete, which follows.
  if (event.kind === 'edit' && event.body !== null) {
    return { ...moved, lastMessage: { ...last, body: event.body, editedAt: event.at, mentions: event.mentions } };
  }
  if (event.kind === 'delete')
    return { ...moved, lastMessage: { ...last, body: '', deletedAt: event.at, mentions: [], reactions: [], attachments: [] } };
  return moved;
}

/** The summary with a member's read marker moved forward; markers never go back (notices can arrive out of order). */
export function withReadApplied(thread: ThreadSummary, notice: ReadEvent): ThreadSummary {
  const member = thread.members.find((m) => m.id === notice.userId);
  if (!member || member.lastReadSeq >= notice.lastReadSeq) return thread;
  return { ...thread, members: thread.members.map((m) => (m === member ? { ...m, lastReadSeq: notice.lastReadSeq } : m)) };
}

/** `thread` with each member's read marker at least the one `other` (another copy of it) has. */
export function withReadMarkersOf(thread: ThreadSummary, other: ThreadSummary): ThreadSummary {
  let isChanged = false;
  const members = thread.members.map((member) => {
    const seen = other.members.find((m) => m.id === member.id)?.lastReadSeq ?? 0;
    if (seen <= member.lastReadSeq) return member;
    isChanged = true;
    return { ...member, lastReadSeq: seen };
  });
  return isChanged ? { ...thread, members } : thread;
}
