const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/**
 * Exponential backoff with jitter for reconnect attempt `attempt` (0 = the first retry after a drop).
 * The jitter (50–100% of the step) spreads a crowd of clients out after a server restart.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return Math.round(step * (0.5 + random() / 2));
}
