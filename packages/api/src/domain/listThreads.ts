import type { Deps } from '../deps.ts';
import { rowToMessageView, type MessageViewRow } from '../db/messageViewRow.ts';
import { lastMessagesSql, threadPageSql } from '../db/threadPageSql.ts';
import type { MessageView } from './messageView.ts';
import { threadMembersInclude, toThreadView, type ThreadSummary } from './threadView.ts';

const THREAD_PAGE_DEFAULT_LIMIT = 50;

export interface ThreadPageInput {
  /** The last thread id of the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * A page of my threads (or just those in `onlyThreadIds`), most recent activity first, each with members,
 * last message and my unread count. A page shorter than `limit` is the last.
 */
export async function listThreads(
  deps: Pick<Deps, 'db' | 'dbProvider'>,
  userId: string,
  onlyThreadIds?: string[],
  page: ThreadPageInput = {},
): Promise<ThreadSummary[]> {
  const limit = page.limit ?? THREAD_PAGE_DEFAULT_LIMIT;
  const memberships = onlyThreadIds
    ? await deps.db.threadMember.findMany({ where: { userId, threadId: { in: onlyThreadIds } }, select: { threadId: true, lastReadSeq: true } })
    : (
        await deps.db.$queryRawUnsafe<Array<{ id: string; lastReadSeq: number | bigint }>>(
          threadPageSql(deps.dbProvider, page.cursor !== undefined),
          ...(page.cursor !== undefined ? [userId, userId, page.cursor, limit] : [userId, limit]),
        )
      ).map((row) => ({ threadId: String(row.id), lastReadSeq: Number(row.lastReadSeq) }));
  if (memberships.length === 0) return [];
  const ids = memberships.map((m) => m.threadId);
  const [threads, lastMessages] = await Promise.all([
    deps.db.thread.findMany({ where: { id: { in: ids } }, include: threadMembersInclude }),
    lastMessagesOf(deps, ids),
  ]);
  const byId = new Map(threads.map((t) => [t.id, t]));
  const summaries = memberships.flatMap(({ threadId, lastReadSeq }): ThreadSummary[] => {
    const thread = byId.get(threadId);
    if (!thread) return [];
    return [
      {
        ...toThreadView(thread),
        lastMessage: lastMessages.get(threadId) ?? null,
        unreadCount: Math.max(0, thread.lastSeq - lastReadSeq),
        lastActivityAt: (thread.lastMessageAt ?? thread.createdAt).toISOString(),
      },
    ];
  });
  return summaries.sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
}

async function lastMessagesOf(deps: Pick<Deps, 'db' | 'dbProvider'>, threadIds: string[]): Promise<Map<string, MessageView>> {
  const param = deps.dbProvider === 'postgresql' ? threadIds : JSON.stringify(threadIds);
  const rows = await deps.db.$queryRawUnsafe<MessageViewRow[]>(lastMessagesSql(deps.dbProvider), param);
  return new Map(rows.map((row) => [row.threadId, rowToMessageView(row)]));
}
