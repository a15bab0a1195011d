import type { Logger } from 'pino';
import { SessionsEndedListeners } from './eventBus.ts';
import { decodeSessionIds, encodeSessionIds } from './payloadCodec.ts';

export interface SessionNoticesOptions {
  channel: string;
  /** The bus's connections (ioredis), narrowed to the one command each is used for here. */
  publisher: { publish(channel: string, payload: string): Promise<unknown> };
  subscriber: { subscribe(channel: string): Promise<unknown> };
  logger: Logger;
  onMalformed: () => void;
}

/**
 * Session-ended notices (a log-out, a revoked session) between processes, on their own channel that is
 * subscribed for the bus's whole life. One missed while Redis is away is caught by the server's periodic
 * session sweep, so none is owed later.
 */
export class SessionNotices {
  readonly channel: string;
  readonly #publisher: SessionNoticesOptions['publisher'];
  readonly #subscriber: SessionNoticesOptions['subscriber'];
  readonly #logger: Logger;
  readonly #onMalformed: () => void;
  readonly #listeners = new SessionsEndedListeners();
  #needsResubscribe = false;

  constructor(options: SessionNoticesOptions) {
    this.channel = options.channel;
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#logger = options.logger;
    this.#onMalformed = options.onMalformed;
    this.#listen();
  }

  /** Tells every process, this one included, that these sessions ended. */
  async publish(sessionIds: string[]): Promise<void> {
    await this.#publisher.publish(this.channel, encodeSessionIds(sessionIds));
  }

  /** Calls `listener` with the ids of every notice received; returns a function that stops it. */
  add(listener: (sessionIds: string[]) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Hands a payload received on the channel to the listeners; drops (and counts) a malformed one. */
  receive(payload: string): void {
    const ids = decodeSessionIds(payload);
    if (!ids) {
      this.#onMalformed();
      this.#logger.warn({ bytes: payload.length }, 'dropped a malformed session notice');
      return;
    }
    this.#listeners.emit(ids, (err) => this.#logger.warn({ err }, 'session-ended listener threw'));
  }

  /** The subscriber connection dropped: Redis forgot the channel. */
  onConnectionLost(): void {
    this.#needsResubscribe = true;
  }

  /** The subscriber connection is ready: subscribes again if it was lost or the SUBSCRIBE failed. */
  onConnectionReady(): void {
    if (!this.#needsResubscribe) return;
    this.#needsResubscribe = false;
    this.#listen();
  }

  #listen(): void {
    this.#subscriber.subscribe(this.channel).catch((err: unknown) => {
      this.#needsResubscribe = true;
      this.#logger.warn({ err }, 'redis SUBSCRIBE to session notices failed; retried when the connection is ready again');
    });
  }
}
