import type { IncomingMessage } from 'node:http';
import { readSessionCookie, validateSessionToken, type Caller, type Deps } from '@parley/api';
import { ANONYMOUS } from './upgrade.ts';

/** HTTP callers authenticate with a bearer token, or the session cookie when the Origin (if any) is allowed. */
export async function httpCaller(
  deps: Pick<Deps, 'db' | 'clock' | 'hotPath' | 'config'>,
  req: IncomingMessage,
  isAllowedOrigin: (o: string) => boolean,
): Promise<Caller> {
  const authorization = req.headers.authorization;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
  const origin = req.headers.origin;
  const token = bearer ?? (origin === undefined || isAllowedOrigin(origin) ? readSessionCookie(req.headers.cookie) : null);
  if (!token) return ANONYMOUS;
  return (await validateSessionToken(deps, token)) ?? ANONYMOUS;
}
