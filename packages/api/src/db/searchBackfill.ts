import type { Logger } from 'pino';
import { indexTermsOf } from '../domain/searchTerms.ts';
import type { HotPath } from './hotPath.ts';
import { reindexManySqlite, termsVectorSql, upsertParams } from './searchIndexSql.ts';
import { placeholders, type Dialect, type SqlScript } from './sqlScript.ts';

// The backlog lists messages to index: those stored before search existed (the migration lists them; SQL
// cannot make their terms) and, on SQLite, every new one (see QUEUE_FOR_INDEX). They are indexed newest
// first, a batch per transaction, while the server serves. Until then a search finds fewer of the old
// messages, never a wrong one.

/** Messages per transaction: small, since on SQLite each batch holds the one write lock sends need too. */
const BATCH_SIZE = 200;
const RETRY_MS = 5000;
/**
 * After each batch the backfill rests as long as the batch took, at least this: sends get the write lock
 * between batches, and SQLite's checkpointer a quiet moment to finish, without which the WAL only grows
 * (docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
 */
const MIN_REST_MS = 5;
/** How long after a send its message waits to be indexed with those sent meanwhile (a search indexes first anyway). */
const FLUSH_DELAY_MS = 100;

/**
 * Takes up to `limit` messages off the backlog and indexes those still live, with their text as it is now.
 * PostgreSQL locks the rows it takes (skipping those another process took): an edit or delete of one
 * waits for this commit and then indexes or unindexes it itself, so the index never keeps older text.
 */
export function* indexBacklogScript(dialect: Dialect, limit: number): SqlScript<number> {
  const isSqlite = dialect.provider === 'sqlite';
  const rows = yield {
    sql: `
      SELECT b."messageId", m."threadId", ${dialect.timestamp('m."createdAt"')} AS "createdAt", m."body", m."deletedAt" IS NULL AS "isLive"
             ${isSqlite ? ', d."docId"' : ''}
      FROM "MessageSearchBacklog" b JOIN "Message" m ON m."id" = b."messageId"
      ${isSqlite ? 'LEFT JOIN "MessageSearchDoc" d ON d."messageId" = b."messageId"' : ''}
      ORDER BY b."messageId" DESC LIMIT ?${isSqlite ? '' : ' FOR UPDATE OF b, m SKIP LOCKED'}`,
    params: [limit],
  };
  if (rows.length === 0) return 0;
  const live = rows.flatMap((row) => {
    const terms = Boolean(row.isLive) && indexTermsOf(String(row.body));
    const message = { id: String(row.messageId), threadId: String(row.threadId), createdAt: new Date(row.createdAt as string | Date) };
    return terms ? [{ message, terms, docId: row.docId === null || row.docId === undefined ? null : Number(row.docId) }] : [];
  });
  if (isSqlite) {
    yield* reindexManySqlite(live);
  } else if (live.length > 0) {
    yield {
      sql: `
        INSERT INTO "MessageSearch" ("messageId", "createdAt", "threadId", "terms")
        VALUES ${live.map(() => `(?, ?, ?, ${termsVectorSql('?', '?')})`).join(', ')}
        ON CONFLICT ("messageId") DO UPDATE SET "terms" = excluded."terms"`,
      params: live.flatMap(({ message, terms }) => upsertParams(message, terms)),
    };
  }
  const ids = rows.map((row) => String(row.messageId));
  yield { sql: `DELETE FROM "MessageSearchBacklog" WHERE "messageId" IN (${placeholders(ids.length)})`, params: ids };
  return rows.length;
}

interface SearchBackfill {
  /** Settles once the backlog was first found empty (or the backfill was stopped). */
  done: Promise<void>;
  /** New messages wait in the backlog: index them shortly. */
  wake(): void;
  /** Stops after the batch under way; resolves once it finished. */
  stop(): Promise<void>;
}

/**
 * Works through the search backlog in the background: at start (messages older than search, or stored just
 * before a crash), then shortly after each wake-up (SQLite lists new messages there instead of indexing them
 * in the sending transaction). A failure (the database away) is logged and retried later.
 */
export function startSearchBackfill(hotPath: Pick<HotPath, 'indexSearchBacklog'>, options: { logger?: Logger | undefined } = {}): SearchBackfill {
  let isStopped = false;
  let isWoken = false;
  let timer: NodeJS.Timeout | undefined;
  let interrupt: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      interrupt = resolve;
      timer = setTimeout(resolve, ms).unref();
    });
  let untilWoken: (() => void) | undefined;

  /** Indexes until the backlog is empty; how many messages it took off. */
  const drain = async (): Promise<number> => {
    let taken = 0;
    while (!isStopped) {
      try {
        const batchStart = Date.now();
        const n = await hotPath.indexSearchBacklog(BATCH_SIZE);
        if (n === 0) break;
        taken += n;
        await sleep(Math.max(MIN_REST_MS, Date.now() - batchStart));
      } catch (err) {
        if (isStopped) break;
        options.logger?.warn({ err, retryInMs: RETRY_MS }, 'could not index the search backlog; retrying');
        await sleep(RETRY_MS);
      }
    }
    return taken;
  };

  const startedAt = Date.now();
  const first = drain().then((taken) => {
    if (taken > 0) options.logger?.info({ messages: taken, ms: Date.now() - startedAt }, 'indexed the messages waiting for search');
  });
  const live = first.then(async () => {
    while (!isStopped) {
      if (!isWoken) await new Promise<void>((resolve) => (untilWoken = resolve));
      if (isStopped) break;
      await sleep(FLUSH_DELAY_MS); // sends of the next few moments join this batch
      isWoken = false;
      await drain();
    }
  });
  return {
    done: first,
    wake() {
      isWoken = true;
      untilWoken?.();
      untilWoken = undefined;
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      interrupt?.();
      untilWoken?.();
      await live;
    },
  };
}
