import type { Metrics } from '@parley/api/metrics/metrics';
import type { Logger } from 'pino';

/** Why the transport turned a caller away; the `reason` label of parley_refusals_total. */
export type RefusalReason =
  'batch_too_large' | 'frame_too_large' | 'http_subscription' | 'sockets_per_address' | 'socket_auth_timeout' | 'metrics_unauthorized';

export type RecordRefusal = (reason: RefusalReason, address: string, details?: Record<string, string | number>) => void;

/**
 * One info line and one count per refusal. Only the address, the reason and small numbers are logged:
 * never a body, a token or a header, because refusals are what an attacker controls.
 */
export function createRefusalRecorder(logger: Logger, metrics: Pick<Metrics, 'refusals'>): RecordRefusal {
  return (reason, address, details) => {
    metrics.refusals.inc({ reason });
    logger.info({ reason, address, ...details }, 'refused');
  };
}
