import type { Deps } from '../deps.ts';
import { blobKeys } from '../files/fileServices.ts';

/** How long an upload may wait to be sent before it is removed. */
export const UNATTACHED_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** Rows handled per sweep round, so one sweep never holds a large result or a long delete. */
const SWEEP_BATCH = 500;

type RemovalDeps = Pick<Deps, 'db' | 'files' | 'clock' | 'logger'>;

/** Removes the bytes and rows of a deleted message's files (right after the delete; the sweep catches what this misses). */
export async function removeFilesOfDeletedMessage(deps: RemovalDeps, messageId: string): Promise<number> {
  const rows = await deps.db.attachment.findMany({ where: { messageId, deletedAt: { not: null } }, select: { id: true } });
  return removeAttachments(
    deps,
    rows.map((row) => row.id),
  );
}

/**
 * Removes what no message shows any more: files of deleted messages, and uploads never sent within a day.
 * Safe to run in several processes at once (removing a removed blob or row is a no-op).
 */
export async function sweepUploads(deps: RemovalDeps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - UNATTACHED_UPLOAD_TTL_MS);
  let removed = 0;
  for (;;) {
    const rows = await deps.db.attachment.findMany({
      where: { OR: [{ deletedAt: { not: null } }, { messageId: null, createdAt: { lt: cutoff } }] },
      select: { id: true },
      take: SWEEP_BATCH,
    });
    removed += await removeAttachments(
      deps,
      rows.map((row) => row.id),
    );
    if (rows.length < SWEEP_BATCH) return removed;
  }
}

async function removeAttachments(deps: RemovalDeps, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  // Bytes first: a row left behind is found again by the next sweep, a blob without a row would not be.
  await deps.files.store.delete(ids.flatMap((id) => Object.values(blobKeys(id))));
  // Only rows nobody attached meanwhile (an upload sent just as the sweep read it keeps its row).
  const { count } = await deps.db.attachment.deleteMany({ where: { id: { in: ids }, OR: [{ deletedAt: { not: null } }, { messageId: null }] } });
  return count;
}
