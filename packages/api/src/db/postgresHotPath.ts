import pg from 'pg';
import { isDatabaseUnavailable } from '../domain/prismaErrors.ts';
import { messagesAfterSql, rowToMessageView, THREAD_POSITION_SQL, type AppendRequest, type HotPath } from './hotPath.ts';

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
const THREAD_POSITION = numbered(THREAD_POSITION_SQL);
const MESSAGES_AFTER = numbered(messagesAfterSql(`m."createdAt" AT TIME ZONE 'UTC'`));

// One statement per message: bump the thread (its row lock orders concurrent senders, so seq order is
// commit order), insert, mark the author's read marker. The WHERE carries the membership and clientId
// checks, so an item that must not be stored changes nothing and returns no row.
const APPEND = `
  WITH bumped AS (
    UPDATE "Thread" SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = $6::timestamp
    WHERE "id" = $2
      AND EXISTS (SELECT 1 FROM "ThreadMember" WHERE "threadId" = $2 AND "userId" = $3)
      AND ($5::text IS NULL OR NOT EXISTS (SELECT 1 FROM "Message" WHERE "authorId" = $3 AND "clientId" = $5))
    RETURNING "lastSeq"
  ), inserted AS (
    INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt")
    SELECT $1, $2, "lastSeq", $3, $4, $5, $6::timestamp FROM bumped
    RETURNING "seq"
  ), marked AS (
    UPDATE "ThreadMember" SET "lastReadSeq" = (SELECT "seq" FROM inserted)
    WHERE "threadId" = $2 AND "userId" = $3 AND EXISTS (SELECT 1 FROM inserted)
  )
  SELECT "seq" FROM inserted`;
// Prisma stores DateTime as UTC in "timestamp without time zone"; reading it AT TIME ZONE 'UTC' keeps
// node-postgres from taking it as local time.
const FIND_SESSION = `
  SELECT s."id", s."userId", s."secretHash", u."username",
         s."createdAt" AT TIME ZONE 'UTC' AS "createdAt", s."lastUsedAt" AT TIME ZONE 'UTC' AS "lastUsedAt"
  FROM "Session" s JOIN "User" u ON u."id" = s."userId"
  WHERE s."id" = $1`;

export function createPostgresHotPath(url: string, poolSize: number): HotPath {
  // Short bounds: while PostgreSQL is unreachable a send fails within seconds (SERVICE_UNAVAILABLE) and
  // does not hold up the sends queued behind its batch for the whole outage.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 3000, query_timeout: 5000 });
  pool.on('error', () => {}); // an idle client's error; the next query reports the outage

  return {
    async findSession(id) {
      const { rows } = await pool.query(FIND_SESSION, [id]);
      const row = rows[0];
      if (!row) return null;
      return { ...row, secretHash: new Uint8Array(row.secretHash) };
    },

    async appendMessages(batch: readonly AppendRequest[]) {
      // Threads locked in one order by every process, so two batches never wait on each other in a cycle;
      // the sort is stable, so one thread's messages keep their order.
      const order = batch.map((m, i) => ({ m, i })).sort((a, b) => (a.m.threadId < b.m.threadId ? -1 : a.m.threadId > b.m.threadId ? 1 : 0));
      const client = await pool.connect();
      // A checked-out client that loses its connection emits 'error'; unheard, that would end the process.
      const onLost = () => {};
      client.on('error', onLost);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const seqs: Array<number | null> = new Array(batch.length).fill(null);
        for (const { m, i } of order) {
          const { rows } = await client.query(APPEND, [m.id, m.threadId, m.authorId, m.body, m.clientId, m.createdAt.toISOString()]);
          seqs[i] = rows[0] ? Number(rows[0].seq) : null;
        }
        await client.query('COMMIT');
        return seqs;
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken = error as Error; // no ROLLBACK on a dead socket: it would wait too
        else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken); // a broken connection is discarded, not handed to the next batch
      }
    },

    async threadPosition(threadId, userId) {
      const { rows } = await pool.query(THREAD_POSITION, [userId, threadId]);
      const row = rows[0];
      return row ? { lastSeq: Number(row.lastSeq), isMember: Boolean(row.isMember) } : null;
    },

    async messagesAfter(threadId, afterSeq, limit) {
      const { rows } = await pool.query(MESSAGES_AFTER, [threadId, afterSeq, limit]);
      return rows.map(rowToMessageView);
    },

    close: () => pool.end(),
  };
}
