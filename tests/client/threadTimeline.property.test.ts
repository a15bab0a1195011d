import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testMessage } from '@parley/api/testing/testMessage';
import { ThreadTimeline, type TimelineEntry } from '@parley/client';
import { ThreadLogModel, type Operation } from './threadLogModel.ts';

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
      }),
      { numRuns: 300 },
    );
  });
});

const users = [me, them, { id: 'u-third', username: 'third' }];
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('send' as const), author: fc.nat(2), replyTo: fc.option(fc.nat(30), { nil: null }) }) },
  fc.record({
    op: fc.constant('edit' as const),
    actor: fc.nat(2),
    target: fc.nat(30),
    body: fc.constantFrom('edited', 'changed again', 'said at 1'),
  }),
  fc.record({ op: fc.constant('delete' as const), actor: fc.nat(2), target: fc.nat(30) }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('react' as const),
      actor: fc.nat(2),
      target: fc.nat(30),
      emoji: fc.constantFrom('👍', '🎉', '👀'),
      on: fc.boolean(),
    }),
  },
);

/** What a reader sees of an entry (keys included: a page and a replay must agree on them too). */
const shown = (entries: TimelineEntry[]) => entries.map(({ error: _error, status: _status, ...rest }) => rest);

describe('ThreadTimeline over the thread log', () => {
  it('shows the same thread from message.list at any seq k plus the events after k as from replaying the whole log', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (operations, kPick, limit, redeliveries) => {
          const model = ThreadLogModel.run(users, operations);
          const replayed = new ThreadTimeline(me);
          replayed.addPage(model.pageAt(0, me, limit));
          for (const event of model.events) replayed.apply(event);

          const k = kPick % (model.events.length + 1);
          const resumed = new ThreadTimeline(me);
          const page = model.pageAt(k, me, limit);
          resumed.addPage(page);
          const after = model.events.filter((e) => e.seq > k);
          for (const event of after) {
            resumed.apply(event);
            // Re-deliveries of anything already applied (a reconnect's overlap) change nothing.
            for (const pick of redeliveries) resumed.apply(model.events[pick % event.seq]!);
          }

          expect(resumed.lastEventSeq).toBe(model.events.length);
          // The page holds only the newest `limit` messages at k: compare from its oldest one on.
          const from = page.messages[0]?.seq ?? k + 1;
          expect(shown(resumed.entries)).toEqual(shown(replayed.entries.filter((e) => (e.seq ?? 0) >= from)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
