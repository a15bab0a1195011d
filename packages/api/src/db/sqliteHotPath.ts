import Database from 'libsql';
import type { Logger } from 'pino';
import { startSqliteCheckpointer } from './sqliteCheckpointer.ts';
import { isPlainMessage, storedPlainMessage, refused, type ChangeRequest, type ChangeResult } from './changeRequests.ts';
import { applyChange } from './changeScripts.ts';
import { membershipsOfSql, THREAD_POSITION_SQL, type HotPath, type SessionRecord } from './hotPath.ts';
import { attachmentsById, attachmentsOfSql, idsNeedingAttachments } from './attachmentRows.ts';
import { readMessagePage } from './messagePageScript.ts';
import { indexBacklogScript } from './searchBackfill.ts';
import { QUEUE_FOR_INDEX, searchMessagesStatement, type SearchHitRow } from './searchIndexSql.ts';
import { runScriptSync, sqliteDialect, type SqlRow, type SqlStatement } from './sqlScript.ts';
import { idsNeedingMentions, mentionsById, mentionsOfSql, rowToThreadEvent, threadLogAfterSql, type ThreadLogRow } from './threadLogSql.ts';

// Under load SQLite's own threshold (1,000 WAL pages) came round several times a second; checkpointing on
// this interval instead keeps the WAL small (figures: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
const CHECKPOINT_INTERVAL_MS = 200;
// A search first indexes at most this many of the messages waiting for it: a few ms of work, however large a backlog.
const SEARCH_CATCH_UP = 500;
// Script statements differ only by how many values an IN list takes; this bounds the cache whatever input comes.
const MAX_PREPARED_SCRIPT_STATEMENTS = 200;

/** Prisma's SQLite DateTime text format, so rows written here read back through Prisma unchanged. */
function toSqliteDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

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

/**
 * The hot path on a connection of its own, with its statements prepared once: through @libsql/client
 * every call prepared its statement again (a measurable share of a busy process's time, see
 * docs/benchmarks.md#numbers-that-used-to-live-in-code-comments) and took the lock shared with Prisma, reads included.
 *
 * - Writes still take `exclusive`, the lock Prisma's connection holds around each of its statements and
 *   transactions: a second writer would meet SQLITE_BUSY, and busy_timeout waits by blocking the thread
 *   that Prisma needs to finish. Inside the lock the whole transaction runs synchronously.
 * - Reads take no lock: in WAL mode a reader sees the last commit without waiting for writers, and since
 *   this connection's transactions never span an `await`, a read never lands inside one.
 *
 * Needs a database file: `:memory:` would give this connection a database of its own.
 */
export async function createSqliteHotPath(
  path: string,
  exclusive: <T>(work: () => Promise<T>) => Promise<T>,
  options: { logger?: Logger; onSearchBacklog?: () => void } = {},
): Promise<HotPath> {
  if (path === '' || path.startsWith(':memory:')) {
    throw new Error('The embedded database needs a file (DATABASE_URL=file:path/to/parley.db), not an in-memory one');
  }
  const db = new Database(path);
  // Prisma's connection set WAL mode in the file; busy_timeout covers the brief file locks of a checkpoint.
  // (Some pragmas answer with a row, which exec() refuses.)
  // Checkpoints run in a worker (sqliteCheckpointer.ts), not inside this connection's commits; after a
  // checkpoint the next commit starts the WAL over, and the file is cut back to 64 MB if it grew past that.
  for (const pragma of [
    'busy_timeout = 5000',
    'synchronous = NORMAL',
    'foreign_keys = ON',
    'wal_autocheckpoint = 0',
    'journal_size_limit = 67108864',
  ]) {
    db.prepare(`PRAGMA ${pragma}`).get();
  }
  const checkpointer = startSqliteCheckpointer(path, {
    intervalMs: CHECKPOINT_INTERVAL_MS,
    onFailure(error) {
      options.logger?.error({ err: error }, 'the SQLite checkpoint worker failed; commits checkpoint the WAL themselves from now on');
      if (db.open) db.prepare('PRAGMA wal_autocheckpoint = 1000').get();
    },
  });
  // Every connection to the file is open once the hot path is: nothing opens later, under load.
  await checkpointer.started;

  const insertMessage = db.prepare(INSERT_MESSAGE);
  const bumpThread = db.prepare(BUMP_THREAD);
  const markRead = db.prepare(MARK_READ);
  const queueForIndex = db.prepare(QUEUE_FOR_INDEX);
  const hasBacklog = db.prepare(`SELECT 1 FROM "MessageSearchBacklog" LIMIT 1`);
  const findSession = db.prepare(FIND_SESSION);
  const threadPosition = db.prepare(THREAD_POSITION_SQL);
  const threadLogAfter = db.prepare(threadLogAfterSql(sqliteDialect));
  const membershipsOf = db.prepare(membershipsOfSql('SELECT value FROM json_each(?)'));

  // The scripts' statements (edits, reactions, replies, mentions), prepared on first use: their text
  // varies only with the number of mention candidates or reaction rows.
  const statements = new Map<string, Database.Statement>();
  const execute = ({ sql, params }: SqlStatement): SqlRow[] => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size < MAX_PREPARED_SCRIPT_STATEMENTS) statements.set(sql, statement);
    }
    const values = params.map((value) => (value instanceof Date ? toSqliteDateTime(value) : value));
    return statement.reader ? (statement.all(...values) as SqlRow[]) : (statement.run(...values), []);
  };

  const appendPlain = (m: ChangeRequest & { kind: 'message' }): ChangeResult => {
    const at = toSqliteDateTime(m.createdAt);
    const row = insertMessage.get(m.id, m.authorId, m.body, m.clientId, at, m.threadId, m.authorId) as { seq: number } | undefined;
    if (!row) return refused('refused');
    bumpThread.run(row.seq, at, m.threadId);
    markRead.run(row.seq, m.threadId, m.authorId);
    if (m.body !== '') queueForIndex.run(m.id);
    return storedPlainMessage(row.seq, m.threadId);
  };

  /** Runs `write` in a write transaction, synchronously; the caller holds `exclusive`. */
  const inWriteTransaction = <T>(write: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = write();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  const appendAll = (batch: readonly ChangeRequest[]): ChangeResult[] => {
    const results = inWriteTransaction(() =>
      batch.map((change) => (isPlainMessage(change) ? appendPlain(change) : runScriptSync(applyChange(change, sqliteDialect), execute))),
    );
    // New messages wait in the search backlog; the backfill indexes them shortly (and every search first).
    if (batch.some((change) => change.kind === 'message' && change.body !== '')) options.onSearchBacklog?.();
    return results;
  };

  const indexSearchBacklog = (limit: number): Promise<number> =>
    exclusive(async () => inWriteTransaction(() => runScriptSync(indexBacklogScript(sqliteDialect, limit), execute)));

  /** Reads in one snapshot: a read transaction, run without an await so no write of this connection lands inside it. */
  const inSnapshot = <T>(read: () => T): T => {
    db.exec('BEGIN');
    try {
      return read();
    } finally {
      db.exec('COMMIT');
    }
  };

  return {
    async findSession(id) {
      const row = findSession.get(id) as Record<string, unknown> | undefined;
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

    appendChanges(batch) {
      return exclusive(async () => appendAll(batch));
    },

    async threadPosition(threadId, userId) {
      const row = threadPosition.get(userId, threadId) as { lastSeq: number; isMember: number } | undefined;
      return row ? { lastSeq: Number(row.lastSeq), isMember: Number(row.isMember) === 1 } : null;
    },

    async membershipsOf(userIds) {
      return membershipsOf.all(JSON.stringify(userIds)) as Array<{ userId: string; threadId: string }>;
    },

    async eventsAfter(threadId, afterSeq, limit) {
      return inSnapshot(() => {
        const rows = threadLogAfter.all(threadId, afterSeq, limit, threadId, afterSeq, limit, limit) as ThreadLogRow[];
        const ids = idsNeedingMentions(rows);
        const mentions = mentionsById(ids.length > 0 ? execute({ sql: mentionsOfSql(ids.length), params: ids }) : []);
        const withFiles = idsNeedingAttachments(rows);
        const attachments = attachmentsById(withFiles.length > 0 ? execute({ sql: attachmentsOfSql(withFiles.length), params: withFiles }) : []);
        return rows.map((row) => rowToThreadEvent(row, mentions, attachments));
      });
    },

    async messagePage(query) {
      return inSnapshot(() => runScriptSync(readMessagePage(query, sqliteDialect), execute));
    },

    async searchMessages(query) {
      // What is waiting in the backlog is indexed first (its newest part, bounded), so a search finds what
      // was sent just before it.
      if (hasBacklog.get()) await indexSearchBacklog(SEARCH_CATCH_UP);
      // The user's threads and the hits in one snapshot: the index is told exactly which threads to look in.
      return inSnapshot(() => {
        const mine = (membershipsOf.all(JSON.stringify([query.userId])) as Array<{ threadId: string }>).map((m) => m.threadId);
        const threadIds = query.threadId === undefined ? mine : mine.filter((id) => id === query.threadId);
        if (threadIds.length === 0) return [];
        return execute(searchMessagesStatement(sqliteDialect, query, threadIds)) as unknown as SearchHitRow[];
      });
    },

    indexSearchBacklog,

    async close() {
      await checkpointer.close();
      db.close();
    },
  };
}
