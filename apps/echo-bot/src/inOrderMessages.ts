import type { MessageView } from '@parley/client';

export interface InOrderMessagesOptions {
  /** Every message of a thread after `afterSeq`, oldest first, and the seq that reading is current at: what fills a gap. */
  readAfter(threadId: string, afterSeq: number): Promise<{ messages: MessageView[]; asOfSeq: number }>;
  /** Called once per message, in seq order per thread; the next one of that thread waits for it. */
  handle(message: MessageView): Promise<void>;
  log(line: string): void;
}

interface FollowedThread {
  /** The highest seq handed to `handle` (or read before we followed the thread). */
  seenSeq: number;
  /** The tail of this thread's work: everything for one thread runs one step after another. */
  queue: Promise<void>;
}

/**
 * Turns a stream that may skip or repeat messages (thread.onActivity, which restarts without a cursor)
 * into each thread's messages once each and in order: a repeat is dropped, and a message that comes
 * after a gap first reads what is missing. Seqs count every change of a thread's log, so the other
 * changes (`skip`) move the position too; without them every message after an edit would look like a gap.
 */
export class InOrderMessages {
  readonly #options: InOrderMessagesOptions;
  readonly #threads = new Map<string, FollowedThread>();

  constructor(options: InOrderMessagesOptions) {
    this.#options = options;
  }

  /** Starts following a thread, treating messages up to `seenSeq` as handled; no-op for a followed thread. */
  follow(threadId: string, seenSeq: number): void {
    if (!this.#threads.has(threadId)) this.#threads.set(threadId, { seenSeq, queue: Promise.resolve() });
  }

  /** A live message; false when its thread is not followed (the caller finds out where to start). */
  receive(message: MessageView): boolean {
    const thread = this.#threads.get(message.threadId);
    if (!thread) return false;
    this.#enqueue(message.threadId, thread, async () => {
      if (message.seq <= thread.seenSeq) return;
      if (message.seq === thread.seenSeq + 1) await this.#handle(thread, message);
      else await this.#readMissing(message.threadId, thread);
    });
    return true;
  }

  /** A change other than a message (an edit, a reaction...): nothing to answer, but the position moves on. */
  skip(threadId: string, seq: number): void {
    const thread = this.#threads.get(threadId);
    if (!thread) return;
    this.#enqueue(threadId, thread, async () => {
      if (seq === thread.seenSeq + 1) thread.seenSeq = seq;
    });
  }

  /** The thread is known to have messages up to `lastSeq` (from thread.list): handles any not seen yet. */
  catchUp(threadId: string, lastSeq: number): void {
    const thread = this.#threads.get(threadId);
    if (!thread) return;
    this.#enqueue(threadId, thread, async () => {
      if (lastSeq > thread.seenSeq) await this.#readMissing(threadId, thread);
    });
  }

  /** Resolves when the work queued so far is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.#threads.values()].map((thread) => thread.queue));
  }

  #enqueue(threadId: string, thread: FollowedThread, step: () => Promise<void>): void {
    thread.queue = thread.queue.then(step).catch((error: unknown) => {
      // The next message or resync of this thread tries again from the same seq.
      this.#options.log(`could not go through ${threadId} after seq ${thread.seenSeq}: ${String(error)}`);
    });
  }

  async #readMissing(threadId: string, thread: FollowedThread): Promise<void> {
    const { messages, asOfSeq } = await this.#options.readAfter(threadId, thread.seenSeq);
    for (const message of messages) {
      if (message.seq > thread.seenSeq) await this.#handle(thread, message);
    }
    // Every change up to the reading's seq is accounted for, the ones after its last message included.
    thread.seenSeq = Math.max(thread.seenSeq, asOfSeq);
  }

  async #handle(thread: FollowedThread, message: MessageView): Promise<void> {
    await this.#options.handle(message);
    thread.seenSeq = message.seq;
  }
}
