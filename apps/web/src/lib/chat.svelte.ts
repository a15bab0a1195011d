import { createParleyClient, type ConnectionState, type ParleyClient, type User } from '@parley/client';
import { Conversation } from './conversation.svelte.ts';
import { describeError } from './describeError.ts';
import { FocusReporter } from './focusReporter.ts';
import { NetworkStatus } from './networkStatus.svelte.ts';
import { NotificationPrivacy } from './notificationPrivacy.svelte.ts';
import { isNotifiable, notificationFor } from './notificationRules.ts';
import { openOutbox, type Outbox } from './outbox.ts';
import { Presence } from './presence.svelte.ts';
import { SendQueue } from './sendQueue.ts';
import { TabNotifications } from './tabNotifications.svelte.ts';
import { ThreadList } from './threadList.svelte.ts';
import { TypingIndicators } from './typingIndicators.svelte.ts';
import { WebPush } from './webPush.svelte.ts';

type SearchInput = Parameters<ParleyClient['api']['message']['search']['query']>[0];

/**
 * A signed-in person's chat: one socket, the thread list, the open conversation, my unsent messages, and
 * how I am told of new ones (this tab's notifications, Web Push, the tab's focus the server goes by).
 */
export class Chat {
  connection = $state<ConnectionState>('connecting');
  conversation = $state<Conversation | null>(null);
  readonly threads: ThreadList;
  readonly typing = new TypingIndicators();
  readonly presence: Presence;
  readonly network: NetworkStatus;
  readonly notifications: TabNotifications;
  readonly push: WebPush;
  readonly privacy: NotificationPrivacy;
  readonly me: User;
  readonly #client: ParleyClient;
  readonly #outbox: Outbox;
  readonly #sends: SendQueue;
  readonly #readUpTo = new Map<string, number>();
  readonly #focus: FocusReporter;

  /** `onSessionEnded` runs when the server closes the socket because the session is over. */
  constructor(me: User, onSessionEnded: () => void, outbox: Outbox = openOutbox()) {
    this.me = me;
    this.#outbox = outbox;
    // No url and no token: the socket goes to this page's origin (wss: on https) and carries the cookie.
    const client = createParleyClient({
      onConnectionState: (state) => {
        this.connection = state;
        // Signed in (the socket's upgrade checked the cookie) and connected: what waits can go.
        if (state === 'open') {
          this.#sends.flush();
          // A new socket is a stranger to the server's focus records, and may be the first to reach it.
          this.#focus.resend();
          if (!this.privacy.isLoaded) void this.privacy.load();
        }
        if (state === 'closed' && client.closeReason === 'session-ended') onSessionEnded();
      },
    });
    this.#client = client;
    this.#focus = new FocusReporter((focused) => client.api.push.reportFocus.mutate({ focused }));
    this.push = new WebPush(client.api);
    this.privacy = new NotificationPrivacy(client.api);
    this.notifications = new TabNotifications(() => void this.push.subscribe());
    // Allowed before (an earlier visit, another account here): this browser is registered for me too.
    if (this.notifications.permission === 'granted') void this.push.subscribe();
    this.network = new NetworkStatus(() => this.#sends.flush());
    this.#sends = new SendQueue(client, me.id, outbox, () => this.network.isOnline);
    this.#sends.onOutcome((outcome) => outcome.kind === 'sent' && this.notifications.noteSent());
    this.presence = new Presence(client);
    this.threads = new ThreadList(client, me, {
      typing: this.typing,
      presence: this.presence,
      onNewMessage: (message, thread) => {
        if (isNotifiable(message, thread, me)) this.notifications.show(notificationFor(message, thread, me, this.privacy.showText));
      },
    });
    this.threads.start();
  }

  /** Opens a thread (or none), stopping the previous conversation's stream. */
  open(threadId: string | null): void {
    if (this.conversation?.threadId === threadId) return;
    this.#show(threadId ? this.#conversationOf(threadId, null) : null);
  }

  /**
   * Opens a thread at one message (a search hit): loaded around it when it is not on screen already,
   * and pointed out either way.
   */
  openAt(threadId: string, seq: number): void {
    const open = this.conversation;
    if (open?.threadId === threadId && open.entries.some((entry) => entry.seq === seq)) open.pointAt(seq);
    else this.#show(this.#conversationOf(threadId, seq));
  }

  /** Leaves the page of history the open thread was jumped to for its newest messages, live. */
  showLatest(): void {
    if (this.conversation) this.#show(this.#conversationOf(this.conversation.threadId, null));
  }

  /** message.search, over this socket. */
  searchMessages(input: SearchInput) {
    return this.#client.api.message.search.query(input);
  }

  #conversationOf(threadId: string, aroundSeq: number | null): Conversation {
    return new Conversation(this.#client, this.me, threadId, this.#sends, { aroundSeq, onLeaveHistory: () => this.showLatest() });
  }

  #show(conversation: Conversation | null): void {
    this.conversation?.stop();
    this.conversation = conversation;
    void conversation?.start();
  }

  /** Starts (or finds) the direct thread with `username`; resolves to its id, or throws a sentence for the form. */
  async startConversation(username: string): Promise<string> {
    try {
      const thread = await this.#client.api.thread.getOrCreate.mutate({ username });
      this.threads.add(thread);
      return thread.id;
    } catch (error) {
      throw new Error(describeError(error, { NOT_FOUND: `There is no one called “${username}”. Check the spelling.` }));
    }
  }

  /**
   * Creates a group with me and `usernames` (comma- or space-separated); resolves to its id, or throws a
   * sentence for the form.
   */
  async startGroup(usernames: string, title: string): Promise<string> {
    const names = usernames.split(/[\s,]+/).filter(Boolean);
    if (!names.length) throw new Error('Name at least one person to add.');
    const name = title.trim();
    try {
      const thread = await this.#client.api.thread.createGroup.mutate({ usernames: names, ...(name ? { title: name } : {}) });
      this.threads.add(thread);
      return thread.id;
    } catch (error) {
      throw new Error(describeError(error));
    }
  }

  /** Marks the open thread read up to its newest message while the page is visible. */
  markRead(isPageVisible: boolean): void {
    const conversation = this.conversation;
    this.threads.setReading(isPageVisible ? (conversation?.threadId ?? null) : null);
    if (!isPageVisible || !conversation?.lastSeq) return;
    const { threadId, lastSeq } = conversation;
    if ((this.#readUpTo.get(threadId) ?? 0) >= lastSeq) return;
    this.#readUpTo.set(threadId, lastSeq);
    this.#client.api.thread.markRead.mutate({ threadId, seq: lastSeq }).catch(() => {
      // Unread counts are advisory; the next message marks the thread read again.
      this.#readUpTo.delete(threadId);
    });
  }

  /**
   * On log out, while the socket is still open: the server stops pushing to this browser, and what I
   * left unsent here is forgotten, so a shared computer keeps none of it.
   */
  async forgetThisBrowser(): Promise<void> {
    await this.push.unsubscribe();
    await this.#outbox.clear(this.me.id).catch(() => {});
  }

  async dispose(): Promise<void> {
    this.#sends.stop();
    this.#focus.dispose();
    this.network.dispose();
    this.threads.stop();
    this.typing.stop();
    this.conversation?.stop();
    await this.#client.close();
  }
}
