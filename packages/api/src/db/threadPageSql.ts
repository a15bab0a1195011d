import type { DbProvider } from './db.ts';
import { messageViewColumns } from './messageViewRow.ts';
import { numbered, postgresDialect, sqliteDialect } from './sqlScript.ts';

/**
 * SQL for thread.list, per provider. Both statements read by index only, so their work grows with the
 * page (and the caller's memberships), never with the number of messages: Prisma's nested
 * `messages: { take: 1 }` read every message of every thread to keep the last of each.
 */

const ACTIVITY = `COALESCE(t."lastMessageAt", t."createdAt")`;

/** Params: userId, [cursorThreadId, userId,] limit. The cursor is the last thread id of the page before. */
export function threadPageSql(provider: DbProvider, hasCursor: boolean): string {
  const after = hasCursor
    ? `AND EXISTS (
      SELECT 1 FROM "Thread" ct JOIN "ThreadMember" cm ON cm."threadId" = ct."id" AND cm."userId" = ?
      WHERE ct."id" = ? AND (${ACTIVITY} < COALESCE(ct."lastMessageAt", ct."createdAt")
        OR (${ACTIVITY} = COALESCE(ct."lastMessageAt", ct."createdAt") AND t."id" > ct."id")))`
    : '';
  const sql = `
  SELECT m."threadId" AS "id", m."lastReadSeq" AS "lastReadSeq"
  FROM "ThreadMember" m JOIN "Thread" t ON t."id" = m."threadId"
  WHERE m."userId" = ? ${after}
  ORDER BY ${ACTIVITY} DESC, t."id" ASC
  LIMIT ?`;
  return provider === 'postgresql' ? numbered(sql) : sql;
}

/** Param: the thread ids (a JSON array for SQLite, an array for PostgreSQL). One row per thread with a message. */
export function lastMessagesSql(provider: DbProvider): string {
  if (provider === 'postgresql') {
    return `
  SELECT ${messageViewColumns(postgresDialect)}
  FROM unnest($1::text[]) AS p("threadId")
  CROSS JOIN LATERAL (
    SELECT * FROM "Message" l WHERE l."threadId" = p."threadId" ORDER BY l."seq" DESC LIMIT 1
  ) m
  JOIN "User" u ON u."id" = m."authorId"`;
  }
  return `
  SELECT ${messageViewColumns(sqliteDialect)}
  FROM json_each(?) p
  JOIN "Message" m ON m."rowid" = (
    SELECT l."rowid" FROM "Message" l WHERE l."threadId" = p."value" ORDER BY l."seq" DESC LIMIT 1
  )
  JOIN "User" u ON u."id" = m."authorId"`;
}

/**
 * Per thread of mine: unread messages (by others, not deleted, after my marker) and unread mentions of me,
 * each counted by index up to `cap` at most, so a long-unread thread costs no more than a capped one.
 * Params: userId, the thread ids (a JSON array for SQLite, an array for PostgreSQL), then cap, cap.
 */
export function unreadCountsSql(provider: DbProvider): string {
  const ids = provider === 'postgresql' ? 'SELECT unnest(?::text[])' : 'SELECT value FROM json_each(?)';
  const sql = `
  SELECT m."threadId", m."lastReadSeq",
    (SELECT count(*) FROM (
      SELECT 1 FROM "Message" x
      WHERE x."threadId" = m."threadId" AND x."seq" > m."lastReadSeq" AND x."authorId" <> m."userId" AND x."deletedAt" IS NULL
      LIMIT ?) c) AS "unread",
    (SELECT count(*) FROM (
      SELECT 1 FROM "Mention" n
      WHERE n."userId" = m."userId" AND n."threadId" = m."threadId" AND n."seq" > m."lastReadSeq"
      LIMIT ?) d) AS "mentions"
  FROM "ThreadMember" m
  WHERE m."userId" = ? AND m."threadId" IN (${ids})`;
  return provider === 'postgresql' ? numbered(sql) : sql;
}
