import { TRPCError } from '@trpc/server';

/** The TRPCError code a call fails with; throws if it succeeds or fails some other way. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}
