import type { Deps } from '../deps.ts';
import type { MessageView } from './messageView.ts';

export interface MessagePage {
  /** Oldest first within the page, each in its current state (edits, deletion, reactions, the quote as it is now). */
  messages: MessageView[];
  /** Pass as `beforeSeq` to get the page before this one; null at the start of the thread. */
  prevCursor: number | null;
  /** The thread's seq this state is current at: start thread.onMessage with `lastEventId: String(asOfSeq)`. */
  asOfSeq: number;
}

/** One page of history ending before `beforeSeq` (or at the newest message), as `viewerId` sees it. Membership is checked by the caller. */
export function listMessagePage(
  deps: Pick<Deps, 'hotPath'>,
  viewerId: string,
  input: { threadId: string; beforeSeq?: number | undefined; limit: number },
): Promise<MessagePage> {
  return deps.hotPath.messagePage({ threadId: input.threadId, viewerId, beforeSeq: input.beforeSeq, limit: input.limit });
}
