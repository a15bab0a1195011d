import type { Deps } from '../deps.ts';

/**
 * Keeps a user to `config.maxSessionsPerUser` sessions after a log-in: the oldest end first and their
 * sockets close everywhere, so scripted log-ins cannot grow the session table without bound.
 */
export async function endSessionsOverCap(deps: Pick<Deps, 'db' | 'config' | 'sessionSockets'>, userId: string): Promise<void> {
  const over = await deps.db.session.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: deps.config.maxSessionsPerUser,
    select: { id: true },
  });
  if (over.length === 0) return;
  const ids = over.map((s) => s.id);
  await deps.db.session.deleteMany({ where: { id: { in: ids } } });
  await deps.sessionSockets.revoke(ids, 'too many sessions: the oldest was ended');
}
