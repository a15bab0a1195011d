import type { NotificationLevel } from '../push/notificationLevel.ts';
import type { MessageView } from './messageView.ts';

interface ThreadMemberView {
  id: string;
  username: string;
  /** The highest seq this member has read (read receipts); live changes come as `read` activity. */
  lastReadSeq: number;
}

export interface ThreadView {
  id: string;
  kind: 'direct' | 'group';
  /** A group's name, or null (direct threads are shown by the other member's name). */
  title: string | null;
  members: ThreadMemberView[];
  lastSeq: number;
}

/** Unread counts stop here: past it a badge says 999+, and counting costs no more. */
export const UNREAD_COUNT_CAP = 999;

export interface ThreadSummary extends ThreadView {
  lastMessage: MessageView | null;
  /** Messages by others after my read marker, deleted ones not counted; capped at UNREAD_COUNT_CAP. */
  unreadCount: number;
  /** Messages after my read marker that mention me (capped like unreadCount). */
  unreadMentions: number;
  /** What notifies me here: my choice, or the default (all in direct threads, mentions in groups). */
  notifications: NotificationLevel;
  /** ISO-8601 of the latest message, or of the thread's creation when it has none. */
  lastActivityAt: string;
}

export const threadMembersInclude = {
  members: { select: { lastReadSeq: true, user: { select: { id: true, username: true } } }, orderBy: { joinedAt: 'asc' } },
} as const;

export function toThreadView(row: {
  id: string;
  kind: string;
  title: string | null;
  lastSeq: number;
  members: { lastReadSeq: number; user: { id: string; username: string } }[];
}): ThreadView {
  return {
    id: row.id,
    kind: row.kind === 'group' ? 'group' : 'direct',
    title: row.title,
    members: row.members.map((m) => ({ id: m.user.id, username: m.user.username, lastReadSeq: m.lastReadSeq })),
    lastSeq: row.lastSeq,
  };
}
