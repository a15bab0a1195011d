import type { IncomingMessage } from 'node:http';
const SESSION_COOKIE = 'parley_session';
/**
 * The name when the cookie is Secure: browsers accept a `__Host-` cookie only from https, with Path=/ and
 * no Domain, so a sibling subdomain or a plain-http page cannot plant or overwrite the session.
 */
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

function cookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** The session token from a Cookie header, if any; the `__Host-` cookie wins over the plain one. */
export function readSessionCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const found = new Map<string, string>();
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    if ((name === SECURE_SESSION_COOKIE || name === SESSION_COOKIE) && !found.has(name)) found.set(name, part.slice(eq + 1).trim());
  }
  const value = found.get(SECURE_SESSION_COOKIE) ?? found.get(SESSION_COOKIE);
  if (!value) return null;
  try {
    return decodeURIComponent(value) || null;
  } catch {
    return null;
  }
}

/** Whether the request reached us over https, directly or through a trusted proxy that says so. */
export function isSecureRequest(req: IncomingMessage, trustProxy: boolean): boolean {
  if (!trustProxy) return Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded?.split(',')[0];
  return proto?.trim() === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

export function serializeSessionCookie(token: string, secure: boolean): string {
  // The server's idle expiry decides when a session ends; the cookie just outlives it (browsers cap at
  // 400 days), because a WebSocket cannot refresh a cookie while its session is refreshed server-side.
  const maxAge = 400 * 24 * 60 * 60;
  return `${cookieName(secure)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function serializeClearedSessionCookie(secure: boolean): string {
  return `${cookieName(secure)}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}
