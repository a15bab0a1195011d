import type { MessagePage } from '../domain/listMessages.ts';
import type { AttachmentView, ReactionSummary, UserRef } from '../domain/messageView.ts';
import { attachmentsById, attachmentsOfSql, idsNeedingAttachments } from './attachmentRows.ts';
import { messageViewColumns, REPLY_JOIN, replyColumns, rowToMessageView, type MessageViewRow } from './messageViewRow.ts';
import { placeholders, type Dialect, type SqlRow, type SqlScript } from './sqlScript.ts';
import { mentionsById, mentionsOfSql } from './threadLogSql.ts';

export interface MessagePageQuery {
  threadId: string;
  viewerId: string;
  beforeSeq?: number | undefined;
  limit: number;
}

/**
 * A page of messages in their current state and the seq that state is current at. The runner gives it
 * one snapshot (a read transaction), so nothing the page shows is newer or older than `asOfSeq`.
 */
export function* readMessagePage(query: MessagePageQuery, dialect: Dialect): SqlScript<MessagePage> {
  const [thread] = yield { sql: `SELECT "lastSeq" FROM "Thread" WHERE "id" = ?`, params: [query.threadId] };
  const asOfSeq = Number(thread?.lastSeq ?? 0);
  const rows = (yield {
    sql: `
      SELECT ${messageViewColumns(dialect)}, ${replyColumns(dialect)}
      FROM "Message" m JOIN "User" u ON u."id" = m."authorId" ${REPLY_JOIN}
      WHERE m."threadId" = ?${query.beforeSeq === undefined ? '' : ` AND m."seq" < ?`}
      ORDER BY m."seq" DESC LIMIT ?`,
    params: query.beforeSeq === undefined ? [query.threadId, query.limit] : [query.threadId, query.beforeSeq, query.limit],
  }) as unknown as MessageViewRow[];
  rows.reverse();
  const live = rows.filter((row) => row.deletedAt === null);
  const withAt = live.filter((row) => row.body.includes('@')).map((row) => row.id);
  const mentions = withAt.length > 0 ? mentionsById(yield { sql: mentionsOfSql(withAt.length), params: withAt }) : new Map<string, UserRef[]>();
  const reactions =
    live.length > 0
      ? reactionSummaries(
          yield {
            sql: `
              SELECT r."messageId", r."emoji", u."id", u."username" FROM "Reaction" r JOIN "User" u ON u."id" = r."userId"
              WHERE r."messageId" IN (${placeholders(live.length)}) ORDER BY r."at", r."userId"`,
            params: live.map((row) => row.id),
          },
          query.viewerId,
        )
      : new Map<string, ReactionSummary[]>();
  const withFiles = idsNeedingAttachments(rows);
  const attachments =
    withFiles.length > 0
      ? attachmentsById(yield { sql: attachmentsOfSql(withFiles.length), params: withFiles })
      : new Map<string, AttachmentView[]>();
  const oldest = rows[0];
  return {
    messages: rows.map((row) => ({
      ...rowToMessageView(row, mentions.get(row.id) ?? [], attachments.get(row.id) ?? []),
      reactions: reactions.get(row.id) ?? [],
    })),
    prevCursor: oldest && oldest.seq > 1 ? oldest.seq : null,
    asOfSeq,
  };
}

/** Reactions per message, one entry per emoji in the order first used, users in the order they reacted. */
function reactionSummaries(rows: readonly SqlRow[], viewerId: string): Map<string, ReactionSummary[]> {
  const byMessage = new Map<string, ReactionSummary[]>();
  for (const row of rows) {
    const messageId = String(row.messageId);
    const list = byMessage.get(messageId) ?? [];
    if (list.length === 0) byMessage.set(messageId, list);
    let entry = list.find((e) => e.emoji === row.emoji);
    if (!entry) {
      entry = { emoji: String(row.emoji), count: 0, mine: false, users: [] };
      list.push(entry);
    }
    entry.count++;
    entry.users.push({ id: String(row.id), username: String(row.username) });
    if (row.id === viewerId) entry.mine = true;
  }
  return byMessage;
}
