import type { AppendRequest, HotPath } from './hotPath.ts';
import { createBatchedAppender } from './hotPath.ts';

/** The hot path's appendMessages behind group commit; one per process, since batching works across callers. */
export function createMessageAppender(hotPath: Pick<HotPath, 'appendMessages'>): (request: AppendRequest) => Promise<number | null> {
  return createBatchedAppender((batch) => hotPath.appendMessages(batch));
}
