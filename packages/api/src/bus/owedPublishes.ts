import type { ThreadEvent } from '../domain/threadEvent.ts';

/**
 * Events to publish again once the publisher is back. One stored while the publisher was down reached
 * no subscriber, and in a quiet thread nothing else would make them look: the newest such event per
 * thread is enough (subscribers see the gap and read the rest from the database).
 */
export interface OwedPublishes {
  /** Records an event whose publish failed, unless a newer one of its thread is already owed. */
  owe(event: ThreadEvent): void;
  /** Publishes every owed event once; one that fails again stays owed. */
  pay(): void;
}

export function createOwedPublishes(publish: (event: ThreadEvent) => Promise<unknown>): OwedPublishes {
  const owed = new Map<string, ThreadEvent>();
  const owe = (event: ThreadEvent): void => {
    const prior = owed.get(event.threadId);
    if (!prior || prior.seq < event.seq) owed.set(event.threadId, event);
  };
  const pay = (): void => {
    for (const [threadId, event] of owed) {
      owed.delete(threadId);
      publish(event).catch(() => owe(event));
    }
  };
  return { owe, pay };
}
