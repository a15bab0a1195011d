import {
  createTypingNotifier,
  ThreadTimeline,
  type AttachmentView,
  type MessagePage,
  type MessageView,
  type ParleyClient,
  type TimelineEntry,
  type User,
} from '@parley/client';
import { describeError } from './describeError.ts';
import { newClientId } from './newClientId.ts';
import type { SendOutcome, SendQueue } from './sendQueue.ts';

const PAGE_SIZE = 30;

type ThreadEvent = Parameters<ThreadTimeline['apply']>[0];

export interface ConversationOptions {
  /** Opens the thread at this message (a search hit's seq) rather than at the newest. */
  aroundSeq?: number | null;
  /** A send from a page of history: the owner opens the thread at its newest, where the send shows. */
  onLeaveHistory?: () => void;
}

/**
 * One open thread: history pages, the live stream, my sends and my changes. The stream starts at the
 * seq the first page is current at (`asOfSeq`) and tRPC resumes it from the last delivered seq after a
 * reconnect, so every event (message, edit, delete, reaction) applies once and in order. Sends go
 * through the SendQueue (kept across reloads, sent in order); they show at once, those from before a
 * reload too, and are matched to the server's copy by clientId.
 *
 * Opened at a message (`aroundSeq`), the first page is centred on it and is not the newest: pages load
 * both ways, and the stream starts only once the newest page is in, from the first page's `asOfSeq`.
 * The timeline places a live message after everything loaded, so a stream started earlier would put
 * new messages after a gap; started then, it replays what changed while the reader paged forward.
 */
export class Conversation {
  entries = $state.raw<TimelineEntry[]>([]);
  isLoaded = $state(false);
  isLoadingOlder = $state(false);
  hasOlder = $state(false);
  error = $state<string | null>(null);
  /** The newest event seq applied (a message or a change): what markRead takes. */
  lastSeq = $state(0);
  /** Why my last edit, delete or reaction was refused; null when it went through. */
  actionError = $state<string | null>(null);
  /** False while a page of history that does not reach the newest message is shown: nothing live arrives then. */
  isLive = $state(true);
  hasNewer = $state(false);
  isLoadingNewer = $state(false);
  /** The message to scroll to and point out (a search hit); a new object for each request. */
  pointedAt = $state.raw<{ seq: number } | null>(null);
  readonly threadId: string;
  readonly #client: ParleyClient;
  readonly #timeline: ThreadTimeline;
  #subscription: { unsubscribe(): void } | null = null;
  /**
   * Message ids by seq. Entries keep the key they were rendered with from pending to confirmed, so the id
   * the change procedures take is remembered from every message the conversation sees.
   */
  readonly #idBySeq = new Map<number, string>();
  #isStopped = false;
  readonly #typingNotifier: ReturnType<typeof createTypingNotifier>;
  readonly #me: User;
  readonly #sends: SendQueue;
  readonly #stopOutcomes: () => void;
  readonly #aroundSeq: number | null;
  readonly #onLeaveHistory: () => void;
  /** The `afterSeq` of the next newer page while not live. */
  #nextCursor: number | null = null;

  constructor(client: ParleyClient, me: User, threadId: string, sends: SendQueue, options: ConversationOptions = {}) {
    this.#client = client;
    this.#me = me;
    this.threadId = threadId;
    this.#sends = sends;
    this.#aroundSeq = options.aroundSeq ?? null;
    this.#onLeaveHistory = options.onLeaveHistory ?? (() => {});
    if (this.#aroundSeq !== null) {
      this.isLive = false;
      this.pointedAt = { seq: this.#aroundSeq };
    }
    this.#timeline = new ThreadTimeline(me);
    this.#typingNotifier = createTypingNotifier(() => client.api.thread.typing.mutate({ threadId }));
    this.#stopOutcomes = sends.onOutcome((outcome) => this.#onOutcome(outcome));
  }

  /** Called as I type: tells the others, at most once per 2 s (the server drops any more anyway). */
  noteTyping(): void {
    if (!this.#isStopped) this.#typingNotifier.notify();
  }

  async start(): Promise<void> {
    // Alongside the first page, not before it: the timeline matches a send to its stored copy either way round.
    if (this.isLive) void this.#showUnsent();
    try {
      const around = this.#aroundSeq === null ? {} : { aroundSeq: this.#aroundSeq };
      const page = await this.#client.api.message.list.query({ threadId: this.threadId, limit: PAGE_SIZE, ...around });
      if (this.#isStopped) return;
      this.#nextCursor = this.isLive ? null : page.nextCursor;
      this.#addPage(page);
      this.isLoaded = true;
      if (this.#nextCursor === null) this.#goLive();
    } catch (error) {
      this.error = describeError(error, {
        NOT_FOUND: 'This conversation does not exist, or you are not part of it.',
      });
    }
  }

  /** Points out a message already shown: the view scrolls to it and marks it for a moment. */
  pointAt(seq: number): void {
    this.pointedAt = { seq };
  }

  /** The page after the newest one loaded, while a page of history is shown; the one that reaches the newest message makes the thread live. */
  async loadNewer(): Promise<void> {
    const afterSeq = this.#nextCursor;
    if (this.isLoadingNewer || this.isLive || afterSeq === null) return;
    this.isLoadingNewer = true;
    try {
      const page = await this.#client.api.message.list.query({ threadId: this.threadId, afterSeq, limit: PAGE_SIZE });
      if (this.#isStopped) return;
      this.#nextCursor = page.nextCursor;
      this.#addPage(page);
      if (page.nextCursor === null) this.#goLive();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.isLoadingNewer = false;
    }
  }

  #goLive(): void {
    this.isLive = true;
    this.#sync();
    if (this.#aroundSeq !== null) void this.#showUnsent();
    // From the seq the first page was current at: what changed since (while paging forward, too) is replayed.
    this.#subscription = this.#client.api.thread.onMessage.subscribe(
      { threadId: this.threadId, lastEventId: String(this.#timeline.lastEventSeq) },
      {
        onData: ({ data }) => {
          if (data.kind === 'message') this.#idBySeq.set(data.seq, data.messageId);
          // My send, stored though its answer was lost: nothing is left to resend.
          if (data.kind === 'message' && data.message.author.id === this.#me.id && data.message.clientId) this.#sends.settle(data.message.clientId);
          this.#timeline.apply(data);
          this.#sync();
        },
        onError: (error) => (this.error = `Live updates stopped: ${describeError(error)}`),
      },
    );
  }

  stop(): void {
    this.#isStopped = true;
    this.#stopOutcomes();
    this.#subscription?.unsubscribe();
  }

  async loadOlder(): Promise<void> {
    const beforeSeq = this.#timeline.prevCursor;
    if (this.isLoadingOlder || beforeSeq == null) return;
    this.isLoadingOlder = true;
    try {
      this.#addPage(await this.#client.api.message.list.query({ threadId: this.threadId, beforeSeq, limit: PAGE_SIZE }));
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.isLoadingOlder = false;
    }
  }

  /**
   * Shows the message as pending at once and sends it (as a reply to `replyTo`, with the uploaded
   * `attachments`, in order); returns without waiting for the server, which may be offline. The text
   * may be empty when files go.
   */
  send(text: string, replyTo: TimelineEntry | null = null, attachments: AttachmentView[] = []): void {
    const body = text.trim();
    if (!body && attachments.length === 0) return;
    const clientId = newClientId();
    const createdAt = new Date();
    // The message clears my typing for the others; typing the next one is announced at once.
    this.#typingNotifier.reset();
    if (!this.isLive) {
      // It belongs after the newest message, which this page of history does not reach.
      this.#sends.add({ clientId, threadId: this.threadId, body, replyToId: replyTo ? this.messageIdOf(replyTo) : null, attachments, createdAt });
      this.#onLeaveHistory();
      return;
    }
    this.#timeline.addPending(clientId, body, createdAt, null, attachments);
    this.#sync();
    const replyToId = replyTo ? this.messageIdOf(replyTo) : null;
    this.#sends.add({ clientId, threadId: this.threadId, body, replyToId, attachments, createdAt });
  }

  /** The server's id of a confirmed entry; null for a send not stored yet. */
  messageIdOf(entry: TimelineEntry): string | null {
    return entry.seq === null ? null : (this.#idBySeq.get(entry.seq) ?? null);
  }

  /** Replaces the text of my message; an unchanged text stores nothing. */
  async edit(entry: TimelineEntry, text: string): Promise<void> {
    const body = text.trim();
    if (!body || body === entry.body) return;
    await this.#change(entry, (messageId) => this.#client.api.message.edit.mutate({ messageId, body }));
  }

  /** Deletes my message: it stays in the thread as a placeholder. */
  async delete(entry: TimelineEntry): Promise<void> {
    await this.#change(entry, (messageId) => this.#client.api.message.delete.mutate({ messageId }));
  }

  /** Adds (`on`) or takes back my `emoji` on a message; retrying either is harmless. */
  async react(entry: TimelineEntry, emoji: string, on: boolean): Promise<void> {
    await this.#change(entry, (messageId) => this.#client.api.message.react.mutate({ messageId, emoji, on }));
  }

  async #change(entry: TimelineEntry, run: (messageId: string) => Promise<ThreadEvent | null>): Promise<void> {
    const messageId = this.messageIdOf(entry);
    if (!messageId) return;
    this.actionError = null;
    try {
      // The stream brings the same event; the timeline applies a seq once, whichever comes first.
      const event = await run(messageId);
      if (event && !this.#isStopped) {
        this.#timeline.apply(event);
        this.#sync();
      }
    } catch (error) {
      this.actionError = describeError(error, {
        CONFLICT: 'That message was deleted, or has as many different reactions as it can take.',
        FORBIDDEN: 'Only the author can change a message.',
        NOT_FOUND: 'That message is no longer here.',
      });
    }
  }

  /** Sends a failed message again with its first clientId (and the same reply and files): if the server had stored it, no duplicate. */
  retry(clientId: string): void {
    const body = this.#timeline.retry(clientId);
    this.#sync();
    if (body !== null) this.#sends.retry(clientId);
  }

  /** My sends to this thread the server has not confirmed, from before a reload too: pending (or failed) rows. */
  async #showUnsent(): Promise<void> {
    await this.#sends.loaded;
    if (this.#isStopped) return;
    const shown = new Set(this.#timeline.entries.map((entry) => entry.clientId));
    for (const { entry, state, error } of this.#sends.pendingIn(this.threadId)) {
      if (shown.has(entry.clientId)) continue;
      this.#timeline.addPending(entry.clientId, entry.body, new Date(entry.createdAt), null, entry.attachments);
      if (state === 'failed') this.#timeline.markFailed(entry.clientId, error ?? 'Not sent.');
    }
    this.#sync();
  }

  #onOutcome(outcome: SendOutcome): void {
    // Not live: the stream started later brings what was sent meanwhile, in its place.
    if (outcome.threadId !== this.threadId || this.#isStopped || !this.isLive) return;
    if (outcome.kind === 'sent') this.#receive(outcome.message);
    else {
      this.#timeline.markFailed(outcome.clientId, outcome.error);
      this.#sync();
    }
  }

  #receive(message: MessageView): void {
    this.#idBySeq.set(message.seq, message.id);
    this.#timeline.receive(message);
    this.#sync();
  }

  #addPage(page: MessagePage): void {
    for (const message of page.messages) this.#idBySeq.set(message.seq, message.id);
    this.#timeline.addPage(page);
    this.#sync();
  }

  #sync(): void {
    this.entries = this.#timeline.entries;
    this.hasOlder = this.#timeline.hasOlder;
    this.hasNewer = !this.isLive && this.#nextCursor !== null;
    // Not live, what was read is what is loaded: the thread's newer messages stay unread.
    this.lastSeq = this.isLive ? this.#timeline.lastEventSeq : (this.entries.findLast((entry) => entry.seq !== null)?.seq ?? 0);
  }
}
