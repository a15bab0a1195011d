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

/**
 * Logs in and returns the user and a session token to pass to `createParleyClient({ token })`. For
 * programs: the server leaves the token out of a browser's answer (one with an Origin), which gets the
 * HttpOnly session cookie instead.
 */
export async function logIn(url: string, username: string, password: string): Promise<Session> {
  return withToken(await createParleyHttpClient({ url }).auth.logIn.mutate({ username, password }));
}

/** Creates an account and returns the user and a session token, as `logIn` does. */
export async function signUp(url: string, username: string, password: string): Promise<Session> {
  return withToken(await createParleyHttpClient({ url }).auth.signUp.mutate({ username, password }));
}

function withToken(answer: { user: Session['user']; token?: string }): Session {
  if (!answer.token) throw new Error('The server sent no session token: from a browser, log in through the session cookie instead');
  return { user: answer.user, token: answer.token };
}
