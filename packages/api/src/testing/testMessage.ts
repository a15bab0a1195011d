import type { MessageView } from '../domain/messageView.ts';
import { messageEvent, type MessageEvent } from '../domain/threadEvent.ts';

/**
 * A MessageView for tests, the one place they build one: seq 1 in thread t1 by ada unless `fields` say
 * otherwise; the id, body and time follow the thread and seq, so messages built apart still differ.
 */
export function testMessage(fields: Partial<MessageView> = {}): MessageView {
  const threadId = fields.threadId ?? 't1';
  const seq = fields.seq ?? 1;
  return {
    id: `${threadId}-${seq}`,
    threadId,
    seq,
    author: { id: 'u1', username: 'ada' },
    body: `m${seq}`,
    clientId: null,
    createdAt: new Date(seq * 1000).toISOString(),
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    attachments: [],
    ...fields,
  };
}

/** The `message` event of testMessage(fields), as the bus and thread.onMessage carry it. */
export function testMessageEvent(fields: Partial<MessageView> = {}): MessageEvent {
  return messageEvent(testMessage(fields));
}
