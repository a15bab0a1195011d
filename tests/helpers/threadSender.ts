import { TRPCClientError } from '@trpc/client';
import type { ApiClient } from './trpcClients.ts';

export interface AcceptedMessage {
  /** What was accepted: a message, or a change to one of the sender's messages. */
  kind: 'message' | 'edit' | 'delete' | 'reaction';
  clientId: string;
  /** The message (for a change, the message it changed). */
  id: string;
  seq: number;
  sender: string;
  /** 1 when the first attempt returned; more when a retry with the same clientId did. */
  attempts: number;
  /** When its first attempt was sent, and when an attempt returned it. */
  firstSentAt: number;
  acceptedAt: number;
  /** How long the attempt that returned it took. */
  answeredAfterMs: number;
}

interface FailedAttempt {
  clientId: string;
  sender: string;
  startedAt: number;
  /** From the call to its error: how long a caller waited to learn it failed. */
  failedAfterMs: number;
  /** The tRPC error code, or 'TIMEOUT' when the client gave up waiting, or 'CONNECTION' when the connection failed before an answer. */
  code: string;
  message: string;
}

export interface ThreadSender {
  label: string;
  accepted: AcceptedMessage[];
  failures: FailedAttempt[];
  /** Sends that have been started (first attempts only). */
  started(): number;
  /** Stops after the attempt in flight; a message whose attempts all failed is not accepted. */
  stop(): Promise<void>;
}

export interface ThreadSenderOptions {
  /** Unique per author: it prefixes every clientId. */
  label: string;
  /** Pause between one message being accepted (or given up) and the next. */
  pauseMs?: number;
  /** A call still unanswered after this long counts as failed, and the same clientId is retried. */
  attemptTimeoutMs?: number;
  retryDelayMs?: number;
  body?: (n: number) => string;
  /**
   * Also change the sender's own messages, so the log carries every kind: after message n, a reaction
   * when n % 3 is 0, an edit when n % 5 is 0, a delete when n % 7 is 0 (default true).
   */
  withChanges?: boolean;
}

/**
 * Sends one message at a time to a thread until stopped, each with its own clientId, retrying a failed
 * call with the same clientId as a real client would, and reacts to, edits and deletes some of them
 * (retried the same way: each states its end state, so a retry is harmless). A change counts as
 * accepted only when a call returned it: that is the set the delivery check holds the server to.
 */
export function startThreadSender(client: ApiClient, threadId: string, options: ThreadSenderOptions): ThreadSender {
  const { label, pauseMs = 5, attemptTimeoutMs = 15_000, retryDelayMs = 100, withChanges = true } = options;
  const body = options.body ?? ((n: number) => `${label} #${n}`);
  const accepted: AcceptedMessage[] = [];
  const failures: FailedAttempt[] = [];
  let isStopping = false;
  let count = 0;

  /** Calls until one attempt answers (retrying as a client would), or null once stopping. */
  async function untilAnswered<T>(
    clientId: string,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; attempts: number; startedAt: number } | null> {
    for (let attempt = 1; ; attempt++) {
      const startedAt = Date.now();
      try {
        return { value: await call(AbortSignal.timeout(attemptTimeoutMs)), attempts: attempt, startedAt };
      } catch (error) {
        failures.push({
          clientId,
          sender: label,
          startedAt,
          failedAfterMs: Date.now() - startedAt,
          ...describeError(error, startedAt, attemptTimeoutMs),
        });
        if (isStopping) return null;
        await sleep(Math.max(retryDelayMs, retryAfterMs(error)));
      }
    }
  }

  /** A change of the sender's own message; a retry that finds it done answers null, and then it is not counted as accepted (it is stored, and owed all the same). */
  async function change(
    kind: 'edit' | 'delete' | 'reaction',
    message: { id: string },
    clientId: string,
    call: (signal: AbortSignal) => Promise<{ seq: number } | null>,
  ): Promise<void> {
    const firstSentAt = Date.now();
    const answered = await untilAnswered(clientId, call);
    if (!answered?.value) return;
    const now = Date.now();
    accepted.push({
      kind,
      clientId,
      id: message.id,
      seq: answered.value.seq,
      sender: label,
      attempts: answered.attempts,
      firstSentAt,
      acceptedAt: now,
      answeredAfterMs: now - answered.startedAt,
    });
  }

  const loop = (async () => {
    while (!isStopping) {
      const n = ++count;
      const clientId = `${label}-${n}`;
      const firstSentAt = Date.now();
      const answered = await untilAnswered(clientId, (signal) => client.message.send.mutate({ threadId, body: body(n), clientId }, { signal }));
      if (answered) {
        const message = answered.value;
        accepted.push({
          kind: 'message',
          clientId,
          id: message.id,
          seq: message.seq,
          sender: label,
          attempts: answered.attempts,
          firstSentAt,
          acceptedAt: Date.now(),
          answeredAfterMs: Date.now() - answered.startedAt,
        });
        if (withChanges && n % 3 === 0) {
          await change('reaction', message, `${clientId}-r`, (signal) =>
            client.message.react.mutate({ messageId: message.id, emoji: '👍', on: true }, { signal }),
          );
        }
        if (withChanges && n % 5 === 0) {
          await change('edit', message, `${clientId}-e`, (signal) =>
            client.message.edit.mutate({ messageId: message.id, body: `${body(n)} (edited)` }, { signal }),
          );
        }
        if (withChanges && n % 7 === 0) {
          await change('delete', message, `${clientId}-d`, (signal) => client.message.delete.mutate({ messageId: message.id }, { signal }));
        }
      }
      if (pauseMs > 0) await sleep(pauseMs);
    }
  })();

  return {
    label,
    accepted,
    failures,
    started: () => count,
    async stop() {
      isStopping = true;
      await loop;
    },
  };
}

function describeError(error: unknown, startedAt: number, timeoutMs: number): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code) return { code, message };
  }
  if (Date.now() - startedAt >= timeoutMs - 5) return { code: 'TIMEOUT', message };
  return { code: 'CONNECTION', message };
}

/** The server's hint when it refused with TOO_MANY_REQUESTS; a polite client waits that long. */
function retryAfterMs(error: unknown): number {
  if (!(error instanceof TRPCClientError)) return 0;
  const hint = (error.data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof hint === 'number' ? hint : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
