import type { MessageView } from '../domain/messageView.ts';
import { isConstraintViolation, isDatabaseUnavailable } from '../domain/prismaErrors.ts';
import { messageViewColumns } from './messageViewRow.ts';

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
   * Appends messages in one transaction, each with its thread's next seq, bumping the thread and the
   * author's read marker. An item whose author is not a member, whose thread does not exist, or whose
   * clientId the author already used gets `null` and changes nothing: the caller explains it.
   */
  appendMessages(batch: readonly AppendRequest[]): Promise<Array<number | null>>;
  /** A thread's last seq and whether the user is a member; null when there is no such thread. */
  threadPosition(threadId: string, userId: string): Promise<{ lastSeq: number; isMember: boolean } | null>;
  /**
   * The threads each of these users is in, most recently active first (never-used threads last), for
   * recentThreadsOf: read at every activity stream's start and every presence change, so prepared SQL.
   */
  membershipsOf(userIds: readonly string[]): Promise<Array<{ userId: string; threadId: string }>>;
  /** Messages with seq greater than `afterSeq`, oldest first, at most `limit` (subscription catch-up). */
  messagesAfter(threadId: string, afterSeq: number, limit: number): Promise<MessageView[]>;
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

export interface AppendRequest {
  id: string;
  threadId: string;
  authorId: string;
  body: string;
  clientId: string | null;
  createdAt: Date;
}

/**
 * Group commit: appends queue while a write is in flight and go together in the next transaction, so
 * a busy process pays one commit per batch instead of one per message. A batch that a constraint
 * refused (rolled back, nothing stored) is retried item by item, so the one bad item fails alone; any
 * other failure (a lost connection: did the COMMIT land?) fails the whole batch, since retrying it
 * could store a message without a clientId twice.
 */
export function createBatchedAppender(
  write: (batch: readonly AppendRequest[]) => Promise<Array<number | null>>,
  options: { maxBatch?: number; isDefinitiveFailure?: (error: unknown) => boolean; isOutage?: (error: unknown) => boolean } = {},
): (request: AppendRequest) => Promise<number | null> {
  const maxBatch = options.maxBatch ?? 256;
  const isDefinitiveFailure = options.isDefinitiveFailure ?? isConstraintViolation;
  const isOutage = options.isOutage ?? isDatabaseUnavailable;
  type Pending = { request: AppendRequest; resolve: (seq: number | null) => void; reject: (error: unknown) => void };
  let queue: Pending[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(maxBatch);
        try {
          const seqs = await write(batch.map((p) => p.request));
          batch.forEach((p, i) => p.resolve(seqs[i] ?? null));
        } catch (error) {
          if (isOutage(error)) {
            // The appends queued behind a batch that met an outage would each wait out the same timeouts:
            // they fail now, unattempted, and their senders retry.
            for (const p of [...batch, ...queue.splice(0)]) p.reject(error);
          } else if (batch.length === 1 || !isDefinitiveFailure(error)) for (const p of batch) p.reject(error);
          else for (const p of batch) await write([p.request]).then((seqs) => p.resolve(seqs[0] ?? null), p.reject);
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

export function messagesAfterSql(createdAt: string): string {
  return `
  SELECT ${messageViewColumns(createdAt)}
  FROM "Message" m JOIN "User" u ON u."id" = m."authorId"
  WHERE m."threadId" = ? AND m."seq" > ?
  ORDER BY m."seq" LIMIT ?`;
}
