import { on } from 'svelte/events';

/** The server counts a focus report for 60 s; repeating it well inside that keeps it from lapsing. */
const REPEAT_FOCUSED_MS = 25_000;

/**
 * Tells the server over this page's socket whether the tab is focused (push.reportFocus): while one of
 * my tabs is, the server pushes nothing to me, since the tab shows the message itself. A focused tab
 * says so again every 25 s; blur, a hidden page and pagehide say "not focused" at once.
 */
export class FocusReporter {
  readonly #report: (focused: boolean) => Promise<unknown>;
  readonly #stopListening: Array<() => void>;
  #isFocused = isPageFocused();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(report: (focused: boolean) => Promise<unknown>) {
    this.#report = report;
    this.#stopListening = [
      on(window, 'focus', () => this.#set(document.visibilityState === 'visible')),
      // Not document.hasFocus(): it can still say true while the blur is being handled.
      on(window, 'blur', () => this.#set(false)),
      on(document, 'visibilitychange', () => this.#set(isPageFocused())),
      on(window, 'pagehide', () => this.#set(false)),
      on(window, 'pageshow', () => this.#set(isPageFocused())),
    ];
    this.#schedule();
  }

  /** Says where the tab stands again: after the socket (re)opened, the server knows nothing of this one. */
  resend(): void {
    this.#send();
  }

  dispose(): void {
    clearInterval(this.#timer);
    for (const stop of this.#stopListening) stop();
  }

  #set(isFocused: boolean): void {
    if (isFocused === this.#isFocused) return;
    this.#isFocused = isFocused;
    this.#send();
    this.#schedule();
  }

  #schedule(): void {
    clearInterval(this.#timer);
    if (this.#isFocused) this.#timer = setInterval(() => this.#send(), REPEAT_FOCUSED_MS);
  }

  #send(): void {
    // Lost with the socket: its close ends this tab's focus on the server anyway, and the reopen resends.
    this.#report(this.#isFocused).catch(() => {});
  }
}

function isPageFocused(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}
