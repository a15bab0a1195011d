import { indexTermsOf, type IndexTerms, type SearchPhrase } from '../domain/searchTerms.ts';
import type { DbProvider } from './db.ts';
import type { Dialect, SqlScript, SqlStatement } from './sqlScript.ts';

/**
 * The search index's SQL, per provider (tables: prisma/migrations/…/20261204210000_message_search). Edits and
 * deletes change the index in the transaction that stores them, so a deleted message's words leave it in
 * the delete's own commit; so do new messages on PostgreSQL, while SQLite lists them for indexing right after.
 */

/** Words weigh A and CJK characters D: phrases match A only, so a phrase never runs from the words into the characters. */
export function termsVectorSql(words: string, unigrams: string): string {
  return `setweight(to_tsvector('simple', ${words}), 'A') || to_tsvector('simple', ${unigrams})`;
}

// SQLite: a message's index row is "MessageSearch" (FTS5) at "docId", and "MessageSearchDoc" maps the
// message to it. The docId is the message's time in ms × 1024 plus the messages of that ms indexed before
// it, so docId order is time order and the index ranks by recency without reading a row; it stays an exact
// JavaScript number until the year 2248. Looked up in the map only: FTS5 scans a rowid range whole (ms per
// lookup). Taken under the one write lock. IN_PLACE_DOC_ID's answer is free unless it is the next ms's.
const IN_PLACE_DOC_ID = `
  SELECT coalesce((SELECT max("docId") + 1 FROM "MessageSearchDoc" WHERE "docId" >= ?1 * 1024 AND "docId" < (?1 + 1) * 1024), ?1 * 1024) AS "docId"`;
// When its millisecond is full (1,024 messages), one past the newest.
const NEWEST_DOC_ID = `SELECT max(? * 1024, coalesce((SELECT max("docId") FROM "MessageSearchDoc"), -1) + 1) AS "docId"`;
const INSERT_TERMS = `INSERT INTO "MessageSearch" ("rowid", "words", "unigrams", "scope") VALUES (?, ?, ?, ?)`;
const MAP_DOC = `INSERT INTO "MessageSearchDoc" ("docId", "messageId") VALUES (?, ?)`;
const UPDATE_TERMS = `UPDATE "MessageSearch" SET "words" = ?, "unigrams" = ? WHERE "rowid" = ?`;
const FIND_DOC = `SELECT "docId" FROM "MessageSearchDoc" WHERE "messageId" = ?`;

// PostgreSQL: one row per message; an edit runs it again for the new text.
const UPSERT_TERMS = `
  INSERT INTO "MessageSearch" ("messageId", "createdAt", "threadId", "terms") VALUES (?, ?, ?, ${termsVectorSql('?', '?')})
  ON CONFLICT ("messageId") DO UPDATE SET "terms" = excluded."terms"`;

/** Removing the map row removes the index row too (its trigger), on SQLite. */
const UNINDEX_MESSAGE: Record<DbProvider, string> = {
  sqlite: `DELETE FROM "MessageSearchDoc" WHERE "messageId" = ?`,
  postgresql: `DELETE FROM "MessageSearch" WHERE "messageId" = ?`,
};

interface IndexedMessage {
  id: string;
  threadId: string;
  createdAt: Date;
}

/** UPSERT_TERMS's params, for one message. */
export function upsertParams(message: IndexedMessage, terms: IndexTerms): unknown[] {
  return [message.id, message.createdAt, message.threadId, terms.words, terms.unigrams];
}

/**
 * SQLite indexes a new message after its commit, from the backlog (db/searchBackfill.ts): FTS5 pays per
 * transaction (an index segment written, merges), which for the few sends of a group commit at moderate rates
 * cost more than the sends themselves (docs/benchmarks.md#message-search). Listing it here is one row in the
 * storing transaction, so no message goes unindexed whatever happens after the commit.
 */
export const QUEUE_FOR_INDEX = `INSERT INTO "MessageSearchBacklog" ("messageId") VALUES (?) ON CONFLICT DO NOTHING`;

/** Indexes a message just stored: PostgreSQL in its transaction, SQLite right after it (QUEUE_FOR_INDEX). */
export function* indexNewMessage(dialect: Dialect, message: IndexedMessage & { body: string }): SqlScript<void> {
  if (message.body === '') return;
  if (dialect.provider === 'sqlite') {
    yield { sql: QUEUE_FOR_INDEX, params: [message.id] };
    return;
  }
  const terms = indexTermsOf(message.body);
  if (terms) yield { sql: UPSERT_TERMS, params: upsertParams(message, terms) };
}

/** Indexes a message's text as it is now (an edit, the backfill); a text with nothing to find leaves the index. */
export function* reindexMessage(dialect: Dialect, message: IndexedMessage, terms: IndexTerms | null): SqlScript<void> {
  if (!terms) {
    yield unindexMessageStatement(dialect, message.id);
  } else if (dialect.provider === 'postgresql') {
    yield { sql: UPSERT_TERMS, params: upsertParams(message, terms) };
  } else {
    const [found] = yield { sql: FIND_DOC, params: [message.id] };
    if (found) {
      yield { sql: UPDATE_TERMS, params: [terms.words, terms.unigrams, Number(found.docId)] };
      return;
    }
    const at = message.createdAt.getTime();
    const [inPlace] = yield { sql: IN_PLACE_DOC_ID, params: [at] };
    const [doc] = Number(inPlace!.docId) < (at + 1) * 1024 ? [inPlace] : yield { sql: NEWEST_DOC_ID, params: [at] };
    yield* insertTerms(Number(doc!.docId), message, terms);
  }
}

function* insertTerms(docId: number, message: IndexedMessage, terms: IndexTerms): SqlScript<void> {
  yield { sql: MAP_DOC, params: [docId, message.id] };
  yield { sql: INSERT_TERMS, params: [docId, terms.words, terms.unigrams, scopeToken(message.threadId)] };
}

/**
 * reindexMessage for many messages in one SQLite transaction (the backlog), `docId` where one is mapped
 * already: every read first, then every write. FTS5 writes out the terms pending in a transaction as an
 * index segment whenever a later statement reads the table or opens a savepoint, so interleaving them
 * wrote one segment per message.
 */
export function* reindexManySqlite(messages: ReadonlyArray<{ message: IndexedMessage; terms: IndexTerms; docId: number | null }>): SqlScript<void> {
  const inserts: Array<{ docId: number; message: IndexedMessage; terms: IndexTerms }> = [];
  const taken = new Set<number>();
  for (const { message, terms, docId: mapped } of messages) {
    if (mapped !== null) continue;
    // Above the newest docId of its millisecond every one is free, up to the next millisecond's.
    const at = message.createdAt.getTime();
    const [free] = yield { sql: IN_PLACE_DOC_ID, params: [at] };
    let docId = Number(free!.docId);
    while (taken.has(docId)) docId++;
    if (docId >= (at + 1) * 1024) {
      const [newest] = yield { sql: NEWEST_DOC_ID, params: [at] };
      docId = Math.max(Number(newest!.docId), ...[...taken].map((id) => id + 1));
    }
    taken.add(docId);
    inserts.push({ docId, message, terms });
  }
  for (const { terms, docId } of messages) {
    if (docId !== null) yield { sql: UPDATE_TERMS, params: [terms.words, terms.unigrams, docId] };
  }
  for (const { docId, message } of inserts) yield { sql: MAP_DOC, params: [docId, message.id] };
  for (const { docId, message, terms } of inserts) {
    yield { sql: INSERT_TERMS, params: [docId, terms.words, terms.unigrams, scopeToken(message.threadId)] };
  }
}

export function unindexMessageStatement(dialect: Dialect, messageId: string): SqlStatement {
  return { sql: UNINDEX_MESSAGE[dialect.provider], params: [messageId] };
}

/** Where a page of hits ended: the next page starts after it (score, then newest first). */
export interface SearchPosition {
  score: number;
  /** SQLite: the docId (time order). PostgreSQL: the message's time and id. */
  docId: number | null;
  createdAt: Date;
  messageId: string;
}

export interface SearchQuery {
  userId: string;
  phrases: readonly SearchPhrase[];
  /** Only this thread. */
  threadId?: string | undefined;
  after?: SearchPosition | undefined;
  limit: number;
}

/** One hit as the search statement returns it (timestamps as the driver gives them). */
export interface SearchHitRow {
  score: number;
  docId: number | null;
  messageId: string;
  threadId: string;
  seq: number;
  body: string;
  authorId: string;
  username: string;
  createdAt: string | Date;
}

/**
 * Past this many threads the index is not told which: the query would name them all, and by then most
 * messages are in the searcher's threads anyway. Membership is then checked on every match instead.
 */
const MAX_SCOPED_THREADS = 500;

/**
 * Live messages of threads the user is a member of whose text has every phrase, best first: by relevance
 * (SQLite: bm25, which weighs rare terms more; PostgreSQL: ts_rank, by how often they occur), then newest.
 * SQLite is given the user's threads (`threadIds`, read in the same snapshot), and its index alone then
 * finds and ranks the hits: only the page's own hits read a row.
 */
export function searchMessagesStatement(dialect: Dialect, query: SearchQuery, threadIds: readonly string[] = []): SqlStatement {
  if (dialect.provider === 'postgresql') return postgresSearch(dialect, query);
  const isScoped = threadIds.length > 0 && threadIds.length <= MAX_SCOPED_THREADS;
  const params: unknown[] = [fts5Match(query.phrases, isScoped ? threadIds : [])];
  const filters: string[] = [];
  if (query.after) {
    filters.push(`(f."score" < ? OR (f."score" = ? AND f."docId" < ?))`);
    params.push(query.after.score, query.after.score, query.after.docId ?? 0);
  }
  if (!isScoped) {
    // Every match is then checked against the user's memberships before it is ranked.
    filters.push(
      `EXISTS (SELECT 1 FROM "MessageSearchDoc" d JOIN "Message" m ON m."id" = d."messageId"
        JOIN "ThreadMember" tm ON tm."threadId" = m."threadId" AND tm."userId" = ?
        WHERE d."docId" = f."docId"${query.threadId === undefined ? '' : ` AND m."threadId" = ?`})`,
    );
    params.push(query.userId, ...(query.threadId === undefined ? [] : [query.threadId]));
  }
  params.push(query.limit);
  return {
    sql: `
      SELECT p."score", p."docId", d."messageId", m."threadId", m."seq", m."body", m."authorId", u."username", m."createdAt"
      FROM (
        SELECT f.* FROM (
          SELECT "rowid" AS "docId", -bm25("MessageSearch", 1.0, 0.5, 0.0) AS "score" FROM "MessageSearch" WHERE "MessageSearch" MATCH ?
        ) f
        ${filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : ''}
        ORDER BY f."score" DESC, f."docId" DESC
        LIMIT ?
      ) p
      JOIN "MessageSearchDoc" d ON d."docId" = p."docId"
      JOIN "Message" m ON m."id" = d."messageId"
      JOIN "User" u ON u."id" = m."authorId"
      WHERE m."deletedAt" IS NULL
      ORDER BY p."score" DESC, p."docId" DESC`,
    params,
  };
}

function postgresSearch(dialect: Dialect, query: SearchQuery): SqlStatement {
  const params: unknown[] = [tsQuery(query.phrases), query.userId];
  const filters = [`EXISTS (SELECT 1 FROM "ThreadMember" tm WHERE tm."threadId" = h."threadId" AND tm."userId" = ?)`];
  if (query.threadId !== undefined) {
    filters.push(`h."threadId" = ?`);
    params.push(query.threadId);
  }
  if (query.after) {
    filters.push(
      `(h."score" < CAST(? AS real) OR (h."score" = CAST(? AS real) AND (h."createdAt" < CAST(? AS timestamp(3)) OR (h."createdAt" = CAST(? AS timestamp(3)) AND h."messageId" < ?))))`,
    );
    const { score, createdAt, messageId } = query.after;
    params.push(score, score, createdAt, createdAt, messageId);
  }
  params.push(query.limit);
  const order = (t: string) => `${t}."score" DESC, ${t}."createdAt" DESC, ${t}."messageId" DESC`;
  return {
    sql: `
      SELECT p."score", NULL AS "docId", p."messageId", p."threadId", m."seq", m."body", m."authorId", u."username", ${dialect.timestamp('m."createdAt"')} AS "createdAt"
      FROM (
        SELECT h.* FROM (
          SELECT s."messageId", s."threadId", s."createdAt", ts_rank(s."terms", q."query", 1) AS "score"
          FROM "MessageSearch" s, to_tsquery('simple', ?) q("query")
          WHERE s."terms" @@ q."query"
        ) h
        WHERE ${filters.join(' AND ')}
        ORDER BY ${order('h')}
        LIMIT ?
      ) p
      JOIN "Message" m ON m."id" = p."messageId"
      JOIN "User" u ON u."id" = m."authorId"
      WHERE m."deletedAt" IS NULL
      ORDER BY ${order('p')}`,
    params,
  };
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The token "scope" holds for a thread. No two ids may share one, and the tokenizer folds case and splits
 * at punctuation: so a lower-case UUID (every id Parley makes) without its dashes, any other id in hex.
 */
function scopeToken(threadId: string): string {
  return CANONICAL_UUID.test(threadId) ? `u${threadId.replaceAll('-', '')}` : `x${Buffer.from(threadId, 'utf8').toString('hex')}`;
}

/**
 * An FTS5 query: the phrases in the text columns, those of several tokens in the words column only (never
 * running on into the characters), and the scope among the given threads.
 */
function fts5Match(phrases: readonly SearchPhrase[], threadIds: readonly string[]): string {
  const text = phrases.map((phrase) => {
    const quoted = `"${phrase.tokens.join(' ').replaceAll('"', '""')}"${phrase.isPrefix ? ' *' : ''}`;
    return phrase.tokens.length > 1 ? `("words" : ${quoted})` : `({"words" "unigrams"} : ${quoted})`;
  });
  if (threadIds.length > 0) text.push(`("scope" : (${threadIds.map((id) => `"${scopeToken(id)}"`).join(' OR ')}))`);
  return text.join(' AND ');
}

/** A tsquery: phrases of several tokens as `<->` sequences of weight-A lexemes, the last one a prefix when asked. */
function tsQuery(phrases: readonly SearchPhrase[]): string {
  return phrases
    .map((phrase) => {
      const isPhrase = phrase.tokens.length > 1;
      const lexemes = phrase.tokens.map((token, i) => {
        const label = `${phrase.isPrefix && i === phrase.tokens.length - 1 ? '*' : ''}${isPhrase ? 'A' : ''}`;
        return `'${token.replaceAll('\\', '\\\\').replaceAll("'", "''")}'${label ? `:${label}` : ''}`;
      });
      return `(${lexemes.join(' <-> ')})`;
    })
    .join(' & ');
}
