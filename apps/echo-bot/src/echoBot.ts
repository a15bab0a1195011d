import { createParleyClient, errorCodeOf, type ActivityEvent, type MessageView, type ThreadSummary, type User } from '@parley/client';
import { sendEchoReply } from './echoReply.ts';
import { InOrderMessages } from './inOrderMessages.ts';
import { listMessagesAfter } from './listMessagesAfter.ts';
import { logInOrSignUp } from './signIn.ts';

/** Before subscribing again after the activity stream failed (a dropped socket is tRPC's to resume). */
const RESTART_AFTER_ERROR_MS = 2000;
/** No answer (socket down, database not answering): try this message again at the next catch-up. */
const RETRY_LATER_CODES = new Set([null, 'SERVICE_UNAVAILABLE']);

export interface EchoBotOptions {
  url: string;
  username: string;
  password: string;
  log?: (line: string) => void;
  /** Called when the server ends the bot's session; the bot has stopped by then. */
  onSessionEnded?: () => void;
}

export interface EchoBot {
  user: User;
  stop(): Promise<void>;
}

/**
 * Signs in and answers every message others send in the bot's threads, once each and in order. One
 * thread.onActivity subscription brings new threads and messages; since it cannot be resumed, the bot
 * re-reads thread.list whenever it (re)starts or says `resync`, and reads any thread it is behind in.
 */
export async function startEchoBot(options: EchoBotOptions): Promise<EchoBot> {
  const log = options.log ?? (() => {});
  const { user, token } = await logInOrSignUp(options.url, options.username, options.password);

  const client = createParleyClient({
    url: options.url,
    token,
    onConnectionState(state) {
      log(`connection ${state}`);
      if (state === 'closed' && client.closeReason === 'session-ended') {
        void stop().then(() => options.onSessionEnded?.());
      }
    },
  });

  const messages = new InOrderMessages({
    readAfter: (threadId, afterSeq) => listMessagesAfter(client, threadId, afterSeq),
    handle: answer,
    log,
  });

  async function answer(message: MessageView): Promise<void> {
    if (message.author.id === user.id) return; // never answer itself, or two bots would talk forever
    try {
      await sendEchoReply(client, message);
      log(`answered ${message.author.username} in ${message.threadId} (seq ${message.seq})`);
    } catch (error) {
      if (RETRY_LATER_CODES.has(errorCodeOf(error))) throw error;
      log(`could not answer seq ${message.seq} in ${message.threadId}: ${String(error)}`);
    }
  }

  /** Where to start in a thread the bot has not followed yet: what it has read (its own replies mark it). */
  function follow(thread: ThreadSummary): void {
    messages.follow(thread.id, thread.members.find((member) => member.id === user.id)?.lastReadSeq ?? 0);
    messages.catchUp(thread.id, thread.lastSeq);
  }

  let isSyncing = false;
  let isSyncWanted = false;
  /** Reads thread.list and catches up every thread; calls during a read cause one more read after it. */
  async function sync(): Promise<void> {
    if (isSyncing) return void (isSyncWanted = true);
    isSyncing = true;
    try {
      do {
        isSyncWanted = false;
        for (const thread of await client.api.thread.list.query()) follow(thread);
      } while (isSyncWanted);
    } catch (error) {
      log(`could not list threads: ${String(error)}`);
    } finally {
      isSyncing = false;
    }
  }

  function onActivity(event: ActivityEvent): void {
    if (event.type === 'thread') follow(event.thread);
    else if (event.type === 'message') {
      // A message of a thread not followed yet: the list says where the bot stands in it.
      if (!messages.receive(event.message)) void sync();
    } else if (event.type === 'change') messages.skip(event.event.threadId, event.event.seq);
    else if (event.type === 'resync') void sync();
    // Typing, presence and read receipts are not the bot's business.
  }

  let subscription: { unsubscribe(): void } | null = null;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  function subscribe(): void {
    subscription = client.api.thread.onActivity.subscribe(undefined, {
      onStarted: () => void sync(),
      onData: onActivity,
      onError(error) {
        log(`activity stream failed: ${error.message}; subscribing again`);
        restartTimer = setTimeout(subscribe, RESTART_AFTER_ERROR_MS);
      },
    });
  }
  subscribe();

  let stopped: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      clearTimeout(restartTimer);
      subscription?.unsubscribe();
      await messages.idle();
      await client.close();
    })();
    return stopped;
  }

  return { user, stop };
}
