import type { Deps } from '../deps.ts';
import { messageInclude, toMessageView } from './messageView.ts';
import { threadMembersInclude, toThreadView, type ThreadSummary } from './threadView.ts';

/**
 * My threads (or just those in `onlyThreadIds`), most recent activity first, each with members, last
 * message and my unread count.
 */
export async function listThreads(deps: Pick<Deps, 'db'>, userId: string, onlyThreadIds?: string[]): Promise<ThreadSummary[]> {
  const memberships = await deps.db.threadMember.findMany({
    where: { userId, ...(onlyThreadIds ? { threadId: { in: onlyThreadIds } } : {}) },
    select: {
      lastReadSeq: true,
      thread: {
        include: {
          ...threadMembersInclude,
          messages: { orderBy: { seq: 'desc' }, take: 1, include: messageInclude },
        },
      },
    },
  });
  const summaries = memberships.map(({ lastReadSeq, thread }): ThreadSummary => {
    const last = thread.messages[0];
    return {
      ...toThreadView(thread),
      lastMessage: last ? toMessageView(last) : null,
      unreadCount: Math.max(0, thread.lastSeq - lastReadSeq),
      lastActivityAt: (thread.lastMessageAt ?? thread.createdAt).toISOString(),
    };
  });
  return summaries.sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
}
