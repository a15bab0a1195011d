import { on } from 'svelte/events';

const THREAD_PATH = /^\/t\/([^/]+)\/?$/;

/** The open thread, kept in the address (/t/<id>) so a reload or a shared link reopens it. */
export class Route {
  threadId = $state<string | null>(threadIdFrom(location.pathname));

  readonly #stopListening = on(window, 'popstate', () => (this.threadId = threadIdFrom(location.pathname)));

  /** Stops following the browser's back/forward buttons; call when the owner is destroyed. */
  dispose(): void {
    this.#stopListening();
  }

  open(threadId: string | null): void {
    const path = threadId ? `/t/${encodeURIComponent(threadId)}` : '/';
    if (location.pathname !== path) history.pushState(null, '', path);
    this.threadId = threadId;
  }
}

function threadIdFrom(pathname: string): string | null {
  const match = THREAD_PATH.exec(pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
