import type { ActivityEvent, MessageView, ParleyClient, ThreadSummary, ThreadView, User } from '@parley/client';
import { describeError } from './describeError.ts';
import { notificationLevelOf, type NotificationLevel } from './notificationRules.ts';
import type { Presence } from './presence.svelte.ts';
import { withChangeApplied, withReadApplied, withReadMarkersOf } from './threadSummaryChanges.ts';
import type { TypingIndicators } from './typingIndicators.svelte.ts';

/** How long to wait before subscribing again after the activity stream failed (not a dropped socket: tRPC resumes those). */
const RESTART_AFTER_ERROR_MS = 3000;

/**
 * My threads, most recent first, each with its last message and unread count, kept live by one
 * `thread.onActivity` subscription. That stream is a hint, not a log: it cannot be resumed, so the list
 * is re-read from `thread.list` whenever the stream (re)starts, says `resync`, or skips a message.
 */
export class ThreadList {
  threads = $state.raw<ThreadSummary[]>([]);
  isLoaded = $state(false);
  error = $state<string | null>(null);
  readonly #client: ParleyClient;
  readonly #me: User;
  readonly #typing: TypingIndicators;
  readonly #presence: Presence;
  readonly #onNewMessage: (message: MessageView, thread: ThreadSummary) => void;
  /** The thread the person is looking at: its messages are read as they arrive. */
  #readingThreadId: string | null = null;
  #subscription: { unsubscribe(): void } | null = null;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #isRefreshing = false;
  #isRefreshWanted = false;

  /**
   * The stream also carries typing and presence events, which go to `typing` and `presence`;
   * `onNewMessage` hears of each new message once (not the ones a re-read of the list catches up on).
   */
  constructor(
    client: ParleyClient,
    me: User,
    live: { typing: TypingIndicators; presence: Presence; onNewMessage?: (message: MessageView, thread: ThreadSummary) => void },
  ) {
    this.#client = client;
    this.#me = me;
    this.#typing = live.typing;
    this.#presence = live.presence;
    this.#onNewMessage = live.onNewMessage ?? (() => {});
  }

  start(): void {
    this.#subscription = this.#client.api.thread.onActivity.subscribe(undefined, {
      // Also after every reconnect: whatever happened while the socket was down was not sent.
      onStarted: () => {
        this.#presence.reset();
        void this.refresh().then(() => this.#presence.load(this.#otherMembers(this.threads)));
      },
      onData: (event) => this.#apply(event),
      onError: (error) => {
        this.error = `Live updates stopped: ${describeError(error)}`;
        this.#restartTimer = setTimeout(() => this.start(), RESTART_AFTER_ERROR_MS);
      },
    });
  }

  stop(): void {
    clearTimeout(this.#restartTimer);
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }

  /** Re-reads thread.list; calls made while a read is in flight cause one more read after it. */
  async refresh(): Promise<void> {
    if (this.#isRefreshing) {
      this.#isRefreshWanted = true;
      return;
    }
    this.#isRefreshing = true;
    try {
      do {
        this.#isRefreshWanted = false;
        await this.#load();
      } while (this.#isRefreshWanted);
    } finally {
      this.#isRefreshing = false;
    }
  }

  /** Adds a thread I just started; the activity stream's `thread` event for it changes nothing then. */
  add(thread: ThreadView): void {
    if (this.threads.some((t) => t.id === thread.id)) return;
    this.#merge([
      {
        ...thread,
        lastMessage: null,
        unreadCount: 0,
        unreadMentions: 0,
        notifications: notificationLevelOf(thread),
        lastActivityAt: new Date().toISOString(),
      },
    ]);
  }

  /** Sets what notifies me in a thread; shown at once, put back (with `error` set) if the server refused it. */
  async setNotifications(threadId: string, level: NotificationLevel): Promise<void> {
    const before = this.threads.find((t) => t.id === threadId)?.notifications;
    if (!before || before === level) return;
    this.#update(threadId, (t) => ({ ...t, notifications: level }));
    try {
      const { notifications } = await this.#client.api.thread.setNotifications.mutate({ threadId, level });
      this.#update(threadId, (t) => (t.notifications === notifications ? t : { ...t, notifications }));
    } catch (error) {
      this.#update(threadId, (t) => ({ ...t, notifications: before }));
      this.error = `Notifications not changed: ${describeError(error)}`;
    }
  }

  /** Marks which thread is open and visible (null for none); its unread count stays at zero. */
  setReading(threadId: string | null): void {
    this.#readingThreadId = threadId;
    if (threadId) this.#update(threadId, (t) => (t.unreadCount || t.unreadMentions ? { ...t, unreadCount: 0, unreadMentions: 0 } : t));
  }

  async #load(): Promise<void> {
    try {
      this.#merge(await this.#client.api.thread.list.query());
      this.isLoaded = true;
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  #apply(event: ActivityEvent): void {
    if (event.type === 'message') {
      this.#typing.apply(event); // their message ends their typing
      this.#onMessage(event.message);
    } else if (event.type === 'change') {
      const change = event.event;
      if (change.seq > (this.threads.find((t) => t.id === change.threadId)?.lastSeq ?? Infinity) + 1) void this.refresh();
      this.#update(change.threadId, (t) => withChangeApplied(t, change));
    } else if (event.type === 'read') {
      this.#update(event.threadId, (t) => withReadApplied(t, event));
    } else if (event.type === 'thread') {
      this.#merge([event.thread]);
      void this.#presence.load(this.#otherMembers([event.thread]));
    } else if (event.type === 'typing') this.#typing.apply(event);
    else if (event.type === 'presence') this.#presence.apply(event);
    else void this.refresh().then(() => this.#presence.load(this.#otherMembers(this.threads)));
  }

  /** Everyone I share a thread with, groups included: a group's header counts who of them is online. */
  #otherMembers(threads: ThreadView[]): string[] {
    return threads.flatMap((t) => t.members.filter((m) => m.id !== this.#me.id).map((m) => m.id));
  }

  #onMessage(message: MessageView): void {
    const thread = this.threads.find((t) => t.id === message.threadId);
    // A thread whose `thread` event we missed, or messages we missed: the list has the right counts.
    if (!thread || message.seq > thread.lastSeq + 1) void this.refresh();
    if (!thread || message.seq <= thread.lastSeq) return; // repeats are normal after a reconnect
    const isUnread = message.author.id !== this.#me.id && message.threadId !== this.#readingThreadId;
    const mentionsMe = isUnread && message.mentions.some((m) => m.id === this.#me.id);
    this.#update(thread.id, (t) => ({
      ...t,
      lastSeq: message.seq,
      lastMessage: message,
      lastActivityAt: message.createdAt,
      unreadCount: isUnread ? t.unreadCount + 1 : t.unreadCount,
      unreadMentions: mentionsMe ? t.unreadMentions + 1 : t.unreadMentions,
    }));
    this.#onNewMessage(message, thread);
  }

  /** Takes summaries from the server, keeping any thread the activity stream has told us more about since. */
  #merge(incoming: ThreadSummary[]): void {
    const merged = new Map(this.threads.map((t) => [t.id, t]));
    for (const fresh of incoming) {
      const local = merged.get(fresh.id);
      // Read notices may have moved markers past what this copy says; receipts never go back.
      const newest = local ? withReadMarkersOf(local.lastSeq > fresh.lastSeq ? local : fresh, local.lastSeq > fresh.lastSeq ? fresh : local) : fresh;
      merged.set(fresh.id, fresh.id === this.#readingThreadId ? { ...newest, unreadCount: 0, unreadMentions: 0 } : newest);
    }
    this.threads = sortByActivity([...merged.values()]);
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
