import { TRPCClientError } from '@trpc/client';
import type { ApiClient } from './trpcClients.ts';

export interface AcceptedMessage {
  clientId: string;
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
}

/**
 * Sends one message at a time to a thread until stopped, each with its own clientId, retrying a failed
 * call with the same clientId as a real client would. A message counts as accepted only when a call
 * returned it: that is the set the delivery check holds the server to.
 */
export function startThreadSender(client: ApiClient, threadId: string, options: ThreadSenderOptions): ThreadSender {
  const { label, pauseMs = 5, attemptTimeoutMs = 15_000, retryDelayMs = 100 } = options;
  const body = options.body ?? ((n: number) => `${label} #${n}`);
  const accepted: AcceptedMessage[] = [];
  const failures: FailedAttempt[] = [];
  let isStopping = false;
  let count = 0;

  const loop = (async () => {
    while (!isStopping) {
      const n = ++count;
      const clientId = `${label}-${n}`;
      const firstSentAt = Date.now();
      for (let attempt = 1; ; attempt++) {
        const startedAt = Date.now();
        try {
          const message = await client.message.send.mutate({ threadId, body: body(n), clientId }, { signal: AbortSignal.timeout(attemptTimeoutMs) });
          accepted.push({
            clientId,
            id: message.id,
            seq: message.seq,
            sender: label,
            attempts: attempt,
            firstSentAt,
            acceptedAt: Date.now(),
            answeredAfterMs: Date.now() - startedAt,
          });
          break;
        } catch (error) {
          failures.push({
            clientId,
            sender: label,
            startedAt,
            failedAfterMs: Date.now() - startedAt,
            ...describeError(error, startedAt, attemptTimeoutMs),
          });
          if (isStopping) break;
          await sleep(Math.max(retryDelayMs, retryAfterMs(error)));
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
