import type { Deps } from '../deps.ts';

export interface SessionView {
  id: string;
  /** ISO-8601 */
  createdAt: string;
  /** ISO-8601; refreshed at most hourly while in use. */
  lastUsedAt: string;
  address: string | null;
  userAgent: string | null;
  /** The session this call was made with. */
  isCurrent: boolean;
}

/** My sessions ("devices"), most recently used first. */
export async function listSessions(deps: Pick<Deps, 'db'>, userId: string, currentSessionId: string): Promise<SessionView[]> {
  const rows = await deps.db.session.findMany({
    where: { userId },
    orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }],
    select: { id: true, createdAt: true, lastUsedAt: true, address: true, userAgent: true },
  });
  return rows.map((row) => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    isCurrent: row.id === currentSessionId,
  }));
}
