import { on } from 'svelte/events';

/** Whether the person can see the page: messages only count as read while it is visible. */
export class PageVisibility {
  isVisible = $state(document.visibilityState === 'visible');

  readonly #stopListening = on(document, 'visibilitychange', () => (this.isVisible = document.visibilityState === 'visible'));

  /** Stops watching the page's visibility; call when the owner is destroyed. */
  dispose(): void {
    this.#stopListening();
  }
}
