import type { MessageView } from '../domain/messageView.ts';

/**
 * Messages to publish again once the publisher is back. One stored while the publisher was down reached
 * no subscriber, and in a quiet thread nothing else would make them look: the newest such message per
 * thread is enough (subscribers see the gap and read the rest from the database).
 */
export interface OwedPublishes {
  /** Records a message whose publish failed, unless a newer one of its thread is already owed. */
  owe(message: MessageView): void;
  /** Publishes every owed message once; one that fails again stays owed. */
  pay(): void;
}

export function createOwedPublishes(publish: (message: MessageView) => Promise<unknown>): OwedPublishes {
  const owed = new Map<string, MessageView>();
  const owe = (message: MessageView): void => {
    const prior = owed.get(message.threadId);
    if (!prior || prior.seq < message.seq) owed.set(message.threadId, message);
  };
  const pay = (): void => {
    for (const [threadId, message] of owed) {
      owed.delete(threadId);
      publish(message).catch(() => owe(message));
    }
  };
  return { owe, pay };
}
