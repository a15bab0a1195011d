import type { ActivityEvent } from './types.ts';

/** How long a typing notice is shown unless repeated; senders repeat theirs every 2 s while typing. */
export const TYPING_SHOWN_MS = 5000;

export interface Typist {
  userId: string;
  username: string;
}

/**
 * Who is typing in which thread, from `thread.onActivity` events: a notice shows for TYPING_SHOWN_MS,
 * and the typist's own message clears it at once. Time is passed in, so it runs on any clock.
 */
export class TypingState {
  readonly #byThread = new Map<string, Map<string, Typist & { until: number }>>();
  readonly #shownMs: number;

  constructor(shownMs = TYPING_SHOWN_MS) {
    this.#shownMs = shownMs;
  }

  /** Takes a typing or message event (others are ignored); returns whether anyone shown changed. */
  apply(event: ActivityEvent, nowMs: number): boolean {
    if (event.type === 'typing') {
      let typists = this.#byThread.get(event.threadId);
      if (!typists) this.#byThread.set(event.threadId, (typists = new Map()));
      const isNew = !this.#isShown(typists.get(event.userId), nowMs);
      typists.set(event.userId, { userId: event.userId, username: event.username, until: nowMs + this.#shownMs });
      return isNew;
    }
    if (event.type === 'message') {
      const typists = this.#byThread.get(event.message.threadId);
      const wasShown = this.#isShown(typists?.get(event.message.author.id), nowMs);
      typists?.delete(event.message.author.id);
      return wasShown;
    }
    return false;
  }

  /** Those typing in a thread now, by name. */
  typingIn(threadId: string, nowMs: number): Typist[] {
    const typists = this.#byThread.get(threadId);
    if (!typists) return [];
    const shown: Typist[] = [];
    for (const [userId, typist] of typists) {
      if (this.#isShown(typist, nowMs)) shown.push({ userId, username: typist.username });
      else typists.delete(userId);
    }
    return shown.sort((a, b) => a.username.localeCompare(b.username));
  }

  /** When the next shown notice runs out (to re-render then), or null when none is shown. */
  nextExpiry(nowMs: number): number | null {
    let next: number | null = null;
    for (const typists of this.#byThread.values()) {
      for (const { until } of typists.values()) if (until > nowMs && (next === null || until < next)) next = until;
    }
    return next;
  }

  #isShown(typist: { until: number } | undefined, nowMs: number): boolean {
    return typist !== undefined && typist.until > nowMs;
  }
}

/**
 * Sends `thread.typing` at most once per `intervalMs` while someone types; `reset()` after sending a
 * message, so typing the next one is announced at once.
 */
export function createTypingNotifier(send: () => Promise<unknown>, intervalMs = 2000, now: () => number = Date.now) {
  let lastSentAt = -Infinity;
  return {
    notify(): void {
      const at = now();
      if (at - lastSentAt < intervalMs) return;
      lastSentAt = at;
      // Typing notices are best effort: a failed one is not worth an error on screen.
      send().catch(() => undefined);
    },
    reset(): void {
      lastSentAt = -Infinity;
    },
  };
}
