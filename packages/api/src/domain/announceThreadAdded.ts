import type { Deps } from '../deps.ts';

/** Tells members' open thread lists about a new thread; a lost notice only delays it to their next list read. */
export async function announceThreadAdded(deps: Pick<Deps, 'bus' | 'logger'>, userIds: string[], threadId: string): Promise<void> {
  try {
    await deps.bus.publishThreadAdded(userIds, threadId);
  } catch (error) {
    deps.logger.warn({ err: error, threadId }, 'could not announce a new thread');
  }
}
