import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from './types.ts';

/** The tRPC error code of a failed call ('NOT_FOUND', 'UNAUTHORIZED', ...), or null for a network failure. */
export function errorCodeOf(error: unknown): string | null {
  if (error instanceof TRPCClientError) return (error as TRPCClientError<AppRouter>).data?.code ?? null;
  return null;
}
