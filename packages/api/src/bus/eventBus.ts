import type { ThreadEvent } from '../domain/threadEvent.ts';

/**
 * Group fan-out of stored messages. The database is the source of truth; the bus is only the fast path,
 * so a subscriber that misses something (a gap in seq, a reconnect) re-reads the database.
 */
export interface EventBus {
  /** Publish a change that is already committed (any kind of the thread's log), on its thread's channel. */
  publish(event: ThreadEvent): Promise<void>;
  /** A member's read marker moved: ephemeral like typing (the marker itself is stored), on the thread's channel. */
  publishRead(notice: ReadNotice): Promise<void>;
  /** Tell these users (on their own channels) that they are now in a thread. */
  publishThreadAdded(userIds: string[], threadId: string): Promise<void>;
  /** An ephemeral "is typing" notice on its thread's channel; never stored. */
  publishTyping(notice: TypingNotice): Promise<void>;
  /** Presence changes, each on the channels of the threads given with it (the user's threads). */
  publishPresence(changes: Array<{ change: PresenceNotice; threadIds: string[] }>): Promise<void>;
  /**
   * Live events of one thread, in the order the bus delivers them, until `signal` aborts.
   * A `resync` event means the bus may have dropped messages (e.g. a Redis reconnect): re-read the database.
   */
  subscribe(threadId: string, options: { signal: AbortSignal }): AsyncIterable<BusEvent>;
  /** One stream of several topics (a user's threads and their own channel); more can be added later. */
  subscribeTopics(topics: Topic[], options: { signal: AbortSignal }): BusSubscription;
  /** Tells every process, this one included, that these sessions ended, so each closes their sockets. */
  publishSessionsEnded(sessionIds: string[]): Promise<void>;
  /** Calls `listener` with the ids of sessions ended in any process; returns a function that stops it. */
  onSessionsEnded(listener: (sessionIds: string[]) => void): () => void;
  /** Resolves when the bus is ready to deliver (Redis subscribed); used by readiness checks. */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

export type BusEvent =
  | { type: 'event'; event: ThreadEvent }
  | ({ type: 'read' } & ReadNotice)
  | { type: 'threadAdded'; threadId: string }
  | ({ type: 'typing' } & TypingNotice)
  | ({ type: 'presence' } & PresenceNotice)
  | { type: 'resync' };

/** Someone is typing in a thread; clients show it for a few seconds unless it is repeated. */
export interface TypingNotice {
  threadId: string;
  userId: string;
  username: string;
}

/** A member has now read the thread up to `lastReadSeq` (never moves back). */
export interface ReadNotice {
  threadId: string;
  userId: string;
  lastReadSeq: number;
}

/**
 * A user came online (first socket in the cluster) or went offline (last one closed, or their process
 * died). `version` grows with every change in the cluster, so a reader keeps the highest it has seen:
 * notices from different processes can arrive out of order.
 */
export interface PresenceNotice {
  userId: string;
  online: boolean;
  version: number;
  /** ISO-8601 of when they went offline; null while online. */
  lastSeenAt: string | null;
}

/** What a bus channel carries: one thread's events and notices, or notices for one user. */
export type Topic = `thread:${string}` | `user:${string}`;

export interface BusSubscription extends AsyncIterable<BusEvent> {
  /** Listens to more topics on the same stream; ones it already has are ignored. */
  add(topics: Topic[]): void;
}

export function threadTopic(threadId: string): Topic {
  return `thread:${threadId}`;
}

export function userTopic(userId: string): Topic {
  return `user:${userId}`;
}

/** One place names channels, so every process agrees. */
export function threadChannel(prefix: string, threadId: string): string {
  return `${prefix}${threadTopic(threadId)}`;
}

export function sessionsEndedChannel(prefix: string): string {
  return `${prefix}sessions-ended`;
}

/** Listeners of session-ended notices; one listener's failure does not stop the others. */
export class SessionsEndedListeners {
  readonly #listeners = new Set<(ids: string[]) => void>();
  add(listener: (ids: string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(ids: string[], onError: (err: unknown) => void): void {
    for (const listener of this.#listeners) {
      try {
        listener(ids);
      } catch (err) {
        onError(err);
      }
    }
  }
}
