import type { MessageView, ParleyClient } from '@parley/client';

const PAGE_SIZE = 100;

/**
 * Every message of a thread after `afterSeq`, oldest first, read newest page first back to that seq, and
 * the seq the newest page is current at.
 */
export async function listMessagesAfter(
  client: ParleyClient,
  threadId: string,
  afterSeq: number,
): Promise<{ messages: MessageView[]; asOfSeq: number }> {
  const pages: MessageView[][] = [];
  let beforeSeq: number | undefined;
  let asOfSeq: number | undefined;
  for (;;) {
    const page = await client.api.message.list.query({ threadId, limit: PAGE_SIZE, ...(beforeSeq ? { beforeSeq } : {}) });
    asOfSeq ??= page.asOfSeq;
    const newer = page.messages.filter((message) => message.seq > afterSeq);
    pages.unshift(newer);
    if (newer.length < page.messages.length || page.prevCursor === null) return { messages: pages.flat(), asOfSeq };
    beforeSeq = page.prevCursor;
  }
}
