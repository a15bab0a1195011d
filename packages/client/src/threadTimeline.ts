import { withReaction } from './reactionChanges.ts';
import { replySnippet } from './replySnippet.ts';
import type { AttachmentView, MessageView, ReactionSummary, ReplyPreview, ThreadEvent, UserRef } from './types.ts';

export type TimelineStatus = 'pending' | 'failed' | 'confirmed';

/** One row of a conversation. Rows are never mutated: a change makes a new row (cheap change checks in UIs). */
export interface TimelineEntry {
  /** Stable from pending to confirmed, for keyed rendering. */
  key: string;
  status: TimelineStatus;
  /** The server's id; null until confirmed. */
  id: string | null;
  /** The server's order; null until confirmed. */
  seq: number | null;
  clientId: string | null;
  author: UserRef;
  /** The current text; '' once deleted. */
  body: string;
  /** ISO-8601: the server's time once confirmed, the local send time before. */
  createdAt: string;
  /** Why the last send failed, when status is 'failed'. */
  error: string | null;
  editedAt: string | null;
  deletedAt: string | null;
  /** The quoted message as it is now. */
  replyTo: ReplyPreview | null;
  mentions: UserRef[];
  reactions: ReactionSummary[];
  /** The message's files; a pending send shows the ones it carries (already uploaded). */
  attachments: AttachmentView[];
}

export interface HistoryPage {
  /** Oldest first. */
  messages: MessageView[];
  /** The `beforeSeq` for the page before this one; null at the start of the thread. */
  prevCursor: number | null;
  /** The seq the page's state is current at (message.list's asOfSeq). */
  asOfSeq: number;
}

/**
 * A thread as one person sees it: confirmed messages once each in seq order, in their current state,
 * then their own unconfirmed sends. It applies the thread's log (thread.onMessage) by seq: an event at
 * or below what it has is ignored, so re-deliveries and "page at k, then the events after k" end in
 * the state replaying everything gives. A send is matched to its confirmation by clientId, whichever
 * of the mutation's result and the subscription comes first.
 */
export class ThreadTimeline {
  readonly #me: UserRef;
  /** Sorted by seq. */
  #confirmed: Array<TimelineEntry & { id: string; seq: number }> = [];
  /** Pending and failed sends, in the order they were written. */
  #local: TimelineEntry[] = [];
  #seqs = new Set<number>();
  /** undefined until the first history page arrives. */
  #prevCursor: number | null | undefined = undefined;
  #lastEventSeq = 0;

  constructor(me: UserRef) {
    this.#me = me;
  }

  get entries(): TimelineEntry[] {
    return [...this.#confirmed, ...this.#local];
  }

  /** The highest seq of the log this timeline reflects: what thread.onMessage resumes after, and what markRead takes. */
  get lastEventSeq(): number {
    return this.#lastEventSeq;
  }

  /** The cursor for the next older page, null when the start of the thread is loaded, undefined before any page. */
  get prevCursor(): number | null | undefined {
    return this.#prevCursor;
  }

  get hasOlder(): boolean {
    return this.#prevCursor !== null;
  }

  /** Merges a page of history (the newest page first, then older ones as the reader scrolls up). */
  addPage(page: HistoryPage): void {
    const isFirst = this.#prevCursor === undefined;
    const oldestBefore = this.#confirmed[0]?.seq ?? Infinity;
    const oldestInPage = page.messages[0]?.seq ?? Infinity;
    // An overlapping or newer page (a reload of the newest page) must not move the cursor forward.
    if (isFirst || oldestInPage <= oldestBefore) this.#prevCursor = page.prevCursor;
    for (const message of page.messages) this.#upsert(message);
    // Only the first page says where the log starts for this timeline: a later (older) page may be newer
    // than the events applied so far, and moving the cursor past them would skip newer messages' events.
    if (isFirst) this.#lastEventSeq = Math.max(this.#lastEventSeq, page.asOfSeq);
  }

  /** Applies one event of the thread's log, once: events at or below lastEventSeq are already reflected. */
  apply(event: ThreadEvent): void {
    if (event.seq <= this.#lastEventSeq) return;
    this.#lastEventSeq = event.seq;
    if (event.kind === 'message') {
      this.receive(event.message);
      return;
    }
    // A message older than the loaded pages is not shown, though replies to it that are shown quote it.
    if (event.kind === 'edit') this.#updateQuotes(event.messageId, { snippet: replySnippet(event.body ?? ''), editedAt: event.at });
    if (event.kind === 'delete') this.#updateQuotes(event.messageId, { snippet: '', deletedAt: event.at });
    const index = this.#confirmed.findIndex((entry) => entry.id === event.messageId);
    const entry = this.#confirmed[index];
    if (!entry) return;
    switch (event.kind) {
      case 'edit':
        this.#confirmed[index] = { ...entry, body: event.body ?? '', mentions: event.mentions, editedAt: event.at };
        break;
      case 'delete':
        this.#confirmed[index] = { ...entry, body: '', mentions: [], reactions: [], attachments: [], deletedAt: event.at };
        break;
      case 'reaction':
        this.#confirmed[index] = { ...entry, reactions: withReaction(entry.reactions, event.emoji, event.actor, event.on, this.#me.id) };
        break;
    }
  }

  /** Shows a send at once, before the server has it. */
  addPending(clientId: string, body: string, now: Date, replyTo: ReplyPreview | null = null, attachments: AttachmentView[] = []): void {
    if (this.#findLocal(clientId) >= 0) throw new Error(`clientId ${clientId} is already in this timeline`);
    this.#local.push({
      key: `local:${clientId}`,
      status: 'pending',
      id: null,
      seq: null,
      clientId,
      author: this.#me,
      body,
      createdAt: now.toISOString(),
      error: null,
      editedAt: null,
      deletedAt: null,
      replyTo,
      mentions: [],
      reactions: [],
      attachments,
    });
  }

  /** Marks a send failed, unless its confirmation already arrived (then there is nothing to retry). */
  markFailed(clientId: string, error: string): void {
    const index = this.#findLocal(clientId);
    const entry = this.#local[index];
    if (entry) this.#local[index] = { ...entry, status: 'failed', error };
  }

  /** Puts a failed send back to pending and returns its body, to be sent again with the same clientId. */
  retry(clientId: string): string | null {
    const index = this.#findLocal(clientId);
    const entry = this.#local[index];
    if (!entry || entry.status !== 'failed') return null;
    this.#local[index] = { ...entry, status: 'pending', error: null };
    return entry.body;
  }

  /**
   * Adds a message from the server (a send's result, or the subscription's message event), once, in seq
   * order. It does not move lastEventSeq: a send's result says nothing about the events before it.
   */
  receive(message: MessageView): void {
    const localIndex = message.author.id === this.#me.id && message.clientId ? this.#findLocal(message.clientId) : -1;
    const local = this.#local[localIndex];
    if (local) this.#local.splice(localIndex, 1);
    if (this.#seqs.has(message.seq)) return;
    this.#insert(message, local?.key);
  }

  /** A history message: new ones are inserted, loaded ones take the page's (current) state. */
  #upsert(message: MessageView): void {
    if (!this.#seqs.has(message.seq)) {
      this.receive(message);
      return;
    }
    const index = this.#confirmed.findIndex((entry) => entry.seq === message.seq);
    const entry = this.#confirmed[index];
    if (entry) this.#confirmed[index] = { ...toEntry(message, entry.key), key: entry.key };
  }

  #insert(message: MessageView, key: string | undefined): void {
    this.#seqs.add(message.seq);
    const entry = toEntry(message, key ?? `message:${message.id}`);
    // Live messages land at the end; only history pages and catch-up go further back.
    let index = this.#confirmed.length;
    while (index > 0 && (this.#confirmed[index - 1]?.seq ?? 0) > entry.seq) index--;
    this.#confirmed.splice(index, 0, entry);
  }

  #updateQuotes(parentId: string, change: Partial<ReplyPreview>): void {
    this.#confirmed = this.#confirmed.map((entry) =>
      entry.replyTo?.id === parentId ? { ...entry, replyTo: { ...entry.replyTo, ...change } } : entry,
    );
    this.#local = this.#local.map((entry) => (entry.replyTo?.id === parentId ? { ...entry, replyTo: { ...entry.replyTo, ...change } } : entry));
  }

  #findLocal(clientId: string): number {
    return this.#local.findIndex((entry) => entry.clientId === clientId);
  }
}

function toEntry(message: MessageView, key: string): TimelineEntry & { id: string; seq: number } {
  return {
    key,
    status: 'confirmed',
    id: message.id,
    seq: message.seq,
    clientId: message.clientId,
    author: message.author,
    body: message.body,
    createdAt: message.createdAt,
    error: null,
    editedAt: message.editedAt,
    deletedAt: message.deletedAt,
    replyTo: message.replyTo,
    mentions: message.mentions,
    reactions: message.reactions,
    attachments: message.attachments,
  };
}
