import type { MessagePage } from '../domain/listMessages.ts';
import { isConstraintViolation, isDatabaseUnavailable } from '../domain/prismaErrors.ts';
import type { ThreadEvent } from '../domain/threadEvent.ts';
import type { ChangeRequest, ChangeResult } from './changeRequests.ts';
import type { MessagePageQuery } from './messagePageScript.ts';
import type { SearchHitRow, SearchQuery } from './searchIndexSql.ts';

/**
 * The few queries every message and every connection makes, in plain SQL per provider. Prisma's
 * per-query CPU cost through its query compiler and driver adapter, many times the driver's own, would cap
 * a process far below the send rates Parley aims at (figures: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
 * Everything else goes through Prisma.
 */
export interface HotPath {
  /** A session row with its user's name, or null. */
  findSession(id: string): Promise<SessionRecord | null>;
  /**
   * Stores changes in one transaction, each with its thread's next seq (a message also bumps the thread's
   * activity time and its author's read marker). A refused item changes nothing and says why (see
   * ChangeRefusal); the others are stored.
   */
  appendChanges(batch: readonly ChangeRequest[]): Promise<ChangeResult[]>;
  /** A thread's last seq and whether the user is a member; null when there is no such thread. */
  threadPosition(threadId: string, userId: string): Promise<{ lastSeq: number; isMember: boolean } | null>;
  /**
   * The threads each of these users is in, most recently active first (never-used threads last), for
   * recentThreadsOf: read at every activity stream's start and every presence change, so prepared SQL.
   */
  membershipsOf(userIds: readonly string[]): Promise<Array<{ userId: string; threadId: string }>>;
  /** The thread's log after `afterSeq`, in seq order with no hole, at most `limit` events (subscription catch-up). */
  eventsAfter(threadId: string, afterSeq: number, limit: number): Promise<ThreadEvent[]>;
  /** A page of messages in their current state, with the seq it is current at, read in one snapshot (message.list). */
  messagePage(query: MessagePageQuery): Promise<MessagePage>;
  /** A page of message.search hits, best first (see searchMessagesStatement); reads take no write lock. */
  searchMessages(query: SearchQuery): Promise<SearchHitRow[]>;
  /**
   * Indexes up to `limit` messages of the search backlog (stored before search existed), newest first, in
   * one transaction; resolves with how many it took off the backlog: 0 once it is empty.
   */
  indexSearchBacklog(limit: number): Promise<number>;
  close(): Promise<void>;
}

export interface SessionRecord {
  id: string;
  userId: string;
  username: string;
  secretHash: Uint8Array;
  createdAt: Date;
  lastUsedAt: Date;
}

/**
 * Group commit: changes queue while a write is in flight and go together in the next transaction, so
 * a busy process pays one commit per batch instead of one per change. A batch that a constraint
 * refused (rolled back, nothing stored) is retried item by item, so the one bad item fails alone; any
 * other failure (a lost connection: did the COMMIT land?) fails the whole batch, since retrying it
 * could store a message without a clientId twice.
 */
export function createBatchedAppender<Request, Result>(
  write: (batch: readonly Request[]) => Promise<Result[]>,
  options: { maxBatch?: number; isDefinitiveFailure?: (error: unknown) => boolean; isOutage?: (error: unknown) => boolean } = {},
): (request: Request) => Promise<Result> {
  const maxBatch = options.maxBatch ?? 256;
  const isDefinitiveFailure = options.isDefinitiveFailure ?? isConstraintViolation;
  const isOutage = options.isOutage ?? isDatabaseUnavailable;
  type Pending = { request: Request; resolve: (result: Result) => void; reject: (error: unknown) => void };
  let queue: Pending[] = [];
  let writing = false;

  const settle = (pending: Pending, result: Result | undefined): void => {
    if (result === undefined) pending.reject(new Error('the write returned fewer results than it was given'));
    else pending.resolve(result);
  };

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(maxBatch);
        try {
          const results = await write(batch.map((p) => p.request));
          batch.forEach((p, i) => settle(p, results[i]));
        } catch (error) {
          if (isOutage(error)) {
            // The appends queued behind a batch that met an outage would each wait out the same timeouts:
            // they fail now, unattempted, and their senders retry.
            for (const p of [...batch, ...queue.splice(0)]) p.reject(error);
          } else if (batch.length === 1 || !isDefinitiveFailure(error)) for (const p of batch) p.reject(error);
          else for (const p of batch) await write([p.request]).then((results) => settle(p, results[0]), p.reject);
        }
      }
    } finally {
      writing = false;
    }
  }

  return (request) =>
    new Promise((resolve, reject) => {
      queue.push({ request, resolve, reject });
      if (!writing) {
        // Wait for the rest of this event-loop turn: sends read from other sockets in the same poll phase
        // join this batch, so a moderately busy process commits once per turn rather than once per send.
        writing = true;
        setImmediate(drain);
      }
    });
}

// Shared by both providers' catch-up reads; placeholders are `?` for SQLite and rewritten for PostgreSQL.
export const THREAD_POSITION_SQL = `
  SELECT t."lastSeq",
         EXISTS (SELECT 1 FROM "ThreadMember" m WHERE m."threadId" = t."id" AND m."userId" = ?) AS "isMember"
  FROM "Thread" t WHERE t."id" = ?`;

/** `userIds` is SQL that lists the ids: a JSON array through json_each for SQLite, an array for PostgreSQL. */
export function membershipsOfSql(userIds: string): string {
  return `
  SELECT m."userId", m."threadId"
  FROM "ThreadMember" m JOIN "Thread" t ON t."id" = m."threadId"
  WHERE m."userId" IN (${userIds})
  ORDER BY t."lastMessageAt" DESC NULLS LAST, t."id"`;
}
