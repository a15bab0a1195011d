import { v7 as uuidv7 } from 'uuid';

/**
 * Ids for rows Parley creates (users, threads, messages): UUIDv7, whose leading bits are the time, so
 * each new row lands at the right-hand edge of the primary-key index instead of on a random page. With
 * random v4 ids every message dirtied a random index page, which the commit then had to write.
 * (Session ids are not made here: they are secrets of their own.)
 */
export function newTimeOrderedId(): string {
  return uuidv7();
}
