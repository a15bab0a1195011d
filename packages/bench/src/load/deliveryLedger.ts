import { build, type Histogram } from 'hdr-histogram-js';
import { parseBenchBody } from './benchBody.ts';

/** What one (thread, receiver) pair has seen: a bitmap of seqs, so duplicates and gaps are exact. */
class ReceiverRecord {
  #seen = new Uint8Array(1024);
  lastSeq = 0;

  has(seq: number): boolean {
    return seq < this.#seen.length && this.#seen[seq] === 1;
  }

  mark(seq: number): void {
    if (seq >= this.#seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.#seen.length * 2));
      grown.set(this.#seen);
      this.#seen = grown;
    }
    this.#seen[seq] = 1;
  }
}

function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** The messages of one traffic step: what was sent and acknowledged, what arrived, and how fast. */
export class StepLedger {
  readonly tag: string;
  /** Delivery latency in microseconds. */
  readonly latencyUs: Histogram = newHistogram();
  /** Send-to-acknowledgement time in microseconds: the send path alone (store, publish, reply). */
  readonly ackUs: Histogram = newHistogram();
  attempted = 0;
  acked = 0;
  sendErrors = 0;
  /** Sends the load generator left out because that sender already had too many unacknowledged. */
  skipped = 0;
  delivered = 0;
  duplicated = 0;
  outOfOrder = 0;
  firstSendAt = Number.POSITIVE_INFINITY;
  lastSendAt = 0;
  lastAckAt = 0;
  lastDeliveryAt = 0;
  /** Acknowledged seqs per thread index. */
  readonly ackedSeqs: number[][];
  firstSendError: string | null = null;

  constructor(tag: string, threads: number) {
    this.tag = tag;
    this.ackedSeqs = Array.from({ length: threads }, () => []);
  }
}

/**
 * Counts, for every (thread, receiver), each message that arrives: first arrivals feed the step's
 * latency histogram, repeats are duplicates, and after a step the acknowledged messages a receiver never
 * saw are the lost ones.
 */
export class DeliveryLedger {
  readonly #receivers: ReceiverRecord[][];
  readonly #steps = new Map<string, StepLedger>();
  /** Arrivals of messages that belong to no step of this ledger (should stay 0). */
  foreign = 0;

  constructor(receiversPerThread: number[]) {
    this.#receivers = receiversPerThread.map((n) => Array.from({ length: n }, () => new ReceiverRecord()));
  }

  beginStep(tag: string): StepLedger {
    if (tag.includes(' ')) throw new Error('step tags have no spaces');
    const step = new StepLedger(tag, this.#receivers.length);
    this.#steps.set(tag, step);
    return step;
  }

  recordDelivery(thread: number, receiver: number, seq: number, body: string): void {
    const now = performance.now();
    const record = this.#receivers[thread]![receiver]!;
    const parsed = parseBenchBody(body);
    const step = parsed ? this.#steps.get(parsed.tag) : undefined;
    if (!step || !parsed) {
      this.foreign++;
      return;
    }
    if (record.has(seq)) {
      step.duplicated++;
      return;
    }
    record.mark(seq);
    if (seq < record.lastSeq) step.outOfOrder++;
    else record.lastSeq = seq;
    step.delivered++;
    step.lastDeliveryAt = now;
    step.latencyUs.recordValue(Math.max(1, Math.round((now - parsed.sendAt) * 1000)));
  }

  /** Deliveries a step still owes: acknowledged messages times their thread's receivers, less first arrivals. */
  outstanding(step: StepLedger): number {
    let expected = 0;
    step.ackedSeqs.forEach((seqs, thread) => (expected += seqs.length * this.#receivers[thread]!.length));
    return expected - step.delivered;
  }

  expectedDeliveries(step: StepLedger): number {
    return step.ackedSeqs.reduce((sum, seqs, thread) => sum + seqs.length * this.#receivers[thread]!.length, 0);
  }

  /** Acknowledged messages of the step that a receiver of their thread has not seen. */
  lost(step: StepLedger): number {
    let lost = 0;
    step.ackedSeqs.forEach((seqs, thread) => {
      for (const record of this.#receivers[thread]!) for (const seq of seqs) if (!record.has(seq)) lost++;
    });
    return lost;
  }
}
