import { createParleyClient, type MessageView, type User } from '@parley/client';
import { sendEchoReply } from './echoReply.ts';
import { logInOrSignUp } from './signIn.ts';

export interface EchoBotOptions {
  url: string;
  username: string;
  password: string;
  /** How often to look for threads someone started with the bot (the API has no event for that). */
  pollMs?: number;
  log?: (line: string) => void;
  /** Called when the server ends the bot's session; the bot has stopped by then. */
  onSessionEnded?: () => void;
}

export interface EchoBot {
  user: User;
  stop(): Promise<void>;
}

/** Signs in and answers every message others send in the bot's threads, in order, once each. */
export async function startEchoBot(options: EchoBotOptions): Promise<EchoBot> {
  const log = options.log ?? (() => {});
  const { user, token } = await logInOrSignUp(options.url, options.username, options.password);
  const followed = new Map<string, { unsubscribe(): void }>();
  /** One queue per thread keeps replies in the order of the messages they answer. */
  const queues = new Map<string, Promise<void>>();

  const client = createParleyClient({
    url: options.url,
    token,
    onConnectionState(state) {
      log(`connection ${state}`);
      if (state === 'open') void discoverThreads();
      if (state === 'closed' && client.closeReason === 'session-ended') {
        void stop().then(() => options.onSessionEnded?.());
      }
    },
  });

  function answer(message: MessageView): void {
    if (message.author.id === user.id) return; // never answer itself, or two bots would talk forever
    const previous = queues.get(message.threadId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        await sendEchoReply(client, message);
        log(`answered ${message.author.username} in ${message.threadId} (seq ${message.seq})`);
      } catch (error) {
        log(`could not answer seq ${message.seq} in ${message.threadId}: ${String(error)}`);
      }
    });
    queues.set(message.threadId, next);
  }

  function follow(threadId: string, afterSeq: number): void {
    const subscription = client.api.thread.onMessage.subscribe(
      { threadId, lastEventId: String(afterSeq) },
      {
        onData: ({ data }) => answer(data),
        onError(error) {
          followed.delete(threadId);
          log(`stopped following ${threadId}: ${error.message}`);
        },
      },
    );
    followed.set(threadId, subscription);
  }

  async function discoverThreads(): Promise<void> {
    try {
      for (const thread of await client.api.thread.list.query()) {
        // Start after what the bot has read, so messages sent while it was away are answered too.
        if (!followed.has(thread.id)) follow(thread.id, thread.lastSeq - thread.unreadCount);
      }
    } catch (error) {
      log(`could not list threads: ${String(error)}`);
    }
  }

  const timer = setInterval(() => void discoverThreads(), options.pollMs ?? 2000);
  let stopped: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      clearInterval(timer);
      for (const subscription of followed.values()) subscription.unsubscribe();
      await Promise.all(queues.values());
      await client.close();
    })();
    return stopped;
  }

  return { user, stop };
}
