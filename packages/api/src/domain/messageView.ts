/** A stored message as the API returns it and the bus carries it. */
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

/** The Prisma include that carries what a MessageView needs. */
export const messageInclude = { author: { select: { id: true, username: true } } } as const;

export function toMessageView(row: {
  id: string;
  threadId: string;
  seq: number;
  body: string;
  clientId: string | null;
  createdAt: Date;
  author: { id: string; username: string };
}): MessageView {
  return {
    id: row.id,
    threadId: row.threadId,
    seq: row.seq,
    author: { id: row.author.id, username: row.author.username },
    body: row.body,
    clientId: row.clientId,
    createdAt: row.createdAt.toISOString(),
  };
}
