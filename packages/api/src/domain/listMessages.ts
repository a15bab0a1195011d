import type { Deps } from '../deps.ts';
import { messageInclude, toMessageView, type MessageView } from './messageView.ts';

export interface MessagePage {
  /** Oldest first within the page. */
  messages: MessageView[];
  /** Pass as `beforeSeq` to get the page before this one; null at the start of the thread. */
  prevCursor: number | null;
}

/** One page of history ending before `beforeSeq` (or at the newest message). Membership is checked by the caller. */
export async function listMessagePage(
  deps: Pick<Deps, 'db'>,
  input: { threadId: string; beforeSeq?: number | undefined; limit: number },
): Promise<MessagePage> {
  const rows = await deps.db.message.findMany({
    where: { threadId: input.threadId, ...(input.beforeSeq === undefined ? {} : { seq: { lt: input.beforeSeq } }) },
    orderBy: { seq: 'desc' },
    take: input.limit,
    include: messageInclude,
  });
  rows.reverse();
  const oldest = rows[0];
  return { messages: rows.map(toMessageView), prevCursor: oldest && oldest.seq > 1 ? oldest.seq : null };
}
