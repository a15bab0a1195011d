import { TRPCError } from '@trpc/server';
import type { Deps } from '../deps.ts';

/** Ends one of my sessions and closes its sockets; someone else's session id is NOT_FOUND, as an unknown one. */
export async function revokeSession(deps: Pick<Deps, 'db' | 'sessionSockets'>, userId: string, sessionId: string): Promise<void> {
  // The owner is part of the delete itself, so no read can tell another user's id from a made-up one.
  const { count } = await deps.db.session.deleteMany({ where: { id: sessionId, userId } });
  if (count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session' });
  await deps.sessionSockets.revoke([sessionId], 'session revoked');
}
