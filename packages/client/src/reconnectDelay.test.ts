import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './reconnectDelay.ts';

describe('reconnectDelayMs', () => {
  it('doubles from half a second and caps at 15 s, jittered down to half the step', () => {
    const steps = [0, 1, 2, 3, 4, 5, 10].map((attempt) => reconnectDelayMs(attempt, () => 1));
    expect(steps).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
    expect(reconnectDelayMs(3, () => 0)).toBe(2000);
  });
});
