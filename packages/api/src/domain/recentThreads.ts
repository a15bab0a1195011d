import type { Deps } from '../deps.ts';

/** Threads whose messages an activity stream follows; older ones show up again when they get a message elsewhere. */
const ACTIVITY_MAX_THREADS = 500;

const USERS_PER_QUERY = 500;

/**
 * Each user's most recently active threads, at most ACTIVITY_MAX_THREADS: the threads an activity stream
 * follows, and so the channels a user's presence is announced on. One definition for both, so a presence
 * notice goes where the streams that should show it are listening.
 */
export async function recentThreadsOf(deps: Pick<Deps, 'hotPath'>, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const threadsOf = new Map<string, string[]>();
  for (let i = 0; i < userIds.length; i += USERS_PER_QUERY) {
    for (const { userId, threadId } of await deps.hotPath.membershipsOf(userIds.slice(i, i + USERS_PER_QUERY))) {
      let threads = threadsOf.get(userId);
      if (!threads) threadsOf.set(userId, (threads = []));
      if (threads.length < ACTIVITY_MAX_THREADS) threads.push(threadId);
    }
  }
  return threadsOf;
}
