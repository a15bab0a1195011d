import { describe, expect, it } from 'vitest';
import type { StepResult } from '../load/runTrafficStep.ts';
import { mostDelivered, withinLatencyBound } from './markdownReport.ts';

const step = (ratePerSender: number, deliveredPerSec: number, p99: number, extra: Partial<StepResult> = {}) =>
  ({
    ratePerSender,
    deliveredPerSec,
    latencyMs: { p50: 1, p95: p99, p99, max: p99, mean: 1 },
    lost: 0,
    duplicated: 0,
    attempted: 10,
    acknowledged: 10,
    ...extra,
  }) as StepResult;

describe('the (a) capacity within the latency bound', () => {
  it('is the busiest step whose p99 stayed under 50 ms', () => {
    const steps = [step(5, 4500, 10), step(10, 9000, 40), step(15, 13_000, 55), step(20, 12_000, 30)];
    expect(withinLatencyBound(steps)?.ratePerSender).toBe(20);
  });

  it('does not count a step that lost a message or left sends unanswered, however fast', () => {
    const steps = [step(5, 4500, 10), step(10, 9000, 20, { lost: 1 }), step(15, 13_000, 20, { acknowledged: 9 })];
    expect(withinLatencyBound(steps)?.ratePerSender).toBe(5);
  });

  it('is undefined when no step met the bound', () => {
    expect(withinLatencyBound([step(5, 4500, 80)])).toBeUndefined();
  });
});

describe('the (b) capacity', () => {
  it('is the step that delivered the most per second, whatever its latency', () => {
    const steps = [step(10, 9000, 30), step(20, 17_000, 900), step(50, 21_000, 4800)];
    expect(mostDelivered(steps)?.ratePerSender).toBe(50);
  });

  it('does not count a step that lost or duplicated a message or left sends unanswered', () => {
    const steps = [step(10, 9000, 30), step(20, 17_000, 900, { duplicated: 1 }), step(50, 21_000, 4800, { acknowledged: 9 })];
    expect(mostDelivered(steps)?.ratePerSender).toBe(10);
  });
});
