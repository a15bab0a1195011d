import { describe, expect, it } from 'vitest';
import { createMemoryOutbox, nextOrder, sortBySendOrder, type OutboxEntry } from './outbox.ts';

function entry(clientId: string, order: number, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    clientId,
    userId: 'u-ann',
    threadId: 't1',
    body: clientId,
    replyToId: null,
    attachments: [],
    createdAt: new Date(order).toISOString(),
    order,
    ...overrides,
  };
}

describe('the outbox order', () => {
  it('sorts by the order number, oldest first, whatever order the store returns', () => {
    const sorted = sortBySendOrder([entry('c', 30), entry('a', 10), entry('b', 20)]);
    expect(sorted.map((e) => e.clientId)).toEqual(['a', 'b', 'c']);
  });

  it('numbers two sends in the same millisecond apart, and stays above what is stored', () => {
    const first = nextOrder(1_000);
    const second = nextOrder(1_000);
    expect(second).toBeGreaterThan(first);
    const afterStored = nextOrder(1_000, 5_000_000_000_000);
    expect(afterStored).toBe(5_000_000_000_001);
    expect(nextOrder(2_000)).toBeGreaterThan(afterStored);
  });
});

describe('the memory outbox', () => {
  it("lists one person's entries in send order and clears only theirs", async () => {
    const outbox = createMemoryOutbox();
    await outbox.put(entry('late', 2));
    await outbox.put(entry('early', 1));
    await outbox.put(entry('other', 3, { userId: 'u-bob' }));
    expect((await outbox.list('u-ann')).map((e) => e.clientId)).toEqual(['early', 'late']);
    await outbox.clear('u-ann');
    expect(await outbox.list('u-ann')).toEqual([]);
    expect((await outbox.list('u-bob')).map((e) => e.clientId)).toEqual(['other']);
  });

  it('forgets a removed entry', async () => {
    const outbox = createMemoryOutbox();
    await outbox.put(entry('a', 1));
    await outbox.remove('a');
    expect(await outbox.list('u-ann')).toEqual([]);
  });
});
