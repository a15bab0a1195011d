import { createParleyClient, type ConnectionState, type ParleyClient, type User } from '@parley/client';
import { Conversation } from './conversation.svelte.ts';
import { describeError } from './describeError.ts';
import { Presence } from './presence.svelte.ts';
import { ThreadList } from './threadList.svelte.ts';
import { TypingIndicators } from './typingIndicators.svelte.ts';

/** A signed-in person's chat: one socket, the thread list and the open conversation. */
export class Chat {
  connection = $state<ConnectionState>('connecting');
  conversation = $state<Conversation | null>(null);
  readonly threads: ThreadList;
  readonly typing = new TypingIndicators();
  readonly presence: Presence;
  readonly me: User;
  readonly #client: ParleyClient;
  readonly #readUpTo = new Map<string, number>();

  /** `onSessionEnded` runs when the server closes the socket because the session is over. */
  constructor(me: User, onSessionEnded: () => void) {
    this.me = me;
    // No url and no token: the socket goes to this page's origin (wss: on https) and carries the cookie.
    const client = createParleyClient({
      onConnectionState: (state) => {
        this.connection = state;
        if (state === 'closed' && client.closeReason === 'session-ended') onSessionEnded();
      },
    });
    this.#client = client;
    this.presence = new Presence(client);
    this.threads = new ThreadList(client, me, { typing: this.typing, presence: this.presence });
    this.threads.start();
  }

  /** Opens a thread (or none), stopping the previous conversation's stream. */
  open(threadId: string | null): void {
    if (this.conversation?.threadId === threadId) return;
    this.conversation?.stop();
    this.conversation = threadId ? new Conversation(this.#client, this.me, threadId) : null;
    void this.conversation?.start();
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

  async dispose(): Promise<void> {
    this.threads.stop();
    this.typing.stop();
    this.conversation?.stop();
    await this.#client.close();
  }
}
