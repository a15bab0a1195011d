/**
 * A stored message as the API returns it and the bus carries it. The one definition of a message's
 * shape: the row types below derive from it, so a new field here is a type error everywhere it must be
 * filled in.
 */
export interface MessageView {
  id: string;
  threadId: string;
  seq: number;
  author: { id: string; username: string };
  body: string;
  clientId: string | null;
  /** ISO-8601; a string so that the bus, JSON and the wire agree without a transformer. */
  createdAt: string;
}

/** The fields every storage path reads as they are: all but the joined author and the timestamp. */
export type MessageColumns = Omit<MessageView, 'author' | 'createdAt'>;

/** A message as Prisma returns it with `messageInclude`, and as a send holds it once stored. */
export type StoredMessage = MessageColumns & { author: MessageView['author']; createdAt: Date };

/** The Prisma include that carries what a MessageView needs. */
export const messageInclude = { author: { select: { id: true, username: true } } } as const;

/** A Prisma row (or a message just stored) as the view. */
export function toMessageView(row: StoredMessage): MessageView {
  return buildMessageView(row, row.author.id, row.author.username, row.createdAt.toISOString());
}

/**
 * The one place a view's fields are listed; each storage path's row→view function ends here. A plain
 * literal, so every message shares one hidden class (the fan-out encodes and the bus serialises them).
 */
export function buildMessageView(columns: MessageColumns, authorId: string, username: string, createdAt: string): MessageView {
  return {
    id: columns.id,
    threadId: columns.threadId,
    seq: columns.seq,
    author: { id: authorId, username },
    body: columns.body,
    clientId: columns.clientId,
    createdAt,
  };
}
