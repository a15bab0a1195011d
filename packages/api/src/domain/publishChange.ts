import type { Deps } from '../deps.ts';
import type { ThreadEvent } from './threadEvent.ts';

/** Publishes a stored change; a failure is logged, not returned, since the change is stored. */
export async function publishChange<E extends ThreadEvent>(deps: Pick<Deps, 'bus' | 'logger'>, event: E): Promise<E> {
  try {
    await deps.bus.publish(event);
  } catch (error) {
    // The bus publishes it again when Redis is back; subscribers fill any gap from the database.
    deps.logger.warn({ err: error, threadId: event.threadId, seq: event.seq }, 'bus publish failed');
  }
  return event;
}
