import { errorCodeOf, type AttachmentView, type MessageView, type ParleyClient } from '@parley/client';
import { describeError } from './describeError.ts';
import { nextOrder, type Outbox, type OutboxEntry } from './outbox.ts';

/** Refusals a resend cannot change: the message leaves the outbox (its row says why, and can still be retried). */
const REFUSALS = new Set(['BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT']);

export type SendOutcome = { clientId: string; threadId: string } & ({ kind: 'sent'; message: MessageView } | { kind: 'failed'; error: string });

/** A send as it waits here: `failed` ones go again only on Retry (or after a reload). */
export interface QueuedSend {
  entry: OutboxEntry;
  state: 'waiting' | 'sending' | 'failed';
  error: string | null;
}

type Sender = Pick<ParleyClient['api']['message']['send'], 'mutate'>;

/**
 * My unconfirmed sends, in every thread. Each is kept in the outbox until the server has it, and a
 * thread's sends go one at a time in the order they were written, each with its own clientId: a repeat
 * (after a reload, or an answer lost with the socket) returns the stored message, so each arrives once.
 * While the browser is offline nothing is sent; `flush` (on `online`, and when the socket opens) sends
 * what waits.
 */
export class SendQueue {
  readonly #send: Sender;
  readonly #userId: string;
  readonly #outbox: Outbox;
  readonly #isOnline: () => boolean;
  /** In the order written (entries from before a reload first). */
  readonly #sends = new Map<string, QueuedSend>();
  readonly #draining = new Set<string>();
  readonly #listeners = new Set<(outcome: SendOutcome) => void>();
  #isStopped = false;
  /** Settles once the outbox has been read: the sends it held are in `pendingIn` from then on. */
  readonly loaded: Promise<void>;

  constructor(client: { api: { message: { send: Sender } } }, userId: string, outbox: Outbox, isOnline: () => boolean) {
    this.#send = client.api.message.send;
    this.#userId = userId;
    this.#outbox = outbox;
    this.#isOnline = isOnline;
    this.loaded = this.#load();
  }

  /** Queues a new send and starts it (unless offline); its outcome goes to the listeners. */
  add(send: { clientId: string; threadId: string; body: string; replyToId: string | null; attachments: AttachmentView[]; createdAt: Date }): void {
    const entry: OutboxEntry = {
      ...send,
      userId: this.#userId,
      createdAt: send.createdAt.toISOString(),
      order: nextOrder(send.createdAt.getTime()),
    };
    this.#sends.set(entry.clientId, { entry, state: 'waiting', error: null });
    this.#persist(entry);
    void this.#drain(entry.threadId);
  }

  /** Sends a failed message again, with the same clientId. */
  retry(clientId: string): void {
    const queued = this.#sends.get(clientId);
    if (!queued || queued.state !== 'failed') return;
    queued.state = 'waiting';
    queued.error = null;
    this.#persist(queued.entry);
    void this.#drain(queued.entry.threadId);
  }

  /** The server's copy arrived another way (the thread's stream): nothing is left to send. */
  settle(clientId: string): void {
    if (!this.#sends.delete(clientId)) return;
    this.#forget(clientId);
  }

  /** Sends whatever waits, thread by thread. */
  flush(): void {
    for (const threadId of new Set([...this.#sends.values()].map((queued) => queued.entry.threadId))) void this.#drain(threadId);
  }

  /** My unconfirmed sends in `threadId`, oldest first. */
  pendingIn(threadId: string): QueuedSend[] {
    return [...this.#sends.values()].filter((queued) => queued.entry.threadId === threadId);
  }

  onOutcome(listener: (outcome: SendOutcome) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops sending; what is still unsent stays in the outbox for the next time the app opens. */
  stop(): void {
    this.#isStopped = true;
    this.#listeners.clear();
  }

  async #load(): Promise<void> {
    try {
      const stored = await this.#outbox.list(this.#userId);
      nextOrder(0, Math.max(0, ...stored.map((entry) => entry.order)));
      const added = new Map(this.#sends);
      this.#sends.clear();
      for (const entry of stored) this.#sends.set(entry.clientId, { entry, state: 'waiting', error: null });
      for (const [clientId, queued] of added) this.#sends.set(clientId, queued);
    } catch {
      // No outbox to read (storage refused): this page's sends still go, they just do not outlive it.
    }
    this.flush();
  }

  async #drain(threadId: string): Promise<void> {
    if (this.#draining.has(threadId)) return;
    this.#draining.add(threadId);
    try {
      await this.loaded; // the sends from before a reload go first
      for (;;) {
        const next = this.pendingIn(threadId).find((queued) => queued.state === 'waiting');
        if (!next || this.#isStopped || !this.#isOnline()) return;
        await this.#deliver(next);
      }
    } finally {
      this.#draining.delete(threadId);
    }
  }

  async #deliver(queued: QueuedSend): Promise<void> {
    const { clientId, threadId, body, replyToId, attachments } = queued.entry;
    queued.state = 'sending';
    try {
      const message = await this.#send.mutate({
        threadId,
        body,
        clientId,
        ...(replyToId ? { replyToId } : {}),
        ...(attachments.length ? { attachmentIds: attachments.map((attachment) => attachment.id) } : {}),
      });
      this.settle(clientId);
      this.#emit({ clientId, threadId, kind: 'sent', message });
    } catch (error) {
      if (!this.#sends.has(clientId)) return; // settled meanwhile by the stream
      const code = errorCodeOf(error);
      // Lost with the network: it goes again, unasked, when the browser is back online.
      if (code === null && !this.#isOnline()) {
        queued.state = 'waiting';
        return;
      }
      queued.state = 'failed';
      queued.error = describeError(error);
      if (code && REFUSALS.has(code)) this.#forget(clientId);
      this.#emit({ clientId, threadId, kind: 'failed', error: queued.error });
    }
  }

  #emit(outcome: SendOutcome): void {
    for (const listener of this.#listeners) listener(outcome);
  }

  #persist(entry: OutboxEntry): void {
    this.#outbox.put(entry).catch(() => {
      // Storage refused (quota, private mode): the send still goes; only a reload would lose it.
    });
  }

  #forget(clientId: string): void {
    this.#outbox.remove(clientId).catch(() => {
      // Left behind, it is sent again after a reload and the server answers with the stored copy.
    });
  }
}
