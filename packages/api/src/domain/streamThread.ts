import { tracked, type TrackedEnvelope } from '@trpc/server';
import type { Deps } from '../deps.ts';
import { retryWhileUnavailable } from './retryWhileUnavailable.ts';
import type { ThreadEvent } from './threadEvent.ts';

const CATCH_UP_PAGE = 500;

/**
 * A thread's log after `lastEventId` (or from now on, when absent), then live: every kind of change, in
 * seq order with no gap and no duplicate. It listens on the bus before reading the database, so nothing committed in
 * between is missed; the bus is the fast path (no query per delivery) and the database fills any gap.
 * The caller has checked membership.
 */
export async function* streamThread(
  deps: Pick<Deps, 'hotPath' | 'bus' | 'metrics' | 'clock'>,
  input: { threadId: string; lastEventId?: string | null | undefined },
  /** The thread's last seq when membership was checked: the start when there is no lastEventId. */
  seqAtCheck: number,
  signal: AbortSignal,
): AsyncGenerator<TrackedEnvelope<ThreadEvent>> {
  // Listening before the check's read would be tighter, but the first catch-up below reads from the
  // database after listening anyway, and covers anything committed since the check.
  const live = deps.bus.subscribe(input.threadId, { signal });
  const cursor = { threadId: input.threadId, lastSeq: input.lastEventId != null ? Number(input.lastEventId) : seqAtCheck };

  yield* catchUp(deps, cursor, signal);
  for await (const event of live) {
    if (event.type === 'resync') {
      yield* catchUp(deps, cursor, signal);
      continue;
    }
    if (event.type !== 'event') continue; // notices, not the log
    const change = event.event;
    if (change.seq <= cursor.lastSeq) continue; // the backlog already gave it
    if (change.seq > cursor.lastSeq + 1) {
      yield* catchUp(deps, cursor, signal); // a gap: it is committed (seq order is commit order), so the database has it
      continue;
    }
    cursor.lastSeq = change.seq;
    deps.metrics.messagesDelivered.inc();
    deps.metrics.deliveryLatency.observe((deps.clock.now().getTime() - Date.parse(change.at)) / 1000);
    yield tracked(String(change.seq), change);
  }
}

/**
 * The log after the cursor from the database, page by page, moving the cursor. At module level, not
 * nested in streamThread: a generator function made per call brings its own prototype object and hidden
 * classes, more memory per live subscription (figure: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
 */
async function* catchUp(
  deps: Pick<Deps, 'hotPath' | 'metrics'>,
  cursor: { threadId: string; lastSeq: number },
  signal: AbortSignal,
): AsyncGenerator<TrackedEnvelope<ThreadEvent>> {
  for (;;) {
    const page = await retryWhileUnavailable(() => deps.hotPath.eventsAfter(cursor.threadId, cursor.lastSeq, CATCH_UP_PAGE), signal);
    for (const change of page) {
      cursor.lastSeq = change.seq;
      deps.metrics.messagesDelivered.inc();
      yield tracked(String(change.seq), change);
    }
    if (page.length < CATCH_UP_PAGE || signal.aborted) return;
  }
}
