import { tracked, type TrackedEnvelope } from '@trpc/server';
import type { Deps } from '../deps.ts';
import { listMessagesAfter } from './listMessages.ts';
import { retryWhileUnavailable } from './retryWhileUnavailable.ts';
import type { MessageView } from './messageView.ts';

const CATCH_UP_PAGE = 500;

/**
 * A thread's messages after `lastEventId` (or from now on, when absent), then live, in seq order with no
 * gap and no duplicate. It listens on the bus before reading the database, so nothing committed in
 * between is missed; the bus is the fast path (no query per delivery) and the database fills any gap.
 * The caller has checked membership.
 */
export async function* streamThread(
  deps: Pick<Deps, 'db' | 'bus' | 'metrics' | 'clock'>,
  input: { threadId: string; lastEventId?: string | null | undefined },
  signal: AbortSignal,
): AsyncGenerator<TrackedEnvelope<MessageView>> {
  const live = await deps.bus.subscribe(input.threadId, { signal });

  let lastSeq =
    input.lastEventId != null ? Number(input.lastEventId) : await retryWhileUnavailable(() => currentSeq(deps, input.threadId), signal);

  async function* catchUp(): AsyncGenerator<TrackedEnvelope<MessageView>> {
    for (;;) {
      const page = await retryWhileUnavailable(() => listMessagesAfter(deps, input.threadId, lastSeq, CATCH_UP_PAGE), signal);
      for (const message of page) {
        lastSeq = message.seq;
        deps.metrics.messagesDelivered.inc();
        yield tracked(String(message.seq), message);
      }
      if (page.length < CATCH_UP_PAGE || signal.aborted) return;
    }
  }

  yield* catchUp();
  for await (const event of live) {
    if (event.type === 'threadAdded') continue; // a user-channel notice; not on thread channels
    if (event.type === 'resync') {
      yield* catchUp();
      continue;
    }
    const { message } = event;
    if (message.seq <= lastSeq) continue; // the backlog already gave it
    if (message.seq > lastSeq + 1) {
      yield* catchUp(); // a gap: it is committed (seq order is commit order), so the database has it
      continue;
    }
    lastSeq = message.seq;
    deps.metrics.messagesDelivered.inc();
    deps.metrics.deliveryLatency.observe((deps.clock.now().getTime() - Date.parse(message.createdAt)) / 1000);
    yield tracked(String(message.seq), message);
  }
}

async function currentSeq(deps: Pick<Deps, 'db'>, threadId: string): Promise<number> {
  const thread = await deps.db.thread.findUniqueOrThrow({ where: { id: threadId }, select: { lastSeq: true } });
  return thread.lastSeq;
}
