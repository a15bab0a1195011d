import { describe, expect, it } from 'vitest';
import { readReceipt } from './readReceipts.ts';

const me = { id: 'me', username: 'me', lastReadSeq: 9 };

describe('readReceipt', () => {
  it('says "Seen" in a direct thread once the other has read my message', () => {
    expect(readReceipt('direct', [me, { id: 'b', username: 'bob', lastReadSeq: 4 }], 'me', 5)).toBeNull();
    expect(readReceipt('direct', [me, { id: 'b', username: 'bob', lastReadSeq: 5 }], 'me', 5)).toEqual({ label: 'Seen', names: ['bob'] });
  });

  it('counts readers in a group, never me, and names them', () => {
    const members = [
      me,
      { id: 'a', username: 'anna', lastReadSeq: 7 },
      { id: 'b', username: 'bob', lastReadSeq: 6 },
      { id: 'c', username: 'carl', lastReadSeq: 2 },
    ];
    expect(readReceipt('group', members, 'me', 6)).toEqual({ label: 'Seen by 2', names: ['anna', 'bob'] });
  });

  it('shows nothing in notes to self', () => {
    expect(readReceipt('direct', [me], 'me', 3)).toBeNull();
  });
});
