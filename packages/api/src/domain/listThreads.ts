import type { Deps } from '../deps.ts';
import { attachmentsById, idsNeedingAttachments } from '../db/attachmentRows.ts';
import { rowToMessageView, type MessageViewRow } from '../db/messageViewRow.ts';
import { lastMessagesSql, threadPageSql, unreadCountsSql } from '../db/threadPageSql.ts';
import { effectiveLevel } from '../push/notificationLevel.ts';
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
  const [memberships, threads, lastMessages, levels] = await Promise.all([
    unreadCountsOf(deps, userId, ids),
    deps.db.thread.findMany({ where: { id: { in: ids } }, include: threadMembersInclude }),
    lastMessagesOf(deps, ids),
    deps.db.threadMember.findMany({ where: { userId, threadId: { in: ids } }, select: { threadId: true, notifications: true } }),
  ]);
  const byId = new Map(threads.map((t) => [t.id, t]));
  const chosenLevel = new Map(levels.map((m) => [m.threadId, m.notifications]));
  const summaries = memberships.flatMap(({ threadId, unread, mentions }): ThreadSummary[] => {
    const thread = byId.get(threadId);
    if (!thread) return [];
    return [
      {
        ...toThreadView(thread),
        lastMessage: lastMessages.get(threadId) ?? null,
        unreadCount: unread,
        unreadMentions: mentions,
        notifications: effectiveLevel(chosenLevel.get(threadId) ?? null, thread.kind),
        lastActivityAt: (thread.lastMessageAt ?? thread.createdAt).toISOString(),
      },
    ];
  });
  return summaries.sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
}

async function lastMessagesOf(deps: Pick<Deps, 'db' | 'dbProvider'>, threadIds: string[]): Promise<Map<string, MessageView>> {
  const param = deps.dbProvider === 'postgresql' ? threadIds : JSON.stringify(threadIds);
  const rows = await deps.db.$queryRawUnsafe<MessageViewRow[]>(lastMessagesSql(deps.dbProvider), param);
  // A message of files alone is shown by its files in the list ("📎 name").
  const withFiles = idsNeedingAttachments(rows);
  const files =
    withFiles.length === 0
      ? []
      : await deps.db.attachment.findMany({
          where: { messageId: { in: withFiles }, deletedAt: null },
          orderBy: [{ messageId: 'asc' }, { position: 'asc' }],
        });
  const attachments = attachmentsById(files);
  return new Map(rows.map((row) => [row.threadId, rowToMessageView(row, [], attachments.get(row.id) ?? [])]));
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
