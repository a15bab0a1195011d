import { TRPCError } from '@trpc/server';

/**
 * The tRPC error code a call fails with, whether it ran in process (TRPCError) or over the wire
 * (TRPCClientError's `data.code`); throws if it succeeds or fails some other way.
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    const code = (error as { data?: { code?: unknown } } | null)?.data?.code;
    if (typeof code === 'string') return code;
    throw error;
  }
  throw new Error('expected the call to fail');
}
