/**
 * A stored message as the API returns it and the bus carries it. The one definition of a message's
 * shape: the row types below derive from it, so a new field here is a type error everywhere it must be
 * filled in.
 */
export interface MessageView {
  id: string;
  threadId: string;
  seq: number;
  author: UserRef;
  /** The current text; '' once deleted. */
  body: string;
  clientId: string | null;
  /** ISO-8601; a string so that the bus, JSON and the wire agree without a transformer. */
  createdAt: string;
  /** ISO-8601 of the last edit; null if never edited. */
  editedAt: string | null;
  /** ISO-8601 of the deletion; a deleted message is a tombstone (no body, mentions or reactions). */
  deletedAt: string | null;
  /** The quoted message, as it is now (an edited or deleted parent shows so); null when not a reply. */
  replyTo: ReplyPreview | null;
  /** Thread members mentioned as `@username` in the body, resolved by the server at send and edit. */
  mentions: UserRef[];
  /**
   * Reactions, one entry per emoji in the order first used. In a `message` event (live or catch-up) this is
   * always empty: the reactions after it are `reaction` events. message.list fills it.
   */
  reactions: ReactionSummary[];
  /** Files sent with the message, in the order attached; none once it is deleted (their bytes are removed). */
  attachments: AttachmentView[];
}

/** A file of a message. Its bytes are at `/files/<id>` (and `/files/<id>/thumbnail` for images), for members of the thread only. */
export interface AttachmentView {
  id: string;
  /** The file name the uploader gave (cleaned of path parts and control characters). */
  name: string;
  /** Bytes as served (an image's after re-encoding). */
  size: number;
  /** What the bytes are, detected on upload. */
  type: string;
  /** Images (JPEG, PNG, WebP, GIF) are shown inline with a thumbnail; every other file is a download. */
  kind: 'image' | 'file';
  /** An image's size in pixels and its WebP thumbnail's; null for other files. */
  image: { width: number; height: number; thumbnailWidth: number; thumbnailHeight: number } | null;
}

export interface UserRef {
  id: string;
  username: string;
}

export interface ReplyPreview {
  id: string;
  seq: number;
  author: UserRef;
  /** The start of the parent's current text (replySnippet); '' when it is deleted. */
  snippet: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface ReactionSummary {
  emoji: string;
  count: number;
  /** Whether the reader is among `users` (computed per reader by message.list; clients derive it from users). */
  mine: boolean;
  /** Who reacted, in the order they did. */
  users: UserRef[];
}

/** How much of a parent's text a reply quotes, in code points. */
const REPLY_SNIPPET_LENGTH = 120;

/** The quoted start of a message: whitespace runs as one space, cut at REPLY_SNIPPET_LENGTH code points with an ellipsis. */
export function replySnippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length <= REPLY_SNIPPET_LENGTH ? flat : `${points.slice(0, REPLY_SNIPPET_LENGTH).join('')}…`;
}

/** The fields every storage path reads as they are: all but the joined author, the timestamps and the joined parts. */
export type MessageColumns = Pick<MessageView, 'id' | 'threadId' | 'seq' | 'body' | 'clientId'>;

/** The parts of a view that are joined from other rows or are timestamps other than createdAt. */
export type MessageExtras = Pick<MessageView, 'editedAt' | 'deletedAt' | 'replyTo' | 'mentions' | 'reactions' | 'attachments'>;

const NO_EXTRAS: MessageExtras = { editedAt: null, deletedAt: null, replyTo: null, mentions: [], reactions: [], attachments: [] };

/** A message as Prisma returns it with `messageInclude`, and as a send holds it once stored. */
export type StoredMessage = MessageColumns & { author: MessageView['author']; createdAt: Date };

/** The Prisma include that carries what a MessageView needs. */
export const messageInclude = { author: { select: { id: true, username: true } } } as const;

/** A Prisma row (or a message just stored) as the view. */
export function toMessageView(row: StoredMessage, extras: Partial<MessageExtras> = {}): MessageView {
  return buildMessageView(row, row.author.id, row.author.username, row.createdAt.toISOString(), extras);
}

/**
 * The one place a view's fields are listed; each storage path's row→view function ends here. A plain
 * literal, so every message shares one hidden class (the fan-out encodes and the bus serialises them).
 */
export function buildMessageView(
  columns: MessageColumns,
  authorId: string,
  username: string,
  createdAt: string,
  extras: Partial<MessageExtras> = NO_EXTRAS,
): MessageView {
  return {
    id: columns.id,
    threadId: columns.threadId,
    seq: columns.seq,
    author: { id: authorId, username },
    body: columns.body,
    clientId: columns.clientId,
    createdAt,
    editedAt: extras.editedAt ?? null,
    deletedAt: extras.deletedAt ?? null,
    replyTo: extras.replyTo ?? null,
    mentions: extras.mentions ?? [],
    reactions: extras.reactions ?? [],
    attachments: extras.attachments ?? [],
  };
}
