import { benchBody } from './benchBody.ts';
import type { DeliveryLedger, StepLedger } from './deliveryLedger.ts';
import type { TrafficThread } from './trafficThread.ts';

export interface SendPlan {
  threads: TrafficThread[];
  ledger: DeliveryLedger;
  step: StepLedger;
  ratePerSender: number;
  durationMs: number;
  bodyLength: number;
  /** A sender with this many unacknowledged messages skips its next sends (counted) instead of queueing more. */
  maxInFlightPerSender: number;
  /** How long to wait for the last acknowledgements after the last send. */
  ackTimeoutMs: number;
}

const TICK_MS = 2;

/**
 * Open-loop sending: every sender sends on its own fixed schedule (phases spread evenly), whether or not
 * earlier sends were acknowledged, so a slow server shows up as latency rather than as a slower offered
 * load. Resolves once every send settled or `ackTimeoutMs` passed after the last one.
 */
export async function sendAtRate(plan: SendPlan): Promise<void> {
  const { threads, step, ratePerSender } = plan;
  const intervalMs = 1000 / ratePerSender;
  const perSender = Math.max(1, Math.round((ratePerSender * plan.durationMs) / 1000));
  const sent = new Array<number>(threads.length).fill(0);
  const inFlight = new Array<number>(threads.length).fill(0);
  const pending = new Set<Promise<void>>();
  const start = performance.now();

  const sendOne = (thread: TrafficThread, n: number) => {
    const sendAt = performance.now();
    step.attempted++;
    if (sendAt < step.firstSendAt) step.firstSendAt = sendAt;
    step.lastSendAt = sendAt;
    inFlight[thread.index]!++;
    const body = benchBody(step.tag, sendAt, plan.bodyLength);
    const done = thread.sender.send(thread.id, body, `${step.tag}-${thread.index}-${n}`).then(
      (seq) => {
        step.acked++;
        step.lastAckAt = performance.now();
        step.ackUs.recordValue(Math.max(1, Math.round((step.lastAckAt - sendAt) * 1000)));
        step.ackedSeqs[thread.index]!.push(seq);
      },
      (error: unknown) => {
        step.sendErrors++;
        step.firstSendError ??= error instanceof Error ? error.message : String(error);
      },
    );
    const tracked = done.finally(() => {
      inFlight[thread.index]!--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };

  while (sent.some((n) => n < perSender)) {
    const elapsed = performance.now() - start;
    for (const thread of threads) {
      const offset = (thread.index / threads.length) * intervalMs;
      const due = Math.min(perSender, Math.floor((elapsed - offset) / intervalMs) + 1);
      while (sent[thread.index]! < due) {
        const n = sent[thread.index]!++;
        if (inFlight[thread.index]! >= plan.maxInFlightPerSender) step.skipped++;
        else sendOne(thread, n);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }

  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => (timer = setTimeout(resolve, plan.ackTimeoutMs)))]);
  clearTimeout(timer);
}
