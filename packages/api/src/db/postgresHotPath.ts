import pg from 'pg';
import { isPlainMessage, refused, storedPlainMessage, type ChangeRequest, type ChangeResult, type MessageRequest } from './changeRequests.ts';
import { applyChange } from './changeScripts.ts';
import { membershipsOfSql, THREAD_POSITION_SQL, type HotPath } from './hotPath.ts';
import { attachmentsById, attachmentsOfSql, idsNeedingAttachments } from './attachmentRows.ts';
import { indexTermsOf } from '../domain/searchTerms.ts';
import { readMessagePage } from './messagePageScript.ts';
import { indexBacklogScript } from './searchBackfill.ts';
import { searchMessagesStatement, termsVectorSql, type SearchHitRow } from './searchIndexSql.ts';
import { numbered, postgresDialect, runScript, type SqlRow, type SqlStatement } from './sqlScript.ts';
import { idsNeedingMentions, mentionsById, mentionsOfSql, rowToThreadEvent, threadLogAfterSql, type ThreadLogRow } from './threadLogSql.ts';

const THREAD_POSITION = numbered(THREAD_POSITION_SQL);
const MEMBERSHIPS_OF = membershipsOfSql('SELECT unnest($1::text[])');
const THREAD_LOG_AFTER = numbered(threadLogAfterSql(postgresDialect));
// A batch with anything but plain sends runs its changes one by one in a transaction that first locks
// every thread it touches, in id order like APPEND_BATCH, so no two batches wait on each other in a cycle.
const THREADS_OF_MESSAGES = `SELECT DISTINCT "threadId" FROM "Message" WHERE "id" = ANY ($1::text[])`;
const LOCK_THREADS = `SELECT "id" FROM "Thread" WHERE "id" = ANY ($1::text[]) ORDER BY "id" FOR UPDATE`;

// The whole batch in one statement, one round trip, atomic without BEGIN/COMMIT. A statement per message
// took a round trip each, and a process's single writer spent its time waiting on them: one process
// topped out near 1,200 sends a second with PostgreSQL and the process both half idle.
// - `accepted` drops what must not be stored: a non-member's item, a clientId its author already used
//   (stored before, or earlier in this batch). Dropped items return no row and change nothing.
// - `locked` takes the threads' row locks in id order, the same order in every process, so two batches
//   never wait on each other in a cycle; that lock also makes seq order commit order. Under READ
//   COMMITTED the UPDATE then reads each thread's newest "lastSeq", committed by whoever held it before.
// - Each thread gets its block of seqs in batch order, so one sender's messages keep their order.
// - Stored rows are looked up per batch row, by scalar subqueries on unique indexes and by arrays of ids:
//   forms PostgreSQL cannot turn into a join or a hashed subplan that reads a whole table (PLAN_OPTIONS).
// - `indexed` stores the search terms of exactly the rows `inserted` stores (accepted, in a bumped thread).
const APPEND_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[], $7::text[], $8::text[])
      WITH ORDINALITY AS x("id", "threadId", "authorId", "body", "clientId", "createdAt", "words", "unigrams", "ord")
  ), accepted AS (
    SELECT i.*, row_number() OVER (PARTITION BY i."threadId" ORDER BY i."ord") AS "rank"
    FROM input i
    WHERE (SELECT 1 FROM "ThreadMember" m WHERE m."threadId" = i."threadId" AND m."userId" = i."authorId") IS NOT NULL
      AND (i."clientId" IS NULL OR (
        (SELECT 1 FROM "Message" p WHERE p."authorId" = i."authorId" AND p."clientId" = i."clientId") IS NULL
        AND NOT EXISTS (SELECT 1 FROM input e WHERE e."authorId" = i."authorId" AND e."clientId" = i."clientId" AND e."ord" < i."ord")))
  ), counts AS (
    SELECT "threadId", count(*) AS "n", max("createdAt") AS "lastAt" FROM accepted GROUP BY "threadId"
  ), locked AS MATERIALIZED (
    SELECT t."id" FROM "Thread" t WHERE t."id" = ANY (ARRAY(SELECT "threadId" FROM counts)) ORDER BY t."id" FOR UPDATE
  ), bumped AS (
    UPDATE "Thread" t SET "lastSeq" = t."lastSeq" + c."n", "lastMessageAt" = c."lastAt"
    FROM counts c
    WHERE t."id" = c."threadId" AND t."id" = ANY (ARRAY(SELECT "id" FROM locked))
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
  ), indexed AS (
    INSERT INTO "MessageSearch" ("messageId", "threadId", "createdAt", "terms")
    SELECT a."id", a."threadId", a."createdAt", ${termsVectorSql('a."words"', 'a."unigrams"')}
    FROM accepted a
    WHERE a."words" IS NOT NULL AND a."threadId" = ANY (ARRAY(SELECT "id" FROM bumped))
  )
  SELECT "id", "seq" FROM inserted`;
// The hot path's statements run on plans made once per connection: planning the batch statement for every
// batch cost more PostgreSQL CPU than running it (figures: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments). A plan made once is made from the table statistics of that moment, and a
// server often starts on empty tables (a new install, every bench run): left to the statistics, that plan
// read the whole of "Message" for every batch once the table had grown. So the statements are written
// for one plan shape, and these settings make it the only one whatever the statistics say: every table is
// reached through a lookup on an index (no sequential or bitmap scans), joins are nested loops (no hash
// or merge join building a whole table), and the batch's own rows are few. The connection lifetime
// bounds how long any plan lives, so a plan made before the indexes' statistics existed is remade from them.
const PLAN_OPTIONS = [
  'plan_cache_mode=force_generic_plan',
  'enable_seqscan=off',
  'enable_bitmapscan=off',
  'enable_hashjoin=off',
  'enable_mergejoin=off',
]
  .map((setting) => `-c ${setting}`)
  .join(' ');
const CONNECTION_LIFETIME_SECONDS = 600;
const SEARCH_PLAN_OPTIONS = `SELECT set_config('enable_bitmapscan', 'on', true), set_config('plan_cache_mode', 'auto', true)`;

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
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    query_timeout: 5000,
    options: PLAN_OPTIONS,
    maxLifetimeSeconds: CONNECTION_LIFETIME_SECONDS,
  });
  pool.on('error', () => {}); // an idle client's error; the next query reports the outage

  return {
    async findSession(id) {
      const { rows } = await pool.query(FIND_SESSION, [id]);
      const row = rows[0];
      if (!row) return null;
      return { ...row, secretHash: new Uint8Array(row.secretHash) };
    },

    async appendChanges(batch) {
      return batch.every(isPlainMessage) ? appendPlainBatch(batch) : appendMixedBatch(batch);
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

    async eventsAfter(threadId, afterSeq, limit) {
      const { rows } = await pool.query<ThreadLogRow>({
        name: 'parley-thread-log-after',
        text: THREAD_LOG_AFTER,
        values: [threadId, afterSeq, limit, threadId, afterSeq, limit, limit],
      });
      const ids = idsNeedingMentions(rows);
      const mentions = mentionsById(ids.length > 0 ? (await pool.query(numbered(mentionsOfSql(ids.length)), ids)).rows : []);
      const withFiles = idsNeedingAttachments(rows);
      const attachments = attachmentsById(
        withFiles.length > 0 ? (await pool.query(numbered(attachmentsOfSql(withFiles.length)), withFiles)).rows : [],
      );
      return rows.map((row) => rowToThreadEvent(row, mentions, attachments));
    },

    async messagePage(query) {
      return inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (execute) =>
        runScript(readMessagePage(query, postgresDialect), execute),
      );
    },

    async searchMessages(query) {
      return inTransaction('BEGIN READ ONLY', async (execute) => {
        // The GIN index is read through a bitmap scan, which PLAN_OPTIONS rules out for the hot path's
        // statements; this one is planned afresh for its query, so the planner may weigh the real one.
        await execute({ sql: SEARCH_PLAN_OPTIONS, params: [] });
        return (await execute(searchMessagesStatement(postgresDialect, query))) as unknown as SearchHitRow[];
      });
    },

    indexSearchBacklog(limit) {
      return inTransaction('BEGIN', (execute) => runScript(indexBacklogScript(postgresDialect, limit), execute));
    },

    close: () => pool.end(),
  };

  async function appendPlainBatch(batch: readonly MessageRequest[]): Promise<ChangeResult[]> {
    const terms = batch.map((m) => indexTermsOf(m.body));
    // Named, so each pooled connection parses and plans it once (see PLAN_OPTIONS).
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
        terms.map((t) => t?.words ?? null),
        terms.map((t) => t?.unigrams ?? null),
      ],
    });
    const seqOf = new Map<string, number>();
    for (const row of rows) seqOf.set(row.id, Number(row.seq));
    return batch.map((m) => {
      const seq = seqOf.get(m.id);
      return seq === undefined ? refused('refused') : storedPlainMessage(seq, m.threadId);
    });
  }

  async function appendMixedBatch(batch: readonly ChangeRequest[]): Promise<ChangeResult[]> {
    return inTransaction('BEGIN', async (execute) => {
      const targets = batch.flatMap((c) => (c.kind === 'message' ? [] : [c.messageId]));
      const targetThreads = targets.length > 0 ? (await execute({ sql: THREADS_OF_MESSAGES, params: [targets] })).map((r) => String(r.threadId)) : [];
      const threadIds = [...new Set([...batch.flatMap((c) => (c.kind === 'message' ? [c.threadId] : [])), ...targetThreads])];
      await execute({ sql: LOCK_THREADS, params: [threadIds] });
      const results: ChangeResult[] = [];
      for (const change of batch) results.push(await runScript(applyChange(change, postgresDialect), execute));
      return results;
    });
  }

  /** Runs `work` in a transaction on one pooled client; a client that failed is discarded, not reused. */
  async function inTransaction<T>(begin: string, work: (execute: (statement: SqlStatement) => Promise<SqlRow[]>) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A checked-out client has no pool listener: without this, a connection that drops mid-transaction
    // emits an 'error' nobody hears and the process exits. The failed query reports the outage instead.
    const ignoreError = (): void => {};
    client.on('error', ignoreError);
    try {
      await client.query(begin);
      const result = await work(async ({ sql, params }) => {
        const values = params.map((value) => (value instanceof Date ? value.toISOString() : value));
        return (await client.query(numbered(sql), values)).rows as SqlRow[];
      });
      await client.query('COMMIT');
      client.off('error', ignoreError);
      client.release();
      return result;
    } catch (error) {
      // The connection is discarded, not rolled back: PostgreSQL rolls back a transaction whose connection
      // ends, and during an outage a ROLLBACK would wait out another query timeout before the caller hears.
      client.release(error instanceof Error ? error : true);
      client.off('error', ignoreError);
      throw error;
    }
  }
}
