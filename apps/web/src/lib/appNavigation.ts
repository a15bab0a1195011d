/**
 * Opens a path of this app (`/t/<id>`) the way the back button does: the Route follows `popstate`, so
 * the open page changes thread without a reload. A URL of another origin is ignored.
 */
export function openAppPath(url: string): void {
  const target = new URL(url, location.origin);
  if (target.origin !== location.origin) return;
  const path = `${target.pathname}${target.search}${target.hash}`;
  if (`${location.pathname}${location.search}${location.hash}` !== path) history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}
