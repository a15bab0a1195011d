import type { MessageView, ParleyClient, ThreadSummary, ThreadView, User } from '@parley/client';
import { describeError } from './describeError.ts';

/** thread.list is re-read this often: the API has no event for "someone started a thread with you". */
const REFRESH_MS = 4000;
/** Live subscriptions for the most recent threads only; the server caps subscriptions per socket. */
const LIVE_THREADS = 20;

/**
 * My threads, most recent first, each with its last message and unread count, kept live by a
 * subscription per recent thread and by re-reading the list (which also finds threads others start).
 */
export class ThreadList {
  threads = $state.raw<ThreadSummary[]>([]);
  isLoaded = $state(false);
  error = $state<string | null>(null);
  readonly #client: ParleyClient;
  readonly #me: User;
  /** The thread the person is looking at: its messages are read as they arrive. */
  #readingThreadId: string | null = null;
  readonly #live = new Map<string, { unsubscribe(): void }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(client: ParleyClient, me: User) {
    this.#client = client;
    this.#me = me;
  }

  start(): void {
    void this.refresh();
    // A hidden tab does not need new threads this minute; its subscriptions still run.
    this.#timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void this.refresh();
    }, REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const subscription of this.#live.values()) subscription.unsubscribe();
    this.#live.clear();
  }

  async refresh(): Promise<void> {
    try {
      const fresh = await this.#client.api.thread.list.query();
      this.#merge(fresh);
      this.isLoaded = true;
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Adds a thread I just started, before the next refresh would. */
  add(thread: ThreadView): void {
    if (this.threads.some((t) => t.id === thread.id)) return;
    const summary: ThreadSummary = { ...thread, lastMessage: null, unreadCount: 0, lastActivityAt: new Date().toISOString() };
    this.#merge([summary, ...this.threads]);
  }

  /** Marks which thread is open and visible (null for none); its unread count stays at zero. */
  setReading(threadId: string | null): void {
    this.#readingThreadId = threadId;
    if (threadId) this.#update(threadId, (t) => (t.unreadCount ? { ...t, unreadCount: 0 } : t));
  }

  /** Takes the server's list, keeping anything newer that a subscription already told us. */
  #merge(incoming: ThreadSummary[]): void {
    const known = new Map(this.threads.map((t) => [t.id, t]));
    const merged = new Map<string, ThreadSummary>();
    for (const fresh of incoming) {
      const local = known.get(fresh.id);
      const newest = local && local.lastSeq > fresh.lastSeq ? local : fresh;
      merged.set(fresh.id, fresh.id === this.#readingThreadId ? { ...newest, unreadCount: 0 } : newest);
    }
    for (const local of this.threads) if (!merged.has(local.id)) merged.set(local.id, local);
    this.threads = sortByActivity([...merged.values()]);
    this.#followRecent();
  }

  #followRecent(): void {
    const recent = new Set(this.threads.slice(0, LIVE_THREADS).map((t) => t.id));
    for (const [id, subscription] of this.#live) {
      if (recent.has(id)) continue;
      subscription.unsubscribe();
      this.#live.delete(id);
    }
    for (const thread of this.threads) {
      if (!recent.has(thread.id) || this.#live.has(thread.id)) continue;
      const subscription = this.#client.api.thread.onMessage.subscribe(
        { threadId: thread.id, lastEventId: String(thread.lastSeq) },
        {
          onData: ({ data }) => this.#onMessage(data),
          // The refresh keeps the summary right without it; a later refresh subscribes again.
          onError: () => this.#live.delete(thread.id),
        },
      );
      this.#live.set(thread.id, subscription);
    }
  }

  #onMessage(message: MessageView): void {
    this.#update(message.threadId, (thread) => {
      if (message.seq <= thread.lastSeq) return thread;
      const isUnread = message.author.id !== this.#me.id && message.threadId !== this.#readingThreadId;
      return {
        ...thread,
        lastSeq: message.seq,
        lastMessage: message,
        lastActivityAt: message.createdAt,
        unreadCount: isUnread ? thread.unreadCount + 1 : thread.unreadCount,
      };
    });
  }

  #update(threadId: string, change: (thread: ThreadSummary) => ThreadSummary): void {
    let changed = false;
    const next = this.threads.map((thread) => {
      if (thread.id !== threadId) return thread;
      const updated = change(thread);
      changed ||= updated !== thread;
      return updated;
    });
    if (changed) this.threads = sortByActivity(next);
  }
}

function sortByActivity(threads: ThreadSummary[]): ThreadSummary[] {
  return threads.sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
}
