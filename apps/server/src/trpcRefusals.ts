import type { TRPCError } from '@trpc/server';
import type { RefusalReason } from './refusals.ts';

/**
 * The refusals tRPC's adapters make on their own, told apart from real failures so that they are logged
 * as refusals (info, once) and not as internal errors (a stack per hostile frame):
 * - a batch over `maxBatchSize`: tRPC gives it no code of its own (a BAD_REQUEST), so it is recognised
 *   by the message tRPC 11 writes for it;
 * - a frame over the WebSocket's maxPayload: `ws` closes the socket with 1009 and reports the RangeError,
 *   which tRPC passes on as an INTERNAL_SERVER_ERROR.
 */
export function refusalReasonOf(error: TRPCError): RefusalReason | null {
  if (error.code === 'BAD_REQUEST' && error.message === 'Batch call exceeds maximum size') return 'batch_too_large';
  const cause = error.cause as { code?: unknown } | undefined;
  if (cause?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'frame_too_large';
  return null;
}
