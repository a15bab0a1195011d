import type { MessagePage } from '../domain/listMessages.ts';
import type { AttachmentView, ReactionSummary, UserRef } from '../domain/messageView.ts';
import { attachmentsById, attachmentsOfSql, idsNeedingAttachments } from './attachmentRows.ts';
import { messageViewColumns, REPLY_JOIN, replyColumns, rowToMessageView, type MessageViewRow } from './messageViewRow.ts';
import { placeholders, type Dialect, type SqlRow, type SqlScript } from './sqlScript.ts';
import { mentionsById, mentionsOfSql } from './threadLogSql.ts';

export interface MessagePageQuery {
  threadId: string;
  viewerId: string;
  /** Which messages: the newest, those before or after a seq, or a page centred on one. */
  position: PagePosition;
  limit: number;
}

export type PagePosition = { kind: 'newest' } | { kind: 'before'; seq: number } | { kind: 'after'; seq: number } | { kind: 'around'; seq: number };

/**
 * A page of messages in their current state and the seq that state is current at. The runner gives it
 * one snapshot (a read transaction), so nothing the page shows is newer or older than `asOfSeq`.
 */
export function* readMessagePage(query: MessagePageQuery, dialect: Dialect): SqlScript<MessagePage> {
  const [thread] = yield { sql: `SELECT "lastSeq" FROM "Thread" WHERE "id" = ?`, params: [query.threadId] };
  const asOfSeq = Number(thread?.lastSeq ?? 0);
  const { rows, hasNewer } = yield* pageRows(query, dialect);
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
    // The thread's first seq is always a message: one older than seq 1 exists whenever the oldest here is not it.
    prevCursor: oldest && oldest.seq > 1 ? oldest.seq : null,
    nextCursor: hasNewer ? (rows.at(-1)?.seq ?? null) : null,
    asOfSeq,
  };
}

/**
 * The page's rows, oldest first, and whether a newer message follows them. Around a seq: half the page
 * before it and the rest from it on, a side with fewer messages leaving its room to the other.
 */
function* pageRows(query: MessagePageQuery, dialect: Dialect): SqlScript<{ rows: MessageViewRow[]; hasNewer: boolean }> {
  const { position, limit } = query;
  const read = function* (where: '<' | '>' | '>=' | null, seq: number, order: 'ASC' | 'DESC', count: number): SqlScript<MessageViewRow[]> {
    return (yield {
      sql: `
        SELECT ${messageViewColumns(dialect)}, ${replyColumns(dialect)}
        FROM "Message" m JOIN "User" u ON u."id" = m."authorId" ${REPLY_JOIN}
        WHERE m."threadId" = ?${where ? ` AND m."seq" ${where} ?` : ''}
        ORDER BY m."seq" ${order} LIMIT ?`,
      params: where ? [query.threadId, seq, count] : [query.threadId, count],
    }) as unknown as MessageViewRow[];
  };
  switch (position.kind) {
    case 'newest':
      return { rows: (yield* read(null, 0, 'DESC', limit)).reverse(), hasNewer: false };
    case 'before': {
      const rows = (yield* read('<', position.seq, 'DESC', limit)).reverse();
      const newest = rows.at(-1);
      if (!newest) return { rows, hasNewer: false };
      const [newer] = yield {
        sql: `SELECT 1 AS "ok" FROM "Message" WHERE "threadId" = ? AND "seq" > ? LIMIT 1`,
        params: [query.threadId, newest.seq],
      };
      return { rows, hasNewer: newer !== undefined };
    }
    case 'after': {
      const rows = yield* read('>', position.seq, 'ASC', limit + 1);
      return { rows: rows.slice(0, limit), hasNewer: rows.length > limit };
    }
    case 'around': {
      const before = yield* read('<', position.seq, 'DESC', limit);
      const from = yield* read('>=', position.seq, 'ASC', limit + 1);
      const fromCount = Math.min(from.length, limit);
      const beforeCount = Math.min(before.length, Math.max(Math.floor((limit - 1) / 2), limit - fromCount));
      const afterCount = Math.min(fromCount, limit - beforeCount);
      return { rows: [...before.slice(0, beforeCount).reverse(), ...from.slice(0, afterCount)], hasNewer: from.length > afterCount };
    }
  }
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
