import type { AttachmentView, ReplyPreview, UserRef } from '../domain/messageView.ts';

/**
 * One change to a thread, as the hot path stores it with the thread's next seq. Every kind goes through
 * the same group commit, so seq order is commit order whatever the mix.
 */
export type ChangeRequest = MessageRequest | EditRequest | DeleteRequest | ReactionRequest;

export interface MessageRequest {
  kind: 'message';
  id: string;
  threadId: string;
  authorId: string;
  body: string;
  clientId: string | null;
  createdAt: Date;
  /** The quoted message; it must be a live message of the same thread. */
  replyToId: string | null;
  /** Usernames written as `@name` in the body; the members among them become mentions. */
  mentionCandidates: readonly string[];
  /** The author's own unattached uploads to attach, in order. */
  attachmentIds: readonly string[];
}

export interface EditRequest {
  kind: 'edit';
  messageId: string;
  actorId: string;
  body: string;
  mentionCandidates: readonly string[];
  at: Date;
}

export interface DeleteRequest {
  kind: 'delete';
  messageId: string;
  actorId: string;
  at: Date;
}

export interface ReactionRequest {
  kind: 'reaction';
  messageId: string;
  actorId: string;
  emoji: string;
  on: boolean;
  at: Date;
}

export type ChangeResult = StoredChange | RefusedChange;

export interface StoredChange {
  stored: true;
  seq: number;
  threadId: string;
  /** The mentions of the stored text (message and edit). */
  mentions: UserRef[];
  /** A message's quoted parent as it is now. */
  replyTo: ReplyPreview | null;
  /** A message's files as attached. */
  attachments: AttachmentView[];
}

export interface RefusedChange {
  stored: false;
  refusal: ChangeRefusal;
}

/**
 * Why nothing was stored. `refused` is a message's: not a member, no such thread or a clientId already
 * used, which the caller tells apart afterwards (refusals are rare; the common path spends no query on them).
 */
export type ChangeRefusal =
  'refused' | 'notFound' | 'forbidden' | 'deleted' | 'unchanged' | 'replyNotFound' | 'replyDeleted' | 'tooManyEmoji' | 'attachmentNotFound';

/** The plain sends every process makes most: no reply, no `@` and no files, so the provider's one-statement fast path stores them. */
export function isPlainMessage(request: ChangeRequest): request is MessageRequest {
  return request.kind === 'message' && request.replyToId === null && request.mentionCandidates.length === 0 && request.attachmentIds.length === 0;
}

export function storedPlainMessage(seq: number, threadId: string): StoredChange {
  return storedChange(seq, threadId);
}

/** A stored change; a message's mentions, quote and files where it has them. */
export function storedChange(
  seq: number,
  threadId: string,
  parts: Partial<Pick<StoredChange, 'mentions' | 'replyTo' | 'attachments'>> = {},
): StoredChange {
  return { stored: true, seq, threadId, mentions: parts.mentions ?? [], replyTo: parts.replyTo ?? null, attachments: parts.attachments ?? [] };
}

export function refused(refusal: ChangeRefusal): RefusedChange {
  return { stored: false, refusal };
}
