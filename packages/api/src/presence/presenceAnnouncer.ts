import type { PresenceNotice } from '../bus/eventBus.ts';
import type { Deps } from '../deps.ts';
import { recentThreadsOf } from '../domain/recentThreads.ts';
import type { PresenceStore } from './presenceStore.ts';

export interface PresenceAnnouncer {
  /**
   * Tells the people who share a thread with each user (through those threads' channels). Going offline
   * is held for the grace period and dropped if the user came back meanwhile, so a page reload or a
   * client moving to another process does not flicker; `isImmediate` skips it (already long gone).
   */
  announce(changes: PresenceNotice[], options?: { isImmediate?: boolean }): void;
  /** Sends everything held or queued now (at shutdown). */
  flush(): Promise<void>;
}

/** Batches announcements per tick: one membership query and one bus pipeline per batch, not per change. */
export function createPresenceAnnouncer(
  deps: Pick<Deps, 'hotPath' | 'bus' | 'logger' | 'metrics'>,
  presence: Pick<PresenceStore, 'lookup'>,
  options: { offlineGraceMs: number },
): PresenceAnnouncer {
  let queued = new Map<string, PresenceNotice>();
  let isScheduled = false;
  const sends = new Set<Promise<void>>();
  const held = new Map<string, { change: PresenceNotice; timer: NodeJS.Timeout }>();

  const enqueue = (changes: PresenceNotice[]): void => {
    for (const change of changes) {
      const prior = queued.get(change.userId);
      if (!prior || prior.version < change.version) queued.set(change.userId, change);
    }
    if (isScheduled) return;
    isScheduled = true;
    const sent = new Promise<void>((resolve) => setImmediate(resolve)).then(send);
    sends.add(sent);
    void sent.finally(() => sends.delete(sent));
  };

  const send = async (): Promise<void> => {
    const batch = [...queued.values()];
    queued = new Map();
    isScheduled = false;
    try {
      const threadsOf = await recentThreadsOf(
        deps,
        batch.map((c) => c.userId),
      );
      await deps.bus.publishPresence(batch.map((change) => ({ change, threadIds: threadsOf.get(change.userId) ?? [] })));
      for (const change of batch) deps.metrics.presenceChanges.inc({ to: change.online ? 'online' : 'offline' });
    } catch (err) {
      // Readers re-read presence when their stream resyncs; one lost announcement is not retried.
      deps.logger.warn({ err, changes: batch.length }, 'could not announce presence changes');
    }
  };

  // An offline change still current after the grace is announced; a later change (back online) supersedes it.
  const releaseHeld = async (changes: PresenceNotice[]): Promise<void> => {
    for (const change of changes) {
      const entry = held.get(change.userId);
      if (entry?.change === change) {
        clearTimeout(entry.timer);
        held.delete(change.userId);
      }
    }
    try {
      const current = new Map((await presence.lookup(changes.map((c) => c.userId))).map((p) => [p.userId, p]));
      enqueue(changes.filter((c) => current.get(c.userId)?.version === c.version));
    } catch (err) {
      deps.logger.warn({ err }, 'could not check presence before announcing; announcing anyway');
      enqueue(changes);
    }
  };

  return {
    announce(changes, { isImmediate = false } = {}) {
      const now: PresenceNotice[] = [];
      for (const change of changes) {
        if (change.online || isImmediate || options.offlineGraceMs <= 0) {
          now.push(change);
          continue;
        }
        const prior = held.get(change.userId);
        if (prior) clearTimeout(prior.timer);
        const timer = setTimeout(() => void releaseHeld([change]), options.offlineGraceMs);
        timer.unref();
        held.set(change.userId, { change, timer });
      }
      if (now.length) enqueue(now);
    },

    async flush() {
      if (held.size) await releaseHeld([...held.values()].map((entry) => entry.change));
      while (sends.size) await Promise.all(sends);
    },
  };
}
