import type { Deps } from '../deps.ts';
import type { PagePosition } from '../db/messagePageScript.ts';
import type { MessageView } from './messageView.ts';

export interface MessagePage {
  /** Oldest first within the page, each in its current state (edits, deletion, reactions, the quote as it is now). */
  messages: MessageView[];
  /** Pass as `beforeSeq` to get the page before this one; null at the start of the thread. */
  prevCursor: number | null;
  /** Pass as `afterSeq` to get the page after this one; null when no newer message was stored as of `asOfSeq`. */
  nextCursor: number | null;
  /** The thread's seq this state is current at: start thread.onMessage with `lastEventId: String(asOfSeq)`. */
  asOfSeq: number;
}

export interface ListMessagesInput {
  threadId: string;
  /** The page before this seq (a `prevCursor`). */
  beforeSeq?: number | undefined;
  /** The page after this seq (a `nextCursor`). */
  afterSeq?: number | undefined;
  /** A page centred on this seq (a search hit's), the message at it included. */
  aroundSeq?: number | undefined;
  limit: number;
}

/** One page of history (the newest, before or after a cursor, or around a seq), as `viewerId` sees it. Membership is checked by the caller. */
export function listMessagePage(deps: Pick<Deps, 'hotPath'>, viewerId: string, input: ListMessagesInput): Promise<MessagePage> {
  return deps.hotPath.messagePage({ threadId: input.threadId, viewerId, position: pagePosition(input), limit: input.limit });
}

function pagePosition(input: ListMessagesInput): PagePosition {
  if (input.beforeSeq !== undefined) return { kind: 'before', seq: input.beforeSeq };
  if (input.afterSeq !== undefined) return { kind: 'after', seq: input.afterSeq };
  if (input.aroundSeq !== undefined) return { kind: 'around', seq: input.aroundSeq };
  return { kind: 'newest' };
}
