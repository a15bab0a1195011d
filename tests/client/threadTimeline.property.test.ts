import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testMessage } from '@parley/api/testing/testMessage';
import { ThreadTimeline } from '@parley/client';

const me = { id: 'u-me', username: 'me' };
const them = { id: 'u-them', username: 'them' };

const threadArbitrary = fc
  .array(
    fc.record({
      isMine: fc.boolean(),
      // When each copy arrives (mutation result, subscription, history page): 1 to 3 copies per message.
      arrivals: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
      failsFirst: fc.boolean(),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((specs) => specs.map((spec, index) => ({ ...spec, seq: index + 1 })));

describe('ThreadTimeline, whatever order and however often messages arrive', () => {
  it('ends with every message once, in seq order, confirmed, and my sends under their pending keys', () => {
    fc.assert(
      fc.property(threadArbitrary, (specs) => {
        const timeline = new ThreadTimeline(me);
        const events: { at: number; run: () => void }[] = [];
        for (const spec of specs) {
          const clientId = spec.isMine ? `c${spec.seq}` : null;
          const message = testMessage({ id: `m${spec.seq}`, threadId: 't', seq: spec.seq, author: spec.isMine ? me : them, clientId });
          const first = Math.min(...spec.arrivals);
          if (clientId) {
            // A send is shown before it can come back; a failure (then retry) may come before the copy too.
            events.push({ at: first - 2, run: () => timeline.addPending(clientId, message.body, new Date()) });
            if (spec.failsFirst) {
              events.push({ at: first - 1.5, run: () => timeline.markFailed(clientId, 'network') });
              events.push({ at: first - 1, run: () => void timeline.retry(clientId) });
            }
          }
          for (const at of spec.arrivals) events.push({ at, run: () => timeline.receive({ ...message }) });
        }
        for (const event of events.sort((a, b) => a.at - b.at)) event.run();

        const entries = timeline.entries;
        expect(entries.map((e) => e.seq)).toEqual(specs.map((s) => s.seq));
        expect(entries.every((e) => e.status === 'confirmed')).toBe(true);
        for (const entry of entries) {
          expect(entry.key).toBe(entry.author.id === me.id ? `local:c${entry.seq}` : `message:m${entry.seq}`);
        }
        expect(new Set(entries.map((e) => e.key)).size).toBe(entries.length);
        expect(timeline.lastSeq).toBe(specs.length);
      }),
      { numRuns: 300 },
    );
  });
});
