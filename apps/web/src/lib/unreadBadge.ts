import type { ThreadSummary } from '@parley/client';
import { countsAsUnread } from './notificationRules.ts';

const APP_NAME = 'Parley';

/** Unread messages across my threads, muted ones left out. */
export function unreadTotal(
  threads: readonly (Pick<ThreadSummary, 'id' | 'kind' | 'title' | 'members' | 'unreadCount'> & { notifications?: unknown })[],
): number {
  return threads.reduce((total, thread) => total + (countsAsUnread(thread) ? thread.unreadCount : 0), 0);
}

/** "(3) Parley", or "Parley" when nothing is unread. */
export function documentTitle(total: number): string {
  return total > 0 ? `(${total}) ${APP_NAME}` : APP_NAME;
}

/** What the favicon's badge says: a digit, "9+" past nine (two characters is all a 16 px icon can show); null for none. */
export function badgeLabel(total: number): string | null {
  if (total <= 0) return null;
  return total > 9 ? '9+' : String(total);
}
