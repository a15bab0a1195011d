import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';

/**
 * Tells the thread's other members that `user` is typing: an ephemeral bus notice, never stored. More
 * than one per user and thread every 2 s (until the thread gets a new message) is dropped rather than
 * refused, since clients repeat them while typing anyway. Returns whether this one went out.
 */
export async function sendTypingNotice(
  deps: Pick<Deps, 'hotPath' | 'bus' | 'rateLimits' | 'metrics' | 'logger'>,
  user: SessionUser,
  threadId: string,
): Promise<{ isSent: boolean }> {
  const lastSeq = await assertThreadMember(deps, threadId, user.id);
  if (!(await deps.rateLimits.allowTyping(user.id, threadId, lastSeq))) {
    deps.metrics.typingNotices.inc({ outcome: 'throttled' });
    return { isSent: false };
  }
  try {
    await deps.bus.publishTyping({ threadId, userId: user.id, username: user.username });
  } catch (err) {
    // A lost typing notice matters little and the next keystrokes send another: not the caller's error.
    deps.logger.warn({ err, threadId }, 'could not publish a typing notice');
    return { isSent: false };
  }
  deps.metrics.typingNotices.inc({ outcome: 'sent' });
  return { isSent: true };
}
