import type { Deps } from '../deps.ts';
import { rowToMessageView, type MessageViewRow } from '../db/messageViewRow.ts';
import { lastMessagesSql, threadPageSql, unreadCountsSql } from '../db/threadPageSql.ts';
import type { MessageView } from './messageView.ts';
import { threadMembersInclude, toThreadView, UNREAD_COUNT_CAP, type ThreadSummary } from './threadView.ts';

const THREAD_PAGE_DEFAULT_LIMIT = 50;

export interface ThreadPageInput {
  /** The last thread id of the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * A page of my threads (or just those in `onlyThreadIds`), most recent activity first, each with members,
 * last message and my unread counts. A page shorter than `limit` is the last.
 */
export async function listThreads(
  deps: Pick<Deps, 'db' | 'dbProvider'>,
  userId: string,
  onlyThreadIds?: string[],
  page: ThreadPageInput = {},
): Promise<ThreadSummary[]> {
  const limit = page.limit ?? THREAD_PAGE_DEFAULT_LIMIT;
  const ids = onlyThreadIds
    ? onlyThreadIds
    : (
        await deps.db.$queryRawUnsafe<Array<{ id: string }>>(
          threadPageSql(deps.dbProvider, page.cursor !== undefined),
          ...(page.cursor !== undefined ? [userId, userId, page.cursor, limit] : [userId, limit]),
        )
      ).map((row) => String(row.id));
  if (ids.length === 0) return [];
  const [memberships, threads, lastMessages] = await Promise.all([
    unreadCountsOf(deps, userId, ids),
    deps.db.thread.findMany({ where: { id: { in: ids } }, include: threadMembersInclude }),
    lastMessagesOf(deps, ids),
  ]);
  const byId = new Map(threads.map((t) => [t.id, t]));
  const summaries = memberships.flatMap(({ threadId, unread, mentions }): ThreadSummary[] => {
    const thread = byId.get(threadId);
    if (!thread) return [];
    return [
      {
        ...toThreadView(thread),
        lastMessage: lastMessages.get(threadId) ?? null,
        unreadCount: unread,
        unreadMentions: mentions,
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

async function unreadCountsOf(
  deps: Pick<Deps, 'db' | 'dbProvider'>,
  userId: string,
  threadIds: string[],
): Promise<Array<{ threadId: string; unread: number; mentions: number }>> {
  const param = deps.dbProvider === 'postgresql' ? threadIds : JSON.stringify(threadIds);
  const rows = await deps.db.$queryRawUnsafe<Array<{ threadId: string; unread: number | bigint; mentions: number | bigint }>>(
    unreadCountsSql(deps.dbProvider),
    UNREAD_COUNT_CAP,
    UNREAD_COUNT_CAP,
    userId,
    param,
  );
  return rows.map((row) => ({ threadId: String(row.threadId), unread: Number(row.unread), mentions: Number(row.mentions) }));
}
