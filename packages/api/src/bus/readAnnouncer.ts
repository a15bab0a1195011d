import type { ReadNotice } from './eventBus.ts';

/** How often one member's read marker in one thread goes out at most. */
const READ_NOTICE_INTERVAL_MS = 500;

/**
 * Read markers move with every message a reader sees, so in a busy thread each reader would announce
 * several a second to every member. This sends the first at once and then at most one per interval per
 * (thread, member), always the newest, so the last position is never lost, only late by an interval.
 */
export function createReadAnnouncer(publish: (notice: ReadNotice) => unknown, intervalMs = READ_NOTICE_INTERVAL_MS): (notice: ReadNotice) => void {
  const windows = new Map<string, { pending: ReadNotice | null; timer: NodeJS.Timeout }>();
  const open = (key: string): void => {
    const timer = setTimeout(() => {
      const window = windows.get(key);
      windows.delete(key);
      if (window?.pending) {
        publish(window.pending);
        open(key);
      }
    }, intervalMs);
    timer.unref();
    windows.set(key, { pending: null, timer });
  };
  return (notice) => {
    const key = `${notice.threadId}\u0000${notice.userId}`;
    const window = windows.get(key);
    if (window) {
      if (!window.pending || window.pending.lastReadSeq < notice.lastReadSeq) window.pending = notice;
      return;
    }
    publish(notice);
    open(key);
  };
}
