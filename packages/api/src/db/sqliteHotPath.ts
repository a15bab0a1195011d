import type { Client, InValue } from '@libsql/client';
import { messagesAfterSql, rowToMessageView, THREAD_POSITION_SQL, type AppendRequest, type HotPath, type SessionRecord } from './hotPath.ts';

/** Prisma's SQLite DateTime text format, so rows written here read back through Prisma unchanged. */
export function toSqliteDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

// One connection is shared with Prisma; `exclusive` keeps our transactions from interleaving with its.
// Within the write lock seqs cannot race, so the next seq is read in the INSERT itself, and the
// membership check rides in its WHERE: a non-member (or unknown thread) inserts nothing.
const INSERT_MESSAGE = `
  INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt")
  SELECT ?, t."id", t."lastSeq" + 1, ?, ?, ?, ?
  FROM "Thread" t
  WHERE t."id" = ? AND EXISTS (SELECT 1 FROM "ThreadMember" m WHERE m."threadId" = t."id" AND m."userId" = ?)
  ON CONFLICT DO NOTHING
  RETURNING "seq"`;
const BUMP_THREAD = `UPDATE "Thread" SET "lastSeq" = ?, "lastMessageAt" = ? WHERE "id" = ?`;
const MARK_READ = `UPDATE "ThreadMember" SET "lastReadSeq" = ? WHERE "threadId" = ? AND "userId" = ?`;
const FIND_SESSION = `
  SELECT s."id", s."userId", s."secretHash", s."createdAt", s."lastUsedAt", u."username"
  FROM "Session" s JOIN "User" u ON u."id" = s."userId"
  WHERE s."id" = ?`;

const MESSAGES_AFTER = messagesAfterSql('m."createdAt"');

export function createSqliteHotPath(client: Client, exclusive: <T>(work: () => Promise<T>) => Promise<T>): HotPath {
  return {
    async findSession(id) {
      const { rows } = await exclusive(() => client.execute({ sql: FIND_SESSION, args: [id] }));
      const row = rows[0];
      if (!row) return null;
      return {
        id: String(row.id),
        userId: String(row.userId),
        username: String(row.username),
        secretHash: new Uint8Array(row.secretHash as ArrayBuffer),
        createdAt: new Date(String(row.createdAt)),
        lastUsedAt: new Date(String(row.lastUsedAt)),
      } satisfies SessionRecord;
    },

    appendMessages(batch: readonly AppendRequest[]) {
      return exclusive(async () => {
        await client.execute('BEGIN IMMEDIATE');
        try {
          const seqs: Array<number | null> = [];
          for (const m of batch) {
            const at = toSqliteDateTime(m.createdAt);
            const args: InValue[] = [m.id, m.authorId, m.body, m.clientId, at, m.threadId, m.authorId];
            const { rows } = await client.execute({ sql: INSERT_MESSAGE, args });
            const seq = rows[0] ? Number(rows[0].seq) : null;
            if (seq !== null) {
              await client.execute({ sql: BUMP_THREAD, args: [seq, at, m.threadId] });
              await client.execute({ sql: MARK_READ, args: [seq, m.threadId, m.authorId] });
            }
            seqs.push(seq);
          }
          await client.execute('COMMIT');
          return seqs;
        } catch (error) {
          await client.execute('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },

    async threadPosition(threadId, userId) {
      const { rows } = await exclusive(() => client.execute({ sql: THREAD_POSITION_SQL, args: [userId, threadId] }));
      const row = rows[0];
      return row ? { lastSeq: Number(row.lastSeq), isMember: Number(row.isMember) === 1 } : null;
    },

    async messagesAfter(threadId, afterSeq, limit) {
      const { rows } = await exclusive(() => client.execute({ sql: MESSAGES_AFTER, args: [threadId, afterSeq, limit] }));
      return rows.map((row) => rowToMessageView(row as unknown as Record<string, unknown>));
    },

    async close() {},
  };
}
