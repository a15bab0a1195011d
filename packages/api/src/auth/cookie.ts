import type { IncomingMessage } from 'node:http';
export const SESSION_COOKIE = 'parley_session';

/** The session token from a Cookie header, if any. */
export function readSessionCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Whether the request reached us over https, directly or through a proxy that says so. */
export function isSecureRequest(req: IncomingMessage): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded?.split(',')[0];
  return proto?.trim() === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

export function serializeSessionCookie(token: string, secure: boolean): string {
  // The server's idle expiry decides when a session ends; the cookie just outlives it (browsers cap at
  // 400 days), because a WebSocket cannot refresh a cookie while its session is refreshed server-side.
  const maxAge = 400 * 24 * 60 * 60;
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function serializeClearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}
