import { threadTopic, userTopic, type PresenceNotice, type ReadNotice, type Topic, type TypingNotice } from '../bus/eventBus.ts';
import type { Deps } from '../deps.ts';
import { listThreads } from './listThreads.ts';
import { recentThreadsOf } from './recentThreads.ts';
import { retryWhileUnavailable } from './retryWhileUnavailable.ts';
import type { MessageView } from './messageView.ts';
import type { ThreadEvent } from './threadEvent.ts';
import type { ThreadSummary } from './threadView.ts';

export type ActivityEvent =
  /** A new message in one of my threads. */
  | { type: 'message'; message: MessageView }
  /** Another change in one of my threads (edit, delete, reaction): a list shows the last message as it is now. */
  | { type: 'change'; event: Exclude<ThreadEvent, { kind: 'message' }> }
  /** A member (me on another device included) read a thread up to `lastReadSeq`: receipts and unread badges. */
  | ({ type: 'read' } & ReadNotice)
  /** I was added to a thread (someone started one with me, or I did on another device). */
  | { type: 'thread'; thread: ThreadSummary }
  /** Someone else is typing in one of my threads: show it for about 5 s unless repeated, or until they send. */
  | ({ type: 'typing' } & TypingNotice)
  /** Someone I share a thread with came online or went offline; keep the highest `version` per user. */
  | ({ type: 'presence' } & PresenceNotice)
  /** Something may have been missed: read thread.list (and presence) again. */
  | { type: 'resync' };

/**
 * Live activity across all my threads, for a thread list. It rides the same per-thread bus channels as
 * thread.onMessage (shared per process), plus my own channel for threads I am added to, so sending a
 * message costs nothing extra for it. It is a hint stream: after `resync` the list is re-read.
 */
export async function* streamActivity(
  deps: Pick<Deps, 'db' | 'dbProvider' | 'bus' | 'hotPath'>,
  userId: string,
  signal: AbortSignal,
): AsyncGenerator<ActivityEvent> {
  const live = deps.bus.subscribeTopics([userTopic(userId)], { signal });
  const followed = new Set<string>();
  const follow = async () => {
    const recent = await retryWhileUnavailable(() => recentThreadsOf(deps, [userId]), signal);
    const fresh = (recent.get(userId) ?? []).filter((id) => !followed.has(id));
    for (const id of fresh) followed.add(id);
    live.add(fresh.map((id): Topic => threadTopic(id)));
  };
  await follow();
  // The client read its list when the subscription started, which may be before the thread channels
  // above were listened to: one resync closes that window.
  yield { type: 'resync' };
  // A presence change arrives once per thread I share with that user: only the first copy goes on.
  const presenceVersions = new Map<string, number>();
  for await (const event of live) {
    if (event.type === 'event') {
      const change = event.event;
      yield change.kind === 'message' ? { type: 'message', message: change.message } : { type: 'change', event: change };
    } else if (event.type === 'read') {
      yield event;
    } else if (event.type === 'typing') {
      if (event.userId !== userId) yield event;
    } else if (event.type === 'presence') {
      if (event.userId === userId || (presenceVersions.get(event.userId) ?? 0) >= event.version) continue;
      presenceVersions.set(event.userId, event.version);
      yield event;
    } else if (event.type === 'threadAdded') {
      if (!followed.has(event.threadId)) {
        followed.add(event.threadId);
        live.add([threadTopic(event.threadId)]);
      }
      const [thread] = await retryWhileUnavailable(() => listThreads(deps, userId, [event.threadId]), signal);
      if (thread) yield { type: 'thread', thread };
    } else {
      await follow();
      yield { type: 'resync' };
    }
  }
}
