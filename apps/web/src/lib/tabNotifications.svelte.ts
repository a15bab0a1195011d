import { openAppPath } from './appNavigation.ts';

const DISMISSED_KEY = 'parley:notifications-prompt';

type Permission = NotificationPermission | 'unsupported';

/**
 * Browser notifications from the open tab, for messages that arrive while it is hidden. Permission is
 * asked for only when the person says so, from a prompt offered after their first message: a request
 * at page load is refused by most people (and by browsers that block unprompted requests).
 */
export class TabNotifications {
  permission = $state<Permission>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  #hasSent = $state(false);
  #isDismissed = $state(readDismissed());
  readonly #onGranted: () => void;

  /** `onGranted` runs when the person has just allowed notifications (Web Push subscribes then). */
  constructor(onGranted: () => void = () => {}) {
    this.#onGranted = onGranted;
  }

  /** Whether to offer "Turn on notifications": the browser can, has not been answered, and I have taken part. */
  get isPromptShown(): boolean {
    return this.permission === 'default' && this.#hasSent && !this.#isDismissed;
  }

  /** Called when one of my messages went through: from then on the prompt makes sense. */
  noteSent(): void {
    this.#hasSent = true;
  }

  /** Asks the browser; call from a click (browsers refuse a request without one). */
  async enable(): Promise<void> {
    if (this.permission === 'unsupported') return;
    this.permission = await Notification.requestPermission();
    if (this.permission === 'granted') this.#onGranted();
  }

  /** "Not now": the prompt stays away on this browser. */
  dismiss(): void {
    this.#isDismissed = true;
    try {
      localStorage.setItem(DISMISSED_KEY, 'dismissed');
    } catch {
      // Not kept: the prompt comes back next time, which is harmless.
    }
  }

  /** Shows a notification while the tab is hidden; a click brings the tab forward on `url`. */
  show(content: { title: string; body: string; tag: string; url: string }): void {
    if (document.visibilityState === 'visible') return;
    // The browser's settings may have changed since the page loaded.
    if (typeof Notification !== 'undefined') this.permission = Notification.permission;
    if (this.permission !== 'granted') return;
    const options = { body: content.body, tag: content.tag, icon: '/icons/icon-192.png', data: { url: content.url } };
    try {
      const notification = new Notification(content.title, options);
      notification.onclick = () => {
        window.focus();
        openAppPath(content.url);
        notification.close();
      };
    } catch {
      // Android's Chrome only shows notifications through the service worker (its click handler opens the thread).
      void navigator.serviceWorker?.ready.then((registration) => registration.showNotification(content.title, options)).catch(() => {});
    }
  }
}

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === 'dismissed';
  } catch {
    return false;
  }
}
