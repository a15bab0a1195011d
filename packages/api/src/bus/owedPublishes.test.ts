import { describe, expect, it, vi } from 'vitest';
import type { ThreadEvent } from '../domain/threadEvent.ts';
import { testMessageEvent } from '../testing/testMessage.ts';
import { createOwedPublishes } from './owedPublishes.ts';

function message(threadId: string, seq: number): ThreadEvent {
  return testMessageEvent({ threadId, seq, body: 'x', createdAt: new Date(0).toISOString() });
}

const seqsOf = (publish: ReturnType<typeof vi.fn>) => publish.mock.calls.map(([m]) => `${(m as ThreadEvent).threadId}:${(m as ThreadEvent).seq}`);

describe('owed publishes', () => {
  it('publishes again only the newest owed message of each thread', async () => {
    const publish = vi.fn(async (_: ThreadEvent) => 1);
    const owed = createOwedPublishes(publish);
    owed.owe(message('t1', 2));
    owed.owe(message('t1', 5));
    owed.owe(message('t1', 4)); // older than one already owed
    owed.owe(message('t2', 1));

    owed.pay();

    expect(seqsOf(publish)).toEqual(['t1:5', 't2:1']);
  });

  it('owes nothing more once paid', async () => {
    const publish = vi.fn(async (_: ThreadEvent) => 1);
    const owed = createOwedPublishes(publish);
    owed.owe(message('t1', 1));
    owed.pay();
    await Promise.resolve();
    owed.pay();
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('keeps owing a message whose publish fails again', async () => {
    const publish = vi.fn(async (_: ThreadEvent): Promise<number> => {
      throw new Error('connection is closed');
    });
    const owed = createOwedPublishes(publish);
    owed.owe(message('t1', 1));
    owed.pay();
    await vi.waitFor(() => expect(publish).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setImmediate(resolve));

    publish.mockResolvedValue(1);
    owed.pay();
    expect(seqsOf(publish)).toEqual(['t1:1', 't1:1']);
  });

  it('lets a newer message replace one that failed again', async () => {
    let fail = true;
    const publish = vi.fn(async (_: ThreadEvent) => {
      if (fail) throw new Error('connection is closed');
      return 1;
    });
    const owed = createOwedPublishes(publish);
    owed.owe(message('t1', 1));
    owed.pay();
    owed.owe(message('t1', 2)); // stored while the retry was in flight
    await new Promise((resolve) => setImmediate(resolve));

    fail = false;
    owed.pay();
    expect(seqsOf(publish)).toEqual(['t1:1', 't1:2']);
  });
});
