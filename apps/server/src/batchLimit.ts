import type { TRPCError } from '@trpc/server';

/**
 * Whether tRPC refused a batch for its size (`maxBatchSize` on both adapters). tRPC gives that error no
 * code of its own (it is a BAD_REQUEST), so it is recognised by the message tRPC 11 writes for it.
 */
export function isBatchTooLarge(error: TRPCError): boolean {
  return error.code === 'BAD_REQUEST' && error.message === 'Batch call exceeds maximum size';
}
