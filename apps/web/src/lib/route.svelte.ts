const THREAD_PATH = /^\/t\/([^/]+)\/?$/;

/** The open thread, kept in the address (/t/<id>) so a reload or a shared link reopens it. */
export class Route {
  threadId = $state<string | null>(threadIdFrom(location.pathname));

  constructor() {
    addEventListener('popstate', () => (this.threadId = threadIdFrom(location.pathname)));
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
