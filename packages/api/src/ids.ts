import { randomUUID } from 'node:crypto';

/**
 * Ids for rows Parley creates (users, threads, messages): UUIDv7 (RFC 9562), whose first 48 bits are
 * the time in milliseconds, so each new row lands at the right-hand edge of the primary-key index instead
 * of on a random page that the commit must then write. With random v4 ids every message dirtied one.
 *
 * Built on `randomUUID`, whose random bits come from a pre-filled entropy pool: the `uuid` package's v7
 * asks the system for 16 random bytes per id, which showed in profiles of every message
 * (figure: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
 * The rest of a v4 id (after its version digit) already has a v7 id's layout: 12 random bits, the
 * variant, 62 random bits. (Session ids are not made here: they are secrets of their own.)
 */
export function newTimeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
