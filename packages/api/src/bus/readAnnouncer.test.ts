import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadNotice } from './eventBus.ts';
import { createReadAnnouncer } from './readAnnouncer.ts';

const read = (lastReadSeq: number, userId = 'u1'): ReadNotice => ({ threadId: 't1', userId, lastReadSeq });

describe('read notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('go out at once, then at most one per interval per member, always the newest', () => {
    const sent: ReadNotice[] = [];
    const announce = createReadAnnouncer((n) => sent.push(n), 500);
    announce(read(1));
    announce(read(2));
    announce(read(4));
    announce(read(3)); // late and older: never sent after 4
    announce(read(1, 'u2')); // another member has a window of their own
    expect(sent).toEqual([read(1), read(1, 'u2')]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([read(1), read(1, 'u2'), read(4)]);
    vi.advanceTimersByTime(500);
    announce(read(5));
    expect(sent.at(-1)).toEqual(read(5));
    expect(sent).toHaveLength(4);
  });
});
