import { replySnippet, type AttachmentView, type ReplyPreview, type UserRef } from '../domain/messageView.ts';
import { UNATTACHED_UPLOAD_TTL_MS } from '../domain/removeUploads.ts';
import { ATTACHMENT_VIEW_COLUMNS, attachmentView } from './attachmentRows.ts';
import {
  refused,
  storedChange,
  type ChangeRequest,
  type ChangeResult,
  type DeleteRequest,
  type EditRequest,
  type MessageRequest,
  type ReactionRequest,
} from './changeRequests.ts';
import { indexTermsOf } from '../domain/searchTerms.ts';
import { indexNewMessage, reindexMessage, unindexMessageStatement } from './searchIndexSql.ts';
import { placeholders, type Dialect, type SqlRow, type SqlScript } from './sqlScript.ts';

/** Distinct emoji one message can carry: a bound on what one message costs every reader. */
export const MAX_EMOJI_PER_MESSAGE = 20;

/**
 * Stores one change with its thread's next seq, checking everything first so that a refusal writes
 * nothing. The caller runs it inside a transaction that holds the thread's write lock (SQLite's one
 * writer; PostgreSQL's row lock on the thread, taken for the whole batch in id order), so the checks and
 * the writes see the same state and seq order is commit order.
 */
export function* applyChange(request: ChangeRequest, dialect: Dialect): SqlScript<ChangeResult> {
  switch (request.kind) {
    case 'message':
      return yield* storeMessage(request, dialect);
    case 'edit':
      return yield* storeEdit(request, dialect);
    case 'delete':
      return yield* storeDelete(request, dialect);
    case 'reaction':
      return yield* storeReaction(request, dialect);
  }
}

function* storeMessage(request: MessageRequest, dialect: Dialect): SqlScript<ChangeResult> {
  const [member] = yield {
    sql: `SELECT 1 AS "ok" FROM "ThreadMember" WHERE "threadId" = ? AND "userId" = ?`,
    params: [request.threadId, request.authorId],
  };
  if (!member) return refused('refused');
  if (request.clientId !== null) {
    const [used] = yield {
      sql: `SELECT 1 AS "ok" FROM "Message" WHERE "authorId" = ? AND "clientId" = ?`,
      params: [request.authorId, request.clientId],
    };
    if (used) return refused('refused');
  }
  let replyTo: ReplyPreview | null = null;
  if (request.replyToId !== null) {
    const [parent] = yield {
      sql: `
        SELECT p."id", p."threadId", p."seq", p."body", p."authorId", u."username",
               ${dialect.timestamp('p."editedAt"')} AS "editedAt", ${dialect.timestamp('p."deletedAt"')} AS "deletedAt"
        FROM "Message" p JOIN "User" u ON u."id" = p."authorId" WHERE p."id" = ?`,
      params: [request.replyToId],
    };
    if (!parent || parent.threadId !== request.threadId) return refused('replyNotFound');
    if (parent.deletedAt !== null) return refused('replyDeleted');
    replyTo = {
      id: String(parent.id),
      seq: Number(parent.seq),
      author: { id: String(parent.authorId), username: String(parent.username) },
      snippet: replySnippet(String(parent.body)),
      editedAt: isoOrNull(parent.editedAt),
      deletedAt: null,
    };
  }
  const attachments = yield* claimUploads(request, dialect);
  if (attachments === null) return refused('attachmentNotFound');
  const seq = yield* nextSeq(request.threadId, request.createdAt);
  yield {
    sql: `INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt", "replyToId", "attachmentCount") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [
      request.id,
      request.threadId,
      seq,
      request.authorId,
      request.body,
      request.clientId,
      request.createdAt,
      request.replyToId,
      attachments.length,
    ],
  };
  yield* indexNewMessage(dialect, request);
  for (const [position, attachment] of attachments.entries()) {
    yield {
      sql: `UPDATE "Attachment" SET "messageId" = ?, "threadId" = ?, "position" = ? WHERE "id" = ?`,
      params: [request.id, request.threadId, position, attachment.id],
    };
  }
  yield {
    sql: `UPDATE "ThreadMember" SET "lastReadSeq" = ? WHERE "threadId" = ? AND "userId" = ?`,
    params: [seq, request.threadId, request.authorId],
  };
  const mentions = yield* resolveMentions(request.threadId, request.mentionCandidates);
  yield* insertMentions(request.id, request.threadId, seq, mentions);
  return storedChange(seq, request.threadId, { mentions, replyTo, attachments });
}

/** An upload can be sent for an hour less than it is kept, so the sweep never removes one being sent. */
const CLAIMABLE_FOR_MS = UNATTACHED_UPLOAD_TTL_MS - 60 * 60 * 1000;

/**
 * The author's own unattached, undeleted uploads among the request's, in its order; null if any is not
 * (someone else's, already attached, removed or unknown: all the same to the sender). PostgreSQL locks
 * the rows, since two sends to different threads do not share a thread lock.
 */
function* claimUploads(request: MessageRequest, dialect: Dialect): SqlScript<AttachmentView[] | null> {
  if (request.attachmentIds.length === 0) return [];
  const rows = yield {
    sql: `
      SELECT ${ATTACHMENT_VIEW_COLUMNS} FROM "Attachment" a
      WHERE a."id" IN (${placeholders(request.attachmentIds.length)}) AND a."ownerId" = ? AND a."messageId" IS NULL AND a."deletedAt" IS NULL
        AND a."createdAt" > ?${dialect.forUpdate}`,
    params: [...request.attachmentIds, request.authorId, new Date(request.createdAt.getTime() - CLAIMABLE_FOR_MS)],
  };
  const byId = new Map(rows.map((row) => [String(row.id), attachmentView(row)]));
  const claimed = request.attachmentIds.flatMap((id) => byId.get(id) ?? []);
  return claimed.length === request.attachmentIds.length ? claimed : null;
}

function* storeEdit(request: EditRequest, dialect: Dialect): SqlScript<ChangeResult> {
  const target = yield* findTarget(request.messageId, request.actorId, dialect);
  if (!target.found) return refused('notFound');
  if (target.authorId !== request.actorId) return refused('forbidden');
  if (target.deleted) return refused('deleted');
  if (target.body === request.body) return refused('unchanged');
  const seq = yield* nextSeq(target.threadId, null);
  const mentions = yield* resolveMentions(target.threadId, request.mentionCandidates);
  yield { sql: `UPDATE "Message" SET "body" = ?, "editedAt" = ? WHERE "id" = ?`, params: [request.body, request.at, request.messageId] };
  yield* reindexMessage(dialect, { id: request.messageId, threadId: target.threadId, createdAt: target.createdAt }, indexTermsOf(request.body));
  // Mentions that stay keep their seq, so an edit does not make an old mention unread again.
  const kept = mentions.map((m) => m.id);
  yield {
    sql: `DELETE FROM "Mention" WHERE "messageId" = ?${kept.length > 0 ? ` AND "userId" NOT IN (${placeholders(kept.length)})` : ''}`,
    params: [request.messageId, ...kept],
  };
  yield* insertMentions(request.messageId, target.threadId, seq, mentions);
  yield* insertEvent(target.threadId, seq, 'edit', request, JSON.stringify({ body: request.body, mentions }));
  return storedChange(seq, target.threadId, { mentions });
}

// The text of earlier edits goes with the body: nothing of a deleted message's words stays stored.
const FORGOTTEN_EDIT = JSON.stringify({ body: null, mentions: [] });

function* storeDelete(request: DeleteRequest, dialect: Dialect): SqlScript<ChangeResult> {
  const target = yield* findTarget(request.messageId, request.actorId, dialect);
  if (!target.found) return refused('notFound');
  if (target.authorId !== request.actorId) return refused('forbidden');
  if (target.deleted) return refused('unchanged');
  const seq = yield* nextSeq(target.threadId, null);
  yield { sql: `UPDATE "Message" SET "body" = '', "deletedAt" = ? WHERE "id" = ?`, params: [request.at, request.messageId] };
  yield { sql: `UPDATE "ThreadEvent" SET "data" = ? WHERE "messageId" = ? AND "kind" = 'edit'`, params: [FORGOTTEN_EDIT, request.messageId] };
  yield { sql: `DELETE FROM "Reaction" WHERE "messageId" = ?`, params: [request.messageId] };
  yield { sql: `DELETE FROM "Mention" WHERE "messageId" = ?`, params: [request.messageId] };
  yield unindexMessageStatement(dialect, request.messageId);
  // No longer served from here on; the bytes are removed after the commit (or by the upload sweep).
  yield { sql: `UPDATE "Attachment" SET "deletedAt" = ? WHERE "messageId" = ? AND "deletedAt" IS NULL`, params: [request.at, request.messageId] };
  yield* insertEvent(target.threadId, seq, 'delete', request, '{}');
  return storedChange(seq, target.threadId);
}

function* storeReaction(request: ReactionRequest, dialect: Dialect): SqlScript<ChangeResult> {
  const target = yield* findTarget(request.messageId, request.actorId, dialect);
  if (!target.found) return refused('notFound');
  if (target.deleted) return refused('deleted');
  const [usage] = yield {
    sql: `
      SELECT count(DISTINCT r."emoji") AS "distinct",
             EXISTS (SELECT 1 FROM "Reaction" e WHERE e."messageId" = ? AND e."emoji" = ?) AS "emojiUsed",
             EXISTS (SELECT 1 FROM "Reaction" e WHERE e."messageId" = ? AND e."emoji" = ? AND e."userId" = ?) AS "mine"
      FROM "Reaction" r WHERE r."messageId" = ?`,
    params: [request.messageId, request.emoji, request.messageId, request.emoji, request.actorId, request.messageId],
  };
  const mine = Boolean(Number(usage?.mine ?? 0));
  if (mine === request.on) return refused('unchanged');
  if (request.on && !Number(usage?.emojiUsed ?? 0) && Number(usage?.distinct ?? 0) >= MAX_EMOJI_PER_MESSAGE) return refused('tooManyEmoji');
  const seq = yield* nextSeq(target.threadId, null);
  yield request.on
    ? {
        sql: `INSERT INTO "Reaction" ("messageId", "userId", "emoji", "at") VALUES (?, ?, ?, ?)`,
        params: [request.messageId, request.actorId, request.emoji, request.at],
      }
    : {
        sql: `DELETE FROM "Reaction" WHERE "messageId" = ? AND "userId" = ? AND "emoji" = ?`,
        params: [request.messageId, request.actorId, request.emoji],
      };
  yield* insertEvent(target.threadId, seq, 'reaction', request, JSON.stringify({ emoji: request.emoji, on: request.on }));
  return storedChange(seq, target.threadId);
}

type Target = { found: false } | { found: true; threadId: string; authorId: string; body: string; createdAt: Date; deleted: boolean };

/** The message a change is about, if the actor is a member of its thread (otherwise it is not found, whether or not it exists). */
function* findTarget(messageId: string, actorId: string, dialect: Dialect): SqlScript<Target> {
  const [row] = yield {
    sql: `
      SELECT m."threadId", m."authorId", m."body", ${dialect.timestamp('m."createdAt"')} AS "createdAt", m."deletedAt" IS NOT NULL AS "deleted"
      FROM "Message" m
      WHERE m."id" = ? AND EXISTS (SELECT 1 FROM "ThreadMember" t WHERE t."threadId" = m."threadId" AND t."userId" = ?)`,
    params: [messageId, actorId],
  };
  if (!row) return { found: false };
  return {
    found: true,
    threadId: String(row.threadId),
    authorId: String(row.authorId),
    body: String(row.body),
    createdAt: new Date(row.createdAt as string | Date),
    deleted: Boolean(Number(row.deleted)),
  };
}

/** Takes the thread's next seq; only a new message moves the thread's activity time (the list's order). */
function* nextSeq(threadId: string, messageAt: Date | null): SqlScript<number> {
  const [row] = yield messageAt
    ? { sql: `UPDATE "Thread" SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = ? WHERE "id" = ? RETURNING "lastSeq"`, params: [messageAt, threadId] }
    : { sql: `UPDATE "Thread" SET "lastSeq" = "lastSeq" + 1 WHERE "id" = ? RETURNING "lastSeq"`, params: [threadId] };
  if (!row) throw new Error(`thread ${threadId} vanished while its change was stored`);
  return Number(row.lastSeq);
}

/** The thread's members among the candidates, in the order they were written. */
function* resolveMentions(threadId: string, candidates: readonly string[]): SqlScript<UserRef[]> {
  if (candidates.length === 0) return [];
  const rows: SqlRow[] = yield {
    sql: `
      SELECT u."id", u."username" FROM "ThreadMember" m JOIN "User" u ON u."id" = m."userId"
      WHERE m."threadId" = ? AND u."username" IN (${placeholders(candidates.length)})`,
    params: [threadId, ...candidates],
  };
  const byName = new Map(rows.map((row) => [String(row.username), { id: String(row.id), username: String(row.username) }]));
  return candidates.flatMap((name) => byName.get(name) ?? []);
}

function* insertMentions(messageId: string, threadId: string, seq: number, mentions: UserRef[]): SqlScript<void> {
  for (const user of mentions) {
    yield {
      sql: `INSERT INTO "Mention" ("messageId", "userId", "threadId", "seq") VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      params: [messageId, user.id, threadId, seq],
    };
  }
}

function* insertEvent(
  threadId: string,
  seq: number,
  kind: string,
  request: { messageId: string; actorId: string; at: Date },
  data: string,
): SqlScript<void> {
  yield {
    sql: `INSERT INTO "ThreadEvent" ("threadId", "seq", "kind", "messageId", "actorId", "at", "data") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    params: [threadId, seq, kind, request.messageId, request.actorId, request.at, data],
  };
}

function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(value as string | Date).toISOString();
}
