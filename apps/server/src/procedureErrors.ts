import type { TRPCError } from '@trpc/server';
import type { Metrics } from '@parley/api/metrics/metrics';
import type { Logger } from 'pino';

export type ProcedureErrorHandler = (opts: { error: TRPCError; path?: string | undefined; type: string }) => void;

/** Logs each failed procedure once (HTTP and WebSocket alike): internal errors in full, refusals briefly. */
export function createProcedureErrorLogger(logger: Logger, metrics: Pick<Metrics, 'rateLimited'>): ProcedureErrorHandler {
  return ({ error, path, type }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else logger.info({ code: error.code, path, type, reason: error.message.slice(0, 200) }, 'procedure refused');
    if (error.code === 'TOO_MANY_REQUESTS') metrics.rateLimited.inc({ limit: path ?? 'connection' });
  };
}
