import { buildMessageView, type MessageColumns, type MessageView } from '../domain/messageView.ts';

/**
 * A message as the hot path's raw SQL reads it, on SQLite and PostgreSQL alike: the view's own columns
 * flat, the author joined in, and `createdAt` as the driver returns it (text on SQLite, a Date on pg).
 */
export type MessageViewRow = MessageColumns & { authorId: string; username: string; createdAt: string | Date };

// Typed against the row, so a field added to MessageView is a type error here until its column is listed.
const MESSAGE_VIEW_COLUMNS = {
  id: 'm."id"',
  threadId: 'm."threadId"',
  seq: 'm."seq"',
  authorId: 'm."authorId"',
  username: 'u."username"',
  body: 'm."body"',
  clientId: 'm."clientId"',
} as const satisfies Record<Exclude<keyof MessageViewRow, 'createdAt'>, string>;

/** The SELECT list for a MessageViewRow from `"Message" m JOIN "User" u`; `createdAt` is the provider's expression for it. */
export function messageViewColumns(createdAt: string): string {
  const columns = Object.entries(MESSAGE_VIEW_COLUMNS).map(([name, column]) => `${column} AS "${name}"`);
  return [...columns, `${createdAt} AS "createdAt"`].join(', ');
}

/** A hot-path row as the view. */
export function rowToMessageView(row: MessageViewRow): MessageView {
  return buildMessageView(row, row.authorId, row.username, new Date(row.createdAt).toISOString());
}
