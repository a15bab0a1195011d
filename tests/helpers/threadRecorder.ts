import type { ApiClient } from './trpcClients.ts';

export interface Delivery {
  seq: number;
  kind: string;
  /** The message the event is about. */
  id: string;
  /** The tracked event id the server sent (the seq, as a string). */
  eventId: string;
  receivedAt: number;
  /** When the server stored it (the same host's clock), for delivery latency. */
  createdAt: number;
}

export interface ThreadRecorder {
  label: string;
  deliveries: Delivery[];
  /** Errors the subscription ended with; a healthy one ends with none. */
  errors: unknown[];
  lastSeq(): number;
  /** The first delivery received at or after `since` (a timestamp). */
  firstDeliveryAfter(since: number): Delivery | undefined;
  unsubscribe(): void;
}

/**
 * Subscribes to a thread from `fromSeq` (0: its first message) and records every delivery; resolves once
 * the server confirmed the subscription. Starting from an explicit event id, not "from now", leaves no
 * window between the subscription starting and the test's first send in which a message could fall.
 */
export async function recordThread(client: ApiClient, threadId: string, label: string, fromSeq = 0): Promise<ThreadRecorder> {
  const deliveries: Delivery[] = [];
  const errors: unknown[] = [];
  let onStarted!: () => void;
  let onFailed!: (error: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });
  const subscription = client.thread.onMessage.subscribe(
    { threadId, lastEventId: String(fromSeq) },
    {
      onStarted: () => onStarted(),
      onData: ({ id, data }) =>
        deliveries.push({ seq: data.seq, kind: data.kind, id: data.messageId, eventId: id, receivedAt: Date.now(), createdAt: Date.parse(data.at) }),
      onError: (error) => {
        errors.push(error);
        onFailed(error);
      },
    },
  );
  await started;
  return {
    label,
    deliveries,
    errors,
    lastSeq: () => deliveries.at(-1)?.seq ?? fromSeq,
    firstDeliveryAfter: (since) => deliveries.find((d) => d.receivedAt >= since),
    unsubscribe: () => subscription.unsubscribe(),
  };
}
