import type { TRPCError } from '@trpc/server';
import type { Metrics } from '@parley/api/metrics/metrics';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { RecordRefusal } from './refusals.ts';
import { refusalReasonOf } from './trpcRefusals.ts';

export type ProcedureErrorHandler = (opts: { error: TRPCError; path?: string | undefined; type: string; req?: IncomingMessage }) => void;

/** Logs each failed procedure once (HTTP and WebSocket alike): internal errors in full, refusals briefly. */
export function createProcedureErrorLogger(
  logger: Logger,
  metrics: Pick<Metrics, 'rateLimited'>,
  recordRefusal: RecordRefusal,
  addressOf: (req: IncomingMessage) => string,
): ProcedureErrorHandler {
  return ({ error, path, type, req }) => {
    // Refusals of a whole request (an oversized batch or frame) are logged and counted as refusals.
    const refusal = refusalReasonOf(error);
    if (refusal) return recordRefusal(refusal, req ? addressOf(req) : 'unknown');
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else logger.info({ code: error.code, path, type, reason: error.message.slice(0, 200) }, 'procedure refused');
    if (error.code === 'TOO_MANY_REQUESTS') metrics.rateLimited.inc({ limit: path ?? 'connection' });
  };
}
