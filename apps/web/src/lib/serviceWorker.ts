import { openAppPath } from './appNavigation.ts';

/**
 * Registers /sw.js (which lets the app open offline and shows Web Push notifications) once the page has
 * loaded, so its precaching does not compete with the app's own first requests. A click on a
 * notification it showed comes back here as a message naming the thread to open.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (data && typeof data === 'object' && 'type' in data && data.type === 'parley:open' && 'url' in data && typeof data.url === 'string') {
      openAppPath(data.url);
    }
  });
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
      // Without it the app still works online; it only cannot open offline.
      console.warn('Parley could not install its service worker', error);
    });
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}
