import type { ParleyClient } from '@parley/client';
import { describeError } from './describeError.ts';
import { applicationServerKey } from './vapidKey.ts';

/**
 * How long the browser may take to register with its push service. Chromium without a reachable push
 * service (no network to Google's) never answers; past this the app says push is unavailable.
 */
const REGISTER_TIMEOUT_MS = 20_000;
/** How long a log out waits for the server to forget this browser's subscription. */
const UNSUBSCRIBE_TIMEOUT_MS = 3000;

type PushApi = Pick<ParleyClient['api'], 'push'>;

export type PushStatus = 'off' | 'subscribing' | 'on' | 'unavailable';

/**
 * This browser's Web Push subscription for me: pushes reach it when no Parley tab is open. Subscribing
 * needs notification permission (asked for by TabNotifications); a browser that cannot (private
 * windows, no push service) keeps the in-tab notifications, and `note` says what is missing.
 */
export class WebPush {
  status = $state<PushStatus>('off');
  /** Why push is unavailable, for the notification settings; null when it works or was not tried. */
  note = $state<string | null>(null);
  readonly #api: PushApi;

  constructor(api: PushApi) {
    this.#api = api;
  }

  /**
   * Subscribes this browser (or re-registers its existing subscription, which another account may have
   * held) and tells the server. Call once notification permission is granted.
   */
  async subscribe(): Promise<void> {
    if (this.status === 'subscribing') return;
    this.status = 'subscribing';
    this.note = null;
    const registration = await this.#registration();
    if (!registration) {
      this.#unavailable('This browser cannot receive push notifications, so you hear of new messages only while Parley is open.');
      return;
    }
    let key: Uint8Array<ArrayBuffer>;
    try {
      key = applicationServerKey((await this.#api.push.vapidPublicKey.query()).publicKey);
    } catch (error) {
      this.#unavailable(`Parley could not turn on push notifications: ${describeError(error)}`);
      return;
    }
    let subscription: PushSubscription;
    try {
      const existing = await registration.pushManager.getSubscription();
      // One made for another server key (the server's keys were replaced) is refused by its push service.
      const isCurrent = existing !== null && isSameKey(existing.options.applicationServerKey, key);
      if (existing && !isCurrent) await existing.unsubscribe();
      subscription =
        existing && isCurrent
          ? existing
          : await withTimeout(registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), REGISTER_TIMEOUT_MS);
    } catch (error) {
      this.#unavailable(
        `This browser would not set up push notifications (${reasonOf(error)}), so you hear of new messages only while Parley is open in a tab. Private windows and browsers without a push service refuse them.`,
      );
      return;
    }
    const { endpoint, keys } = subscription.toJSON();
    if (!endpoint || !keys?.p256dh || !keys.auth) {
      this.#unavailable('This browser gave an incomplete push subscription, so you hear of new messages only while Parley is open.');
      return;
    }
    try {
      await this.#api.push.subscribe.mutate({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
      this.status = 'on';
    } catch (error) {
      this.#unavailable(`Parley could not turn on push notifications: ${describeError(error)}`);
    }
  }

  /** On log out: the server forgets this browser, and the browser drops the subscription (so no one else's pushes arrive here). */
  async unsubscribe(): Promise<void> {
    const registration = await this.#registration(0);
    const subscription = await registration?.pushManager.getSubscription().catch(() => null);
    if (subscription) {
      // Offline, the server keeps it until its first push there is answered "gone" (it then drops it).
      await withTimeout(this.#api.push.unsubscribe.mutate({ endpoint: subscription.endpoint }), UNSUBSCRIBE_TIMEOUT_MS).catch(() => {});
      await subscription.unsubscribe().catch(() => false);
    }
    this.status = 'off';
    this.note = null;
  }

  #unavailable(note: string): void {
    this.status = 'unavailable';
    this.note = note;
  }

  /** The app's service worker registration; it registers after the page's load, so this waits a little for it. */
  async #registration(waitMs = 10_000): Promise<ServiceWorkerRegistration | null> {
    if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined') return null;
    const existing = await navigator.serviceWorker.getRegistration().catch(() => undefined);
    if (existing?.active || waitMs === 0) return existing ?? null;
    // In dev no worker registers, and `ready` never settles.
    return withTimeout(navigator.serviceWorker.ready, waitMs).catch(() => null);
  }
}

function isSameKey(held: ArrayBuffer | null, key: Uint8Array): boolean {
  if (!held || held.byteLength !== key.length) return false;
  const bytes = new Uint8Array(held);
  return bytes.every((byte, i) => byte === key[i]);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer from its push service')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The browser's own words, lower-cased into the sentence: "Registration failed - permission denied". */
function reasonOf(error: unknown): string {
  const message = error instanceof Error && error.message ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1);
}
