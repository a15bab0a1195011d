import { TypingState, type ActivityEvent } from '@parley/client';

/** Who is typing where, for the open conversation's "… is typing" line; entries run out by themselves. */
export class TypingIndicators {
  // TypingState is plain (not reactive): this counter tells Svelte when what it shows has changed.
  #revision = $state(0);
  readonly #state = new TypingState();
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  /** Takes typing and message events from the activity stream. */
  apply(event: ActivityEvent): void {
    if (!this.#state.apply(event, Date.now())) return;
    this.#revision++;
    this.#scheduleExpiry();
  }

  /** Names of those typing in a thread now. */
  namesIn(threadId: string): string[] {
    void this.#revision;
    return this.#state.typingIn(threadId, Date.now()).map((typist) => typist.username);
  }

  stop(): void {
    clearTimeout(this.#expiryTimer);
  }

  #scheduleExpiry(): void {
    clearTimeout(this.#expiryTimer);
    const next = this.#state.nextExpiry(Date.now());
    if (next === null) return;
    this.#expiryTimer = setTimeout(
      () => {
        this.#revision++;
        this.#scheduleExpiry();
      },
      next - Date.now() + 10,
    );
  }
}

/** "anna is typing…", "anna and bob are typing…", "3 people are typing…", or null. */
export function typingSentence(names: string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
