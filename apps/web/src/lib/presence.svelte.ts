import { PresenceBook, type ParleyClient, type UserPresence } from '@parley/client';

/** The most ids one user.presence call takes. */
const LOOKUP_BATCH = 100;

/** Who of the people I share threads with is online: read with user.presence, kept live by activity events. */
export class Presence {
  #revision = $state(0);
  readonly #book = new PresenceBook();
  readonly #client: ParleyClient;

  constructor(client: ParleyClient) {
    this.#client = client;
  }

  isOnline(userId: string): boolean {
    void this.#revision;
    return this.#book.isOnline(userId);
  }

  apply(presence: UserPresence): void {
    if (this.#book.apply(presence)) this.#revision++;
  }

  /** Forgets what it knew: the activity stream restarted, and what it missed meanwhile is read again. */
  reset(): void {
    this.#book.clear();
    this.#revision++;
  }

  /** Reads the presence of these users; a failure leaves them shown as offline until the next event. */
  async load(userIds: string[]): Promise<void> {
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
      try {
        for (const presence of await this.#client.api.user.presence.query({ userIds: unique.slice(i, i + LOOKUP_BATCH) })) this.apply(presence);
      } catch {
        return;
      }
    }
  }
}
