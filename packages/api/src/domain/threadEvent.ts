import type { MessageView, UserRef } from './messageView.ts';

/**
 * One change in a thread's log, with the thread's next seq. `thread.onMessage` yields these as
 * `tracked(String(seq), event)`: every kind rides the one cursor, so resume covers every feature.
 *
 * Adding a kind: a variant here (and in its zod schema), how it is stored (a ThreadEvent row's `data`),
 * how ThreadTimeline applies it, how the web shows it. Catch-up, resume, the bus and the encoder do not change.
 */
export type ThreadEvent = MessageEvent | EditEvent | DeleteEvent | ReactionEvent;

interface ThreadEventBase {
  threadId: string;
  seq: number;
  /** The message the change is about (for `message`, the new message's id). */
  messageId: string;
  /** Who made the change. */
  actor: UserRef;
  /** ISO-8601 of when it was stored. */
  at: string;
}

/** A new message; `message.reactions` is empty (reactions are their own events). */
export interface MessageEvent extends ThreadEventBase {
  kind: 'message';
  message: MessageView;
}

/** The author changed the text. `body` is null when the message was deleted later: deleting forgets every version. */
export interface EditEvent extends ThreadEventBase {
  kind: 'edit';
  body: string | null;
  /** The mentions of the new text. */
  mentions: UserRef[];
}

/** The message is now a tombstone: no body, mentions or reactions. */
export interface DeleteEvent extends ThreadEventBase {
  kind: 'delete';
}

/** `actor` added (`on`) or removed their `emoji` on the message. */
export interface ReactionEvent extends ThreadEventBase {
  kind: 'reaction';
  emoji: string;
  on: boolean;
}

/** A message event for a message just stored or read back. */
export function messageEvent(message: MessageView): MessageEvent {
  return {
    kind: 'message',
    threadId: message.threadId,
    seq: message.seq,
    messageId: message.id,
    actor: message.author,
    at: message.createdAt,
    message,
  };
}
