import type { DeliveryLedger, StepLedger } from './deliveryLedger.ts';
import { round, startMachineWindow, startUsageWindow } from './processUsage.ts';
import { sendAtRate } from './sendAtRate.ts';
import type { TrafficThread } from './trafficThread.ts';

export interface TrafficOptions {
  tag: string;
  ratePerSender: number;
  durationMs: number;
  bodyLength?: number;
  /** The step ends once every owed delivery arrived, or once none arrived for this long. */
  idleGraceMs: number;
  /** A hard bound on the wait for deliveries after sending ended. */
  maxDrainMs: number;
  /** Runs after sending ended and before the final wait for deliveries (e.g. wait for reconnects). */
  beforeDrain?: () => Promise<void>;
}

interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface StepResult {
  tag: string;
  ratePerSender: number;
  senders: number;
  receivers: number;
  offeredMessagesPerSec: number;
  offeredDeliveriesPerSec: number;
  attempted: number;
  acknowledged: number;
  sendErrors: number;
  firstSendError: string | null;
  skippedByLoadGenerator: number;
  expectedDeliveries: number;
  delivered: number;
  /** First arrivals divided by the time from the first send to the last arrival. */
  deliveredPerSec: number;
  /** Acknowledged, yet never delivered to a member by the end of the grace period. */
  lost: number;
  duplicated: number;
  outOfOrder: number;
  latencyMs: LatencyMs;
  /** Send to acknowledgement: how long the send path alone took. */
  ackLatencyMs: LatencyMs;
  serverCpuPercent: number;
  /**
   * Server CPU time per 1,000 first deliveries: the cost of the work itself, which other load on the
   * machine hardly changes (unlike latency and throughput).
   */
  serverCpuMsPer1000Deliveries: number;
  serverRssMb: number;
  /** Write system calls (sockets and database files) and bytes written by the server per first delivery. */
  serverWriteCallsPerDelivery: number;
  serverBytesWrittenPerDelivery: number;
  loadGeneratorCpuPercent: number;
  /** Everything else busy on the machine meanwhile (other work, helper processes), in % of one core. */
  otherCpuPercent: number;
  drainMs: number;
  /** CLOCK_MONOTONIC microseconds (process.hrtime), the clock of V8 CPU profiles: to cut a step out of one. */
  monotonicWindowUs: [number, number];
}

/** Sends at a fixed rate for a fixed time, waits for the deliveries, and summarises the step. */
export async function runTrafficStep(
  context: { threads: TrafficThread[]; ledger: DeliveryLedger; serverPids: number[] },
  options: TrafficOptions,
): Promise<StepResult> {
  const { threads, ledger } = context;
  const step = ledger.beginStep(options.tag);
  const windowStartUs = monotonicUs();
  const endServerUsage = startUsageWindow(context.serverPids);
  const endLoadGeneratorUsage = startUsageWindow([process.pid]);
  const endMachineUsage = startMachineWindow();

  await sendAtRate({
    threads,
    ledger,
    step,
    ratePerSender: options.ratePerSender,
    durationMs: options.durationMs,
    bodyLength: options.bodyLength ?? 120,
    // Two seconds' worth: a server that far behind is saturated, and more backlog only lengthens the run.
    maxInFlightPerSender: Math.max(20, options.ratePerSender * 2),
    ackTimeoutMs: options.maxDrainMs,
  });
  await options.beforeDrain?.();
  const drainStarted = performance.now();
  await waitForDeliveries(ledger, step, options.idleGraceMs, options.maxDrainMs);
  const drainMs = performance.now() - drainStarted;
  const server = endServerUsage();
  const loadGenerator = endLoadGeneratorUsage();
  const machineCpuPercent = endMachineUsage();

  const receivers = threads.reduce((sum, t) => sum + t.receivers.length, 0);
  const elapsedSec = (Math.max(step.lastDeliveryAt, step.lastSendAt) - step.firstSendAt) / 1000;
  return {
    tag: step.tag,
    ratePerSender: options.ratePerSender,
    senders: threads.length,
    receivers,
    offeredMessagesPerSec: options.ratePerSender * threads.length,
    offeredDeliveriesPerSec: options.ratePerSender * receivers,
    attempted: step.attempted,
    acknowledged: step.acked,
    sendErrors: step.sendErrors,
    firstSendError: step.firstSendError,
    skippedByLoadGenerator: step.skipped,
    expectedDeliveries: ledger.expectedDeliveries(step),
    delivered: step.delivered,
    deliveredPerSec: elapsedSec > 0 ? Math.round(step.delivered / elapsedSec) : 0,
    lost: ledger.lost(step),
    duplicated: step.duplicated,
    outOfOrder: step.outOfOrder,
    latencyMs: summarize(step.latencyUs),
    ackLatencyMs: summarize(step.ackUs),
    serverCpuPercent: server.cpuPercent,
    serverCpuMsPer1000Deliveries: step.delivered ? round((server.cpuSeconds * 1e6) / step.delivered, 1) : 0,
    serverRssMb: server.rssMb,
    serverWriteCallsPerDelivery: step.delivered ? round(server.writeCalls / step.delivered, 2) : 0,
    serverBytesWrittenPerDelivery: step.delivered ? Math.round(server.bytesWritten / step.delivered) : 0,
    loadGeneratorCpuPercent: loadGenerator.cpuPercent,
    otherCpuPercent: round(Math.max(0, machineCpuPercent - server.cpuPercent - loadGenerator.cpuPercent), 1),
    drainMs: Math.round(drainMs),
    monotonicWindowUs: [windowStartUs, monotonicUs()],
  };
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function summarize(histogram: StepLedger['latencyUs']): LatencyMs {
  if (!histogram.totalCount) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const ms = (us: number) => round(us / 1000, 2);
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
}

async function waitForDeliveries(ledger: DeliveryLedger, step: StepLedger, idleGraceMs: number, maxDrainMs: number): Promise<void> {
  const deadline = performance.now() + maxDrainMs;
  let lastProgressAt = performance.now();
  let lastDelivered = step.delivered;
  while (ledger.outstanding(step) > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (step.delivered !== lastDelivered) {
      lastDelivered = step.delivered;
      lastProgressAt = performance.now();
    } else if (performance.now() - lastProgressAt > idleGraceMs) {
      return;
    }
  }
}
