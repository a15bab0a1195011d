import { messageEvent, type ThreadEvent } from '../domain/threadEvent.ts';
import type { AttachmentView, UserRef } from '../domain/messageView.ts';
import { isoOf, messageViewColumns, REPLY_JOIN, replyColumns, rowToMessageView, type MessageViewRow } from './messageViewRow.ts';
import { placeholders, type Dialect, type SqlRow } from './sqlScript.ts';

/**
 * A thread's log after a seq, read in one statement: messages are their own rows (a send stays one
 * insert), every other kind is a ThreadEvent row, and one statement is one snapshot, so the merged page
 * has no hole (every seq is exactly one row of the two tables, committed in seq order).
 * Params: threadId, afterSeq, limit, threadId, afterSeq, limit, limit.
 */
export function threadLogAfterSql(dialect: Dialect): string {
  const none = dialect.nullTimestamp;
  return `
  SELECT * FROM (
    SELECT * FROM (
      SELECT 'message' AS "kind", CAST(NULL AS TEXT) AS "data", ${messageViewColumns(dialect)}, ${replyColumns(dialect)}
      FROM "Message" m JOIN "User" u ON u."id" = m."authorId" ${REPLY_JOIN}
      WHERE m."threadId" = ? AND m."seq" > ?
      ORDER BY m."seq" LIMIT ?
    ) a
    UNION ALL
    SELECT * FROM (
      SELECT e."kind", e."data", e."messageId" AS "id", e."threadId", e."seq", e."actorId" AS "authorId", u."username",
             CAST(NULL AS TEXT) AS "body", CAST(NULL AS TEXT) AS "clientId", CAST(NULL AS INTEGER) AS "attachmentCount",
             ${dialect.timestamp('e."at"')} AS "createdAt", ${none} AS "editedAt", ${none} AS "deletedAt",
             CAST(NULL AS TEXT) AS "replyId", CAST(NULL AS INTEGER) AS "replySeq", CAST(NULL AS TEXT) AS "replyBody",
             CAST(NULL AS TEXT) AS "replyAuthorId", CAST(NULL AS TEXT) AS "replyAuthorName", ${none} AS "replyEditedAt", ${none} AS "replyDeletedAt"
      FROM "ThreadEvent" e JOIN "User" u ON u."id" = e."actorId"
      WHERE e."threadId" = ? AND e."seq" > ?
      ORDER BY e."seq" LIMIT ?
    ) b
  ) x ORDER BY "seq" LIMIT ?`;
}

export type ThreadLogRow = MessageViewRow & { kind: string; data: string | null };

/** The current mentions of these messages. Params: the message ids. */
export function mentionsOfSql(count: number): string {
  return `
  SELECT n."messageId", u."id", u."username" FROM "Mention" n JOIN "User" u ON u."id" = n."userId"
  WHERE n."messageId" IN (${placeholders(count)})`;
}

/** The messages among these rows whose mentions must be read (a body without `@` has none). */
export function idsNeedingMentions(rows: readonly ThreadLogRow[]): string[] {
  return rows.filter((row) => row.kind === 'message' && row.body?.includes('@')).map((row) => row.id);
}

export function mentionsById(rows: readonly SqlRow[]): Map<string, UserRef[]> {
  const byId = new Map<string, UserRef[]>();
  for (const row of rows) {
    const list = byId.get(String(row.messageId)) ?? [];
    list.push({ id: String(row.id), username: String(row.username) });
    byId.set(String(row.messageId), list);
  }
  return byId;
}

/**
 * A row of the log as its event. A `message` event carries the message as it is stored now (its body
 * after any edit, or none once deleted); the edits and the delete that made it so follow as their own
 * events, so applying the log from any point ends in the same state.
 */
export function rowToThreadEvent(row: ThreadLogRow, mentions: Map<string, UserRef[]>, attachments: Map<string, AttachmentView[]>): ThreadEvent {
  if (row.kind === 'message') return messageEvent(rowToMessageView(row, mentions.get(row.id) ?? [], attachments.get(row.id) ?? []));
  const base = {
    threadId: row.threadId,
    seq: Number(row.seq),
    messageId: row.id,
    actor: { id: row.authorId, username: row.username },
    at: isoOf(row.createdAt),
  };
  const data = JSON.parse(row.data ?? '{}') as Record<string, unknown>;
  switch (row.kind) {
    case 'edit':
      return {
        kind: 'edit',
        ...base,
        body: typeof data.body === 'string' ? data.body : null,
        mentions: (data.mentions as UserRef[] | undefined) ?? [],
      };
    case 'delete':
      return { kind: 'delete', ...base };
    case 'reaction':
      return { kind: 'reaction', ...base, emoji: String(data.emoji), on: data.on === true };
    default:
      throw new Error(`unknown thread event kind ${row.kind} at seq ${row.seq} of thread ${row.threadId}`);
  }
}
