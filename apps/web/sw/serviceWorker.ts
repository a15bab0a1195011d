// The service worker at /sw.js (scope /). Built by plugins/appShell.ts, which puts the two constants
// below in front of this file: the shell's files of this build, and a version that changes with them.
declare const PARLEY_PRECACHE: string[];
declare const PARLEY_VERSION: string;

const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE_PREFIX = 'parley-shell-';
const SHELL_CACHE = `${CACHE_PREFIX}${PARLEY_VERSION}`;
const SHELL_PAGE = '/index.html';
/** The API, uploads and files are always the server's own answer: never cached, never answered offline. */
const NETWORK_ONLY = /^\/(?:trpc|uploads|files|healthz)(?:[/?]|$)/;

interface PushPayload {
  title: string;
  body?: string;
  threadId?: string;
  url?: string;
}

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // `reload`: the copies the browser's HTTP cache may hold could be of an older build.
      await cache.addAll(PARLEY_PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  if (request.mode === 'navigate') event.respondWith(openPage(request));
  else if (url.pathname.startsWith('/assets/') || PARLEY_PRECACHE.includes(url.pathname)) event.respondWith(fromCache(request, url));
});

/** The network's page when there is one (a new build's included); offline, the shell of this build. */
async function openPage(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match(SHELL_PAGE, { cacheName: SHELL_CACHE });
    if (shell) return shell;
    throw error;
  }
}

/** Built files have their content's hash in their names, so a cached copy is always right. */
async function fromCache(request: Request, url: URL): Promise<Response> {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  // Files loaded on demand (the emoji data) are kept once fetched, so they work offline next time.
  if (response.ok && url.pathname.startsWith('/assets/')) {
    const copy = response.clone();
    await caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

worker.addEventListener('push', (event) => {
  event.waitUntil(
    (async () => {
      const payload = readPush(event.data);
      const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // The open tab tells the person itself; the server sends no push then either, but a push may cross a focus.
      if (windows.some((client) => client.focused)) return;
      await worker.registration.showNotification(payload.title, {
        ...(payload.body ? { body: payload.body } : {}),
        ...(payload.threadId ? { tag: payload.threadId } : {}),
        data: { url: payload.url ?? '/' },
        icon: '/icons/icon-192.png',
      });
    })(),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = appPath((event.notification.data as { url?: unknown } | null)?.url);
  event.waitUntil(
    (async () => {
      const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === worker.location.origin);
      if (!open) {
        await worker.clients.openWindow(path);
        return;
      }
      const focused = await open.focus();
      // The app opens the thread itself (no reload: its socket and unsent messages stay).
      focused.postMessage({ type: 'parley:open', url: path });
    })(),
  );
});

function readPush(data: PushMessageData | null): PushPayload {
  try {
    const value = data?.json() as Partial<PushPayload> | undefined;
    if (value && typeof value.title === 'string') {
      return {
        title: value.title,
        ...(typeof value.body === 'string' ? { body: value.body } : {}),
        ...(typeof value.threadId === 'string' ? { threadId: value.threadId } : {}),
        ...(typeof value.url === 'string' ? { url: value.url } : {}),
      };
    }
  } catch {
    // Not JSON: still show something, as a push must be shown.
  }
  return { title: 'Parley', body: 'You have a new message.' };
}

/** A path of this app from a notification's URL; anything pointing elsewhere opens the app's start. */
function appPath(url: unknown): string {
  if (typeof url !== 'string') return '/';
  const target = new URL(url, worker.location.origin);
  return target.origin === worker.location.origin ? `${target.pathname}${target.search}${target.hash}` : '/';
}
