import { on } from 'svelte/events';

/**
 * Whether the browser says it has a network, as soon as it says so: the socket's keep-alive would only
 * notice a lost network up to 20 s later. `onOnline` runs when it comes back.
 */
export class NetworkStatus {
  isOnline = $state(navigator.onLine);

  readonly #stopListening: Array<() => void>;

  constructor(onOnline: () => void = () => {}) {
    this.#stopListening = [
      on(window, 'offline', () => (this.isOnline = false)),
      on(window, 'online', () => {
        this.isOnline = true;
        onOnline();
      }),
    ];
  }

  dispose(): void {
    for (const stop of this.#stopListening) stop();
  }
}
