import type { ParleyClient } from '@parley/client';
import { describeError } from './describeError.ts';

type PushApi = Pick<ParleyClient['api'], 'push'>;

/**
 * Whether notifications show what a message says, or only who wrote in which thread: a setting of my
 * account (push.settings), so pushes to every browser of mine and this tab's notifications agree.
 */
export class NotificationPrivacy {
  showText = $state(true);
  isLoaded = $state(false);
  isSaving = $state(false);
  error = $state<string | null>(null);
  readonly #api: PushApi;

  constructor(api: PushApi) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.showText = (await this.#api.push.settings.query()).showText;
      this.isLoaded = true;
      this.error = null;
    } catch (error) {
      this.error = `Could not read your notification settings: ${describeError(error)}`;
    }
  }

  /** Shows the choice at once; puts it back if the server refused it. */
  async setShowText(showText: boolean): Promise<void> {
    const before = this.showText;
    this.showText = showText;
    this.isSaving = true;
    this.error = null;
    try {
      this.showText = (await this.#api.push.setShowText.mutate({ showText })).showText;
    } catch (error) {
      this.showText = before;
      this.error = `Not saved: ${describeError(error)}`;
    } finally {
      this.isSaving = false;
    }
  }
}
