import type { MessageView } from './types.ts';

export type TimelineStatus = 'pending' | 'failed' | 'confirmed';

/** One row of a conversation. Rows are never mutated: a change makes a new row (cheap change checks in UIs). */
export interface TimelineEntry {
  /** Stable from pending to confirmed, for keyed rendering. */
  key: string;
  status: TimelineStatus;
  /** The server's order; null until confirmed. */
  seq: number | null;
  clientId: string | null;
  author: { id: string; username: string };
  body: string;
  /** ISO-8601: the server's time once confirmed, the local send time before. */
  createdAt: string;
  /** Why the last send failed, when status is 'failed'. */
  error: string | null;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: MessageView[];
  /** The `beforeSeq` for the page before this one; null at the start of the thread. */
  prevCursor: number | null;
}

/**
 * A thread's messages as one person sees them: confirmed messages once each in seq order, then their own
 * unconfirmed sends. A send is matched to its confirmation by clientId, whether that comes back as the
 * mutation's result or through the subscription first; either arrival order leaves one row.
 */
export class ThreadTimeline {
  readonly #me: { id: string; username: string };
  /** Sorted by seq. */
  #confirmed: TimelineEntry[] = [];
  /** Pending and failed sends, in the order they were written. */
  #local: TimelineEntry[] = [];
  #seqs = new Set<number>();
  /** undefined until the first history page arrives. */
  #prevCursor: number | null | undefined = undefined;

  constructor(me: { id: string; username: string }) {
    this.#me = me;
  }

  get entries(): TimelineEntry[] {
    return [...this.#confirmed, ...this.#local];
  }

  /** The highest confirmed seq (0 when none): what a subscription resumes after, and what markRead takes. */
  get lastSeq(): number {
    return this.#confirmed.at(-1)?.seq ?? 0;
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
    const oldestBefore = this.#confirmed[0]?.seq ?? Infinity;
    const oldestInPage = page.messages[0]?.seq ?? Infinity;
    // An overlapping or newer page (a reload of the newest page) must not move the cursor forward.
    if (this.#prevCursor === undefined || oldestInPage <= oldestBefore) this.#prevCursor = page.prevCursor;
    for (const message of page.messages) this.receive(message);
  }

  /** Shows a send at once, before the server has it. */
  addPending(clientId: string, body: string, now: Date): void {
    if (this.#findLocal(clientId) >= 0) throw new Error(`clientId ${clientId} is already in this timeline`);
    this.#local.push({
      key: `local:${clientId}`,
      status: 'pending',
      seq: null,
      clientId,
      author: this.#me,
      body,
      createdAt: now.toISOString(),
      error: null,
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

  /** Adds a message from the server (a send's result, the subscription or history), once, in seq order. */
  receive(message: MessageView): void {
    const localIndex = message.author.id === this.#me.id && message.clientId ? this.#findLocal(message.clientId) : -1;
    const local = this.#local[localIndex];
    if (local) this.#local.splice(localIndex, 1);
    if (this.#seqs.has(message.seq)) return;
    this.#seqs.add(message.seq);
    this.#insertConfirmed({
      key: local?.key ?? `message:${message.id}`,
      status: 'confirmed',
      seq: message.seq,
      clientId: message.clientId,
      author: message.author,
      body: message.body,
      createdAt: message.createdAt,
      error: null,
    });
  }

  #findLocal(clientId: string): number {
    return this.#local.findIndex((entry) => entry.clientId === clientId);
  }

  #insertConfirmed(entry: TimelineEntry & { seq: number }): void {
    // Live messages land at the end; only history pages and catch-up go further back.
    let index = this.#confirmed.length;
    while (index > 0 && (this.#confirmed[index - 1]?.seq ?? 0) > entry.seq) index--;
    this.#confirmed.splice(index, 0, entry);
  }
}
