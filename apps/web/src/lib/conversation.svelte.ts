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

const PAGE_SIZE = 30;

type ThreadEvent = Parameters<ThreadTimeline['apply']>[0];

/**
 * One open thread: history pages, the live stream, my sends and my changes. The stream starts at the
 * seq the first page is current at (`asOfSeq`) and tRPC resumes it from the last delivered seq after a
 * reconnect, so every event (message, edit, delete, reaction) applies once and in order; sends show at
 * once and are matched to the server's copy by clientId.
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
  /** A retry sends the same reply, with the same files, as the first try. */
  readonly #sendOptionsByClientId = new Map<string, { replyToId?: string; attachmentIds?: string[] }>();

  constructor(client: ParleyClient, me: User, threadId: string) {
    this.#client = client;
    this.threadId = threadId;
    this.#timeline = new ThreadTimeline(me);
    this.#typingNotifier = createTypingNotifier(() => client.api.thread.typing.mutate({ threadId }));
  }

  /** Called as I type: tells the others, at most once per 2 s (the server drops any more anyway). */
  noteTyping(): void {
    if (!this.#isStopped) this.#typingNotifier.notify();
  }

  async start(): Promise<void> {
    try {
      const page = await this.#client.api.message.list.query({ threadId: this.threadId, limit: PAGE_SIZE });
      if (this.#isStopped) return;
      this.#addPage(page);
      this.isLoaded = true;
      this.#subscription = this.#client.api.thread.onMessage.subscribe(
        { threadId: this.threadId, lastEventId: String(page.asOfSeq) },
        {
          onData: ({ data }) => {
            if (data.kind === 'message') this.#idBySeq.set(data.seq, data.messageId);
            this.#timeline.apply(data);
            this.#sync();
          },
          onError: (error) => (this.error = `Live updates stopped: ${describeError(error)}`),
        },
      );
    } catch (error) {
      this.error = describeError(error, {
        NOT_FOUND: 'This conversation does not exist, or you are not part of it.',
      });
    }
  }

  stop(): void {
    this.#isStopped = true;
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
   * `attachments`, in order); returns without waiting for the server. The text may be empty when files go.
   */
  send(text: string, replyTo: TimelineEntry | null = null, attachments: AttachmentView[] = []): void {
    const body = text.trim();
    if (!body && attachments.length === 0) return;
    const clientId = newClientId();
    // The message clears my typing for the others; typing the next one is announced at once.
    this.#typingNotifier.reset();
    this.#timeline.addPending(clientId, body, new Date(), null, attachments);
    this.#sync();
    const replyToId = replyTo ? this.messageIdOf(replyTo) : null;
    this.#sendOptionsByClientId.set(clientId, {
      ...(replyToId ? { replyToId } : {}),
      ...(attachments.length ? { attachmentIds: attachments.map((attachment) => attachment.id) } : {}),
    });
    void this.#deliver(clientId, body);
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

  /** Sends a failed message again with its first clientId: if the server had stored it, no duplicate. */
  retry(clientId: string): void {
    const body = this.#timeline.retry(clientId);
    this.#sync();
    if (body !== null) void this.#deliver(clientId, body);
  }

  async #deliver(clientId: string, body: string): Promise<void> {
    try {
      const options = this.#sendOptionsByClientId.get(clientId);
      this.#receive(await this.#client.api.message.send.mutate({ threadId: this.threadId, body, clientId, ...options }));
      this.#sendOptionsByClientId.delete(clientId);
    } catch (error) {
      this.#timeline.markFailed(clientId, describeError(error));
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
    this.lastSeq = this.#timeline.lastEventSeq;
  }
}
