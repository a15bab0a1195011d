import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { defaultServerUrl, toHttpUrl } from './serverUrl.ts';
import type { AppRouter, Session } from './types.ts';

export interface ParleyHttpClientOptions {
  /** http(s):// base; in a browser, defaults to the page's origin. */
  url?: string;
  /** Sent as a bearer token; browsers leave it out and the session cookie is used. */
  token?: string;
}

/**
 * A typed client over plain HTTP. Browsers use it for auth, because only an HTTP response can set the
 * session cookie; programs use it for one-off calls without opening a socket.
 */
export function createParleyHttpClient(options: ParleyHttpClientOptions = {}): TRPCClient<AppRouter> {
  const { token } = options;
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: toHttpUrl(options.url ?? defaultServerUrl()),
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      }),
    ],
  });
}

/** Logs in and returns the user and a session token to pass to `createParleyClient({ token })`. */
export function logIn(url: string, username: string, password: string): Promise<Session> {
  return createParleyHttpClient({ url }).auth.logIn.mutate({ username, password });
}

/** Creates an account and returns the user and a session token, as `logIn` does. */
export function signUp(url: string, username: string, password: string): Promise<Session> {
  return createParleyHttpClient({ url }).auth.signUp.mutate({ username, password });
}
