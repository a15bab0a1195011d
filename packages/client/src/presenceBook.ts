import type { UserPresence } from './types.ts';

/**
 * What a client knows of other users' presence, from `user.presence` answers and `thread.onActivity`
 * presence events, which may arrive in any order: per user, the highest version wins.
 */
export class PresenceBook {
  readonly #byUser = new Map<string, UserPresence>();

  /** Takes one user's presence; returns whether it changed what is known. */
  apply(presence: UserPresence): boolean {
    const known = this.#byUser.get(presence.userId);
    if (known && known.version >= presence.version) return false;
    this.#byUser.set(presence.userId, {
      userId: presence.userId,
      online: presence.online,
      version: presence.version,
      lastSeenAt: presence.lastSeenAt,
    });
    return true;
  }

  get(userId: string): UserPresence | undefined {
    return this.#byUser.get(userId);
  }

  isOnline(userId: string): boolean {
    return this.#byUser.get(userId)?.online ?? false;
  }

  /** Forgets everything, e.g. when the activity stream restarts (a restarted server may count versions anew). */
  clear(): void {
    this.#byUser.clear();
  }
}
