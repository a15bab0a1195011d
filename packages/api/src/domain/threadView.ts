import type { MessageView } from './messageView.ts';

export interface ThreadMemberView {
  id: string;
  username: string;
}

export interface ThreadView {
  id: string;
  kind: 'direct' | 'group';
  /** A group's name, or null (direct threads are shown by the other member's name). */
  title: string | null;
  members: ThreadMemberView[];
  lastSeq: number;
}

export interface ThreadSummary extends ThreadView {
  lastMessage: MessageView | null;
  /** Messages after the ones I have read; my own count as read. */
  unreadCount: number;
  /** ISO-8601 of the latest message, or of the thread's creation when it has none. */
  lastActivityAt: string;
}

export const threadMembersInclude = {
  members: { select: { user: { select: { id: true, username: true } } }, orderBy: { joinedAt: 'asc' } },
} as const;

export function toThreadView(row: {
  id: string;
  kind: string;
  title: string | null;
  lastSeq: number;
  members: { user: ThreadMemberView }[];
}): ThreadView {
  return {
    id: row.id,
    kind: row.kind === 'group' ? 'group' : 'direct',
    title: row.title,
    members: row.members.map((m) => m.user),
    lastSeq: row.lastSeq,
  };
}
