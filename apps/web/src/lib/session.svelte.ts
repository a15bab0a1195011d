import { createParleyHttpClient, errorCodeOf, type User } from '@parley/client';
import { on } from 'svelte/events';
import { describeError } from './describeError.ts';
import { rememberedUser, rememberUser } from './rememberedUser.ts';

/** How often an app opened offline asks again whether its session still holds. */
const CONFIRM_EVERY_MS = 10_000;

type Status = 'loading' | 'signed-out' | 'signed-in';

/**
 * Who is using the page. Auth goes over HTTP: only an HTTP response can set the HttpOnly session cookie,
 * which the WebSocket opened afterwards carries on its upgrade request.
 */
export class Session {
  user = $state<User | null>(null);
  status = $state<Status>('loading');
  /** Shown on the sign-in screen: why the person is there (logged out elsewhere, server unreachable). */
  notice = $state<string | null>(null);
  readonly #http = createParleyHttpClient();
  #stopConfirming: (() => void) | null = null;

  /**
   * Asks the server whether the cookie still holds a session, so a reload keeps the person signed in.
   * Offline (or with the server unreachable) the person last signed in here gets their chat, with what
   * they left unsent; the server is asked again until it answers, and ends it if the session is gone.
   */
  async restore(): Promise<void> {
    try {
      this.#signIn(await this.#http.auth.me.query());
    } catch (error) {
      const remembered = errorCodeOf(error) === null ? rememberedUser() : null;
      if (remembered) {
        this.user = remembered;
        this.status = 'signed-in';
        this.#confirmLater();
        return;
      }
      this.status = 'signed-out';
      this.notice = describeError(error);
    }
  }

  /** Resolves to an error sentence for the form, or null when signed in. */
  async logIn(username: string, password: string): Promise<string | null> {
    return this.#authenticate(() => this.#http.auth.logIn.mutate({ username, password }), {
      UNAUTHORIZED: 'Wrong username or password.',
    });
  }

  async signUp(username: string, password: string): Promise<string | null> {
    return this.#authenticate(() => this.#http.auth.signUp.mutate({ username, password }), {
      CONFLICT: `The username “${username}” is taken. Try another one.`,
    });
  }

  async logOut(): Promise<void> {
    try {
      await this.#http.auth.logOut.mutate();
    } catch (error) {
      // Already signed out on the server is what we wanted anyway.
      if (errorCodeOf(error) !== 'UNAUTHORIZED') throw error;
    }
    this.ended(null);
  }

  /** The server ended the session (logged out in another tab, expired): back to the sign-in screen. */
  ended(notice: string | null = 'You were signed out. Please log in again.'): void {
    this.#stopConfirming?.();
    rememberUser(null);
    this.user = null;
    this.status = 'signed-out';
    this.notice = notice;
  }

  async #authenticate(call: () => Promise<{ user: User }>, wording: Record<string, string>): Promise<string | null> {
    try {
      this.#signIn((await call()).user);
      return null;
    } catch (error) {
      return describeError(error, wording);
    }
  }

  #signIn(user: User | null): void {
    this.#stopConfirming?.();
    rememberUser(user);
    this.user = user;
    this.status = user ? 'signed-in' : 'signed-out';
    this.notice = null;
  }

  /** Asks auth.me again when the browser is back online, and every few seconds, until the server answers. */
  #confirmLater(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const confirm = async () => {
      clearTimeout(timer);
      try {
        const user = await this.#http.auth.me.query();
        if (this.#stopConfirming !== stop) return; // signed in or out meanwhile
        if (user) this.#signIn(user);
        else this.ended();
      } catch (error) {
        if (this.#stopConfirming !== stop) return;
        if (errorCodeOf(error) === null) timer = setTimeout(() => void confirm(), CONFIRM_EVERY_MS);
        else this.ended();
      }
    };
    const stopListening = on(window, 'online', () => void confirm());
    const stop = () => {
      clearTimeout(timer);
      stopListening();
      this.#stopConfirming = null;
    };
    this.#stopConfirming = stop;
    timer = setTimeout(() => void confirm(), CONFIRM_EVERY_MS);
  }
}
