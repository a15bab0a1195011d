import { describe, expect, it } from 'vitest';
import { findDeliveryProblems, type StoredMessage } from '../helpers/deliveryCheck.ts';
import type { Delivery, ThreadRecorder } from '../helpers/threadRecorder.ts';
import type { AcceptedMessage } from '../helpers/threadSender.ts';

const stored: StoredMessage[] = [1, 2, 3, 4].map((seq) => ({ id: `m${seq}`, seq, clientId: `c${seq}` }));
const accepted: AcceptedMessage[] = [1, 2, 4].map((seq) => ({
  kind: 'message',
  clientId: `c${seq}`,
  id: `m${seq}`,
  seq,
  sender: 's',
  attempts: 1,
  firstSentAt: 0,
  acceptedAt: 0,
  answeredAfterMs: 0,
}));

function recorder(label: string, seqs: number[], ids: (seq: number) => string = (seq) => `m${seq}`): ThreadRecorder {
  const deliveries: Delivery[] = seqs.map((seq) => ({ seq, kind: 'message', id: ids(seq), eventId: String(seq), receivedAt: 0, createdAt: 0 }));
  return { label, deliveries, errors: [], lastSeq: () => seqs.at(-1) ?? 0, firstDeliveryAfter: () => undefined, unsubscribe: () => {} };
}

// The fault tests pass only if this checker can fail: each way of breaking the promise is caught.
describe('the delivery check', () => {
  it('passes when every subscriber got every stored message once, in order (a stored, unaccepted one included)', () => {
    expect(findDeliveryProblems({ stored, accepted, recorders: [recorder('a', [1, 2, 3, 4])] })).toEqual([]);
  });

  it('names a missing, a repeated, an out-of-order and a foreign delivery', () => {
    expect(findDeliveryProblems({ stored, accepted, recorders: [recorder('gap', [1, 2, 3])] })).toEqual([
      'subscriber gap misses 1 seqs (1 of them accepted): 4',
    ]);
    expect(findDeliveryProblems({ stored, accepted, recorders: [recorder('twice', [1, 2, 2, 3, 4])] })).toEqual([
      'subscriber twice got 1 seqs more than once: 2',
      'subscriber twice got 1 deliveries out of order, at seqs 2',
    ]);
    expect(findDeliveryProblems({ stored, accepted, recorders: [recorder('swapped', [1, 3, 2, 4])] })).toEqual([
      'subscriber swapped got 1 deliveries out of order, at seqs 2',
    ]);
    expect(findDeliveryProblems({ stored, accepted, recorders: [recorder('other', [1, 2, 3, 4], (seq) => (seq === 3 ? 'x' : `m${seq}`))] })).toEqual([
      'subscriber other got other messages than the stored ones at seqs 3',
    ]);
  });

  it('names an accepted message that was not stored as returned', () => {
    const phantom = { ...accepted[0]!, clientId: 'c9', id: 'm9', seq: 9 };
    expect(findDeliveryProblems({ stored, accepted: [...accepted, phantom], recorders: [] })).toEqual([
      '1 accepted changes are not stored as returned: c9@9',
    ]);
  });
});
