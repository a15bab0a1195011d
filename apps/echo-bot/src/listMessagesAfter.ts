import type { MessageView, ParleyClient } from '@parley/client';

const PAGE_SIZE = 100;

/** Every message of a thread after `afterSeq`, oldest first, read newest page first back to that seq. */
export async function listMessagesAfter(client: ParleyClient, threadId: string, afterSeq: number): Promise<MessageView[]> {
  const pages: MessageView[][] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await client.api.message.list.query({ threadId, limit: PAGE_SIZE, ...(beforeSeq ? { beforeSeq } : {}) });
    const newer = page.messages.filter((message) => message.seq > afterSeq);
    pages.unshift(newer);
    if (newer.length < page.messages.length || page.prevCursor === null) return pages.flat();
    beforeSeq = page.prevCursor;
  }
}
