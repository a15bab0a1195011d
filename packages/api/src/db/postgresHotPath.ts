import pg from 'pg';
import { membershipsOfSql, messagesAfterSql, rowToMessageView, THREAD_POSITION_SQL, type AppendRequest, type HotPath } from './hotPath.ts';

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
const THREAD_POSITION = numbered(THREAD_POSITION_SQL);
const MEMBERSHIPS_OF = membershipsOfSql('SELECT unnest($1::text[])');
const MESSAGES_AFTER = numbered(messagesAfterSql(`m."createdAt" AT TIME ZONE 'UTC'`));

// The whole batch in one statement, one round trip, atomic without BEGIN/COMMIT. A statement per message
// took a round trip each, and a process's single writer spent its time waiting on them: one process
// topped out near 1,200 sends a second with PostgreSQL and the process both half idle.
// - `accepted` drops what must not be stored: a non-member's item, a clientId its author already used
//   (stored before, or earlier in this batch). Dropped items return no row and change nothing.
// - `locked` takes the threads' row locks in id order, the same order in every process, so two batches
//   never wait on each other in a cycle; that lock also makes seq order commit order. Under READ
//   COMMITTED the UPDATE then reads each thread's newest "lastSeq", committed by whoever held it before.
// - Each thread gets its block of seqs in batch order, so one sender's messages keep their order.
const APPEND_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[])
      WITH ORDINALITY AS x("id", "threadId", "authorId", "body", "clientId", "createdAt", "ord")
  ), accepted AS (
    SELECT i.*, row_number() OVER (PARTITION BY i."threadId" ORDER BY i."ord") AS "rank"
    FROM input i
    WHERE EXISTS (SELECT 1 FROM "ThreadMember" m WHERE m."threadId" = i."threadId" AND m."userId" = i."authorId")
      AND (i."clientId" IS NULL OR (
        NOT EXISTS (SELECT 1 FROM "Message" p WHERE p."authorId" = i."authorId" AND p."clientId" = i."clientId")
        AND NOT EXISTS (SELECT 1 FROM input e WHERE e."authorId" = i."authorId" AND e."clientId" = i."clientId" AND e."ord" < i."ord")))
  ), counts AS (
    SELECT "threadId", count(*) AS "n", max("createdAt") AS "lastAt" FROM accepted GROUP BY "threadId"
  ), locked AS MATERIALIZED (
    SELECT t."id" FROM "Thread" t WHERE t."id" IN (SELECT "threadId" FROM counts) ORDER BY t."id" FOR UPDATE
  ), bumped AS (
    UPDATE "Thread" t SET "lastSeq" = t."lastSeq" + c."n", "lastMessageAt" = c."lastAt"
    FROM locked l JOIN counts c ON c."threadId" = l."id"
    WHERE t."id" = l."id"
    RETURNING t."id", t."lastSeq", c."n"
  ), inserted AS (
    INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt")
    SELECT a."id", a."threadId", b."lastSeq" - b."n" + a."rank", a."authorId", a."body", a."clientId", a."createdAt"
    FROM accepted a JOIN bumped b ON b."id" = a."threadId"
    RETURNING "id", "threadId", "authorId", "seq"
  ), marked AS (
    UPDATE "ThreadMember" m SET "lastReadSeq" = r."seq"
    FROM (SELECT "threadId", "authorId", max("seq") AS "seq" FROM inserted GROUP BY "threadId", "authorId") r
    WHERE m."threadId" = r."threadId" AND m."userId" = r."authorId"
  )
  SELECT i."ord", s."seq" FROM inserted s JOIN input i ON i."id" = s."id"`;
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
  //
  // force_custom_plan: PostgreSQL caches a named statement's generic plan once, from the table sizes of
  // that moment. A server that starts on an empty "Message" table (a new install, every bench run) got a
  // plan that scans "Message" and "ThreadMember" for each batch, and kept it until autovacuum's first
  // ANALYZE: over 1 ms of PostgreSQL CPU per message within seconds. A plan per execution, from the
  // sizes of now, costs a fraction of a millisecond per batch; the statement is still parsed only once.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    query_timeout: 5000,
    options: '-c plan_cache_mode=force_custom_plan',
  });
  pool.on('error', () => {}); // an idle client's error; the next query reports the outage

  return {
    async findSession(id) {
      const { rows } = await pool.query(FIND_SESSION, [id]);
      const row = rows[0];
      if (!row) return null;
      return { ...row, secretHash: new Uint8Array(row.secretHash) };
    },

    async appendMessages(batch: readonly AppendRequest[]) {
      // Named, so each pooled connection parses it once (it is planned per batch, see the pool's options).
      // pool.query discards a connection that failed.
      const { rows } = await pool.query({
        name: 'parley-append-batch',
        text: APPEND_BATCH,
        values: [
          batch.map((m) => m.id),
          batch.map((m) => m.threadId),
          batch.map((m) => m.authorId),
          batch.map((m) => m.body),
          batch.map((m) => m.clientId),
          batch.map((m) => m.createdAt.toISOString()),
        ],
      });
      const seqs: Array<number | null> = new Array(batch.length).fill(null);
      for (const row of rows) seqs[Number(row.ord) - 1] = Number(row.seq);
      return seqs;
    },

    async threadPosition(threadId, userId) {
      const { rows } = await pool.query(THREAD_POSITION, [userId, threadId]);
      const row = rows[0];
      return row ? { lastSeq: Number(row.lastSeq), isMember: Boolean(row.isMember) } : null;
    },

    async membershipsOf(userIds) {
      const { rows } = await pool.query({ name: 'parley-memberships-of', text: MEMBERSHIPS_OF, values: [userIds] });
      return rows as Array<{ userId: string; threadId: string }>;
    },

    async messagesAfter(threadId, afterSeq, limit) {
      const { rows } = await pool.query(MESSAGES_AFTER, [threadId, afterSeq, limit]);
      return rows.map(rowToMessageView);
    },

    close: () => pool.end(),
  };
}
