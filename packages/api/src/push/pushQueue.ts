import type { Redis } from 'ioredis';

/** A person to tell about a thread. */
export interface PushJob {
  userId: string;
  threadId: string;
}

/**
 * Pushes waiting to go out, one per person and thread however many messages arrive meanwhile (a burst
 * becomes one notification). With Redis the queue is shared and each job is taken by exactly one process.
 */
export interface PushQueue {
  /** Queues a push for `dueAt` unless one for the same person and thread is already waiting. */
  schedule(job: PushJob, dueAt: number): Promise<void>;
  /** Takes (removes and returns) the jobs due by `now`, at most `limit`; no other taker gets them. */
  takeDue(now: number, limit: number): Promise<PushJob[]>;
  /** The newest seq already pushed to this person for this thread (0 when none), so no message is pushed twice. */
  pushedUpTo(job: PushJob): Promise<number>;
  markPushed(job: PushJob, seq: number): Promise<void>;
}

/** How long the pushed-up-to mark is kept: past a day, the read marker alone decides. */
const PUSHED_MARK_TTL_MS = 24 * 60 * 60 * 1000;

const toMember = (job: PushJob) => `${job.userId}|${job.threadId}`;
const fromMember = (member: string): PushJob => {
  const [userId = '', threadId = ''] = member.split('|');
  return { userId, threadId };
};

export function createMemoryPushQueue(): PushQueue {
  const due = new Map<string, number>();
  const pushed = new Map<string, number>();
  return {
    async pushedUpTo(job) {
      return pushed.get(toMember(job)) ?? 0;
    },
    async markPushed(job, seq) {
      pushed.set(toMember(job), seq);
    },
    async schedule(job, dueAt) {
      if (!due.has(toMember(job))) due.set(toMember(job), dueAt);
    },
    async takeDue(now, limit) {
      const taken: PushJob[] = [];
      for (const [member, at] of due) {
        if (taken.length >= limit) break;
        if (at > now) continue;
        due.delete(member);
        taken.push(fromMember(member));
      }
      return taken;
    },
  };
}

/** A sorted set scored by due time: ZADD NX keeps the first schedule of a burst; ZREM decides which process takes a job. */
export function createRedisPushQueue(client: Redis, prefix: string): PushQueue {
  const key = `${prefix}push:due`;
  const mark = (job: PushJob) => `${prefix}push:pushed:${toMember(job)}`;
  return {
    async pushedUpTo(job) {
      return Number((await client.get(mark(job))) ?? 0);
    },
    async markPushed(job, seq) {
      await client.set(mark(job), String(seq), 'PX', PUSHED_MARK_TTL_MS);
    },
    async schedule(job, dueAt) {
      await client.zadd(key, 'NX', dueAt, toMember(job));
    },
    async takeDue(now, limit) {
      const members = await client.zrangebyscore(key, '-inf', now, 'LIMIT', 0, limit);
      const taken: PushJob[] = [];
      for (const member of members) if ((await client.zrem(key, member)) === 1) taken.push(fromMember(member));
      return taken;
    },
  };
}
