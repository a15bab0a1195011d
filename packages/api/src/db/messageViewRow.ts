import {
  buildMessageView,
  replySnippet,
  type AttachmentView,
  type MessageColumns,
  type MessageView,
  type ReplyPreview,
  type UserRef,
} from '../domain/messageView.ts';
import type { Dialect } from './sqlScript.ts';

type Timestamp = string | Date;

/**
 * A message as the hot path's raw SQL reads it, on SQLite and PostgreSQL alike: the view's own columns
 * flat, the author and the quoted parent joined in, timestamps as the driver returns them (text on
 * SQLite, a Date on pg).
 */
export type MessageViewRow = MessageColumns & {
  authorId: string;
  username: string;
  createdAt: Timestamp;
  editedAt: Timestamp | null;
  deletedAt: Timestamp | null;
  /** Files the message carries (not a view field: it says whether to read them). */
  attachmentCount?: number | null;
} & Partial<ReplyRow>;

interface ReplyRow {
  replyId: string | null;
  replySeq: number | null;
  replyBody: string | null;
  replyAuthorId: string | null;
  replyAuthorName: string | null;
  replyEditedAt: Timestamp | null;
  replyDeletedAt: Timestamp | null;
}

// Typed against the row, so a field added to MessageView is a type error here until its column is listed.
const MESSAGE_VIEW_COLUMNS = {
  id: 'm."id"',
  threadId: 'm."threadId"',
  seq: 'm."seq"',
  authorId: 'm."authorId"',
  username: 'u."username"',
  body: 'm."body"',
  clientId: 'm."clientId"',
  attachmentCount: 'm."attachmentCount"',
} as const satisfies Record<Exclude<keyof MessageViewRow, keyof ReplyRow | 'createdAt' | 'editedAt' | 'deletedAt'>, string>;

/** The SELECT list for a MessageViewRow from `"Message" m JOIN "User" u`. */
export function messageViewColumns(dialect: Dialect): string {
  const columns = Object.entries(MESSAGE_VIEW_COLUMNS).map(([name, column]) => `${column} AS "${name}"`);
  const times = ['createdAt', 'editedAt', 'deletedAt'].map((name) => `${dialect.timestamp(`m."${name}"`)} AS "${name}"`);
  return [...columns, ...times].join(', ');
}

/** The parent's columns, for a query that adds `LEFT JOIN "Message" p ON p."id" = m."replyToId" LEFT JOIN "User" pu ON pu."id" = p."authorId"`. */
export function replyColumns(dialect: Dialect): string {
  return [
    'p."id" AS "replyId"',
    'p."seq" AS "replySeq"',
    'p."body" AS "replyBody"',
    'p."authorId" AS "replyAuthorId"',
    'pu."username" AS "replyAuthorName"',
    `${dialect.timestamp('p."editedAt"')} AS "replyEditedAt"`,
    `${dialect.timestamp('p."deletedAt"')} AS "replyDeletedAt"`,
  ].join(', ');
}

export const REPLY_JOIN = `LEFT JOIN "Message" p ON p."id" = m."replyToId" LEFT JOIN "User" pu ON pu."id" = p."authorId"`;

/** A hot-path row as the view; reactions are filled in by the caller where they are read. */
export function rowToMessageView(row: MessageViewRow, mentions: UserRef[] = [], attachments: AttachmentView[] = []): MessageView {
  return buildMessageView(row, row.authorId, row.username, isoOf(row.createdAt), {
    editedAt: isoOrNull(row.editedAt),
    deletedAt: isoOrNull(row.deletedAt),
    replyTo: replyOf(row),
    mentions,
    attachments,
  });
}

function replyOf(row: Partial<ReplyRow>): ReplyPreview | null {
  if (row.replyId == null) return null;
  return {
    id: row.replyId,
    seq: Number(row.replySeq),
    author: { id: String(row.replyAuthorId), username: String(row.replyAuthorName) },
    snippet: replySnippet(row.replyBody ?? ''),
    editedAt: isoOrNull(row.replyEditedAt ?? null),
    deletedAt: isoOrNull(row.replyDeletedAt ?? null),
  };
}

export function isoOf(value: Timestamp): string {
  return new Date(value).toISOString();
}

function isoOrNull(value: Timestamp | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
