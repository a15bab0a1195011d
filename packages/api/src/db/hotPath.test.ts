import { describe, expect, it } from 'vitest';
import { createBatchedAppender } from './hotPath.ts';

interface Request {
  id: string;
  body: string;
}

function request(n: number): Request {
  return { id: `m${n}`, body: String(n) };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the group-commit appender', () => {
  it('writes appends made in one event-loop turn together, and those made during a write in the next batch', async () => {
    const batches: string[][] = [];
    let seq = 0;
    const append = createBatchedAppender(async (batch: readonly Request[]) => {
      batches.push(batch.map((r) => r.id));
      await new Promise((r) => setTimeout(r, 5));
      return batch.map(() => ++seq);
    });
    const sameTurn = Array.from({ length: 4 }, (_, i) => append(request(i)));
    await nextTurn(); // the first batch is now being written
    const duringWrite = Array.from({ length: 3 }, (_, i) => append(request(4 + i)));
    expect(await Promise.all([...sameTurn, ...duringWrite])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(batches).toEqual([
      ['m0', 'm1', 'm2', 'm3'],
      ['m4', 'm5', 'm6'],
    ]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const append = createBatchedAppender(async (batch: readonly Request[]) => {
      if (batch.some((r) => r.body === 'bad')) throw Object.assign(new Error('duplicate key'), { code: '23505' });
      return batch.map((r) => Number(r.id.slice(1)));
    });
    const first = append(request(0));
    await nextTurn(); // in flight alone, so the next three form one batch
    const results = await Promise.allSettled([append(request(1)), append({ ...request(2), body: 'bad' }), append(request(3))]);
    expect(await first).toBe(0);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails the whole batch when it cannot know whether the commit landed', async () => {
    let writes = 0;
    const append = createBatchedAppender(async (batch: readonly Request[]) => {
      writes++;
      if (batch.length > 1) throw new Error('Connection terminated unexpectedly');
      return [1];
    });
    const first = append(request(0));
    await nextTurn();
    const results = await Promise.allSettled([append(request(1)), append(request(2))]);
    expect(await first).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(writes).toBe(2); // no item-by-item retry that could store a message twice
  });

  it('fails the appends queued behind a batch that met an outage at once, without attempting them', async () => {
    let writes = 0;
    let release!: () => void;
    const append = createBatchedAppender(async () => {
      writes++;
      await new Promise<void>((r) => (release = r));
      throw new Error('Query read timeout');
    });
    const first = append(request(0));
    await nextTurn();
    const queued = [append(request(1)), append(request(2))];
    release();
    const results = await Promise.allSettled([first, ...queued]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(writes).toBe(1);
  });

  it('splits a long queue into batches of at most the given size', async () => {
    const sizes: number[] = [];
    const append = createBatchedAppender(
      async (batch) => {
        sizes.push(batch.length);
        return batch.map(() => 1);
      },
      { maxBatch: 4 },
    );
    await Promise.all(Array.from({ length: 11 }, (_, i) => append(request(i))));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(11);
  });
});
