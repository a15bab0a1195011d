import { describe, expect, it } from 'vitest';
import { hitsByThread } from './searchGroups.ts';

describe('hitsByThread', () => {
  it("groups hits by thread in the order of each thread's best hit, keeping their order inside", () => {
    const hits = [
      { threadId: 'b', messageId: '1' },
      { threadId: 'a', messageId: '2' },
      { threadId: 'b', messageId: '3' },
    ];
    expect(hitsByThread(hits)).toEqual([
      { threadId: 'b', hits: [hits[0], hits[2]] },
      { threadId: 'a', hits: [hits[1]] },
    ]);
  });

  it('gives no groups for no hits', () => {
    expect(hitsByThread([])).toEqual([]);
  });
});
