import { createTypingNotifier, ThreadTimeline, type MessageView, type ParleyClient, type TimelineEntry, type User } from '@parley/client';
import { describeError } from './describeError.ts';
import { newClientId } from './newClientId.ts';

const PAGE_SIZE = 30;

/**
 * One open thread: history pages, the live stream and my sends. The stream starts after the newest
 * loaded message and tRPC resumes it from the last delivered seq after a reconnect, so every message
 * shows once and in order; sends show at once and are matched to the server's copy by clientId.
 */
export class Conversation {
  entries = $state.raw<TimelineEntry[]>([]);
  isLoaded = $state(false);
  isLoadingOlder = $state(false);
  hasOlder = $state(false);
  error = $state<string | null>(null);
  /** Highest confirmed seq: what markRead takes. */
  lastSeq = $state(0);
  readonly threadId: string;
  readonly #client: ParleyClient;
  readonly #timeline: ThreadTimeline;
  #subscription: { unsubscribe(): void } | null = null;
  #isStopped = false;
  readonly #typingNotifier: ReturnType<typeof createTypingNotifier>;

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
      this.#timeline.addPage(page);
      this.#sync();
      this.isLoaded = true;
      this.#subscription = this.#client.api.thread.onMessage.subscribe(
        { threadId: this.threadId, lastEventId: String(this.#timeline.lastSeq) },
        {
          onData: ({ data }) => this.#receive(data),
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
      this.#timeline.addPage(await this.#client.api.message.list.query({ threadId: this.threadId, beforeSeq, limit: PAGE_SIZE }));
      this.#sync();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.isLoadingOlder = false;
    }
  }

  /** Shows the message as pending at once and sends it; returns without waiting for the server. */
  send(text: string): void {
    const body = text.trim();
    if (!body) return;
    const clientId = newClientId();
    // The message clears my typing for the others; typing the next one is announced at once.
    this.#typingNotifier.reset();
    this.#timeline.addPending(clientId, body, new Date());
    this.#sync();
    void this.#deliver(clientId, body);
  }

  /** Sends a failed message again with its first clientId: if the server had stored it, no duplicate. */
  retry(clientId: string): void {
    const body = this.#timeline.retry(clientId);
    this.#sync();
    if (body !== null) void this.#deliver(clientId, body);
  }

  async #deliver(clientId: string, body: string): Promise<void> {
    try {
      this.#receive(await this.#client.api.message.send.mutate({ threadId: this.threadId, body, clientId }));
    } catch (error) {
      this.#timeline.markFailed(clientId, describeError(error));
      this.#sync();
    }
  }

  #receive(message: MessageView): void {
    this.#timeline.receive(message);
    this.#sync();
  }

  #sync(): void {
    this.entries = this.#timeline.entries;
    this.hasOlder = this.#timeline.hasOlder;
    this.lastSeq = this.#timeline.lastSeq;
  }
}
