import type { ChangeRequest, ChangeResult } from './changeRequests.ts';
import { createBatchedAppender, type HotPath } from './hotPath.ts';

/** The hot path's appendChanges behind group commit; one per process, since batching works across callers. */
export function createChangeAppender(hotPath: Pick<HotPath, 'appendChanges'>): (request: ChangeRequest) => Promise<ChangeResult> {
  return createBatchedAppender((batch: readonly ChangeRequest[]) => hotPath.appendChanges(batch));
}
