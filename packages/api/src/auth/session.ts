// Sessions on Lucia's current design (lucia-auth.com, "Sessions"): the client holds `id.secret`;
// the database keeps the id and only SHA-256(secret), so a leaked table cannot be replayed.
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { getRandomValues } from 'node:crypto';
import type { Deps } from '../deps.ts';

export const SESSION_IDLE_EXPIRY_MS = 10 * 24 * 60 * 60 * 1000;
/** lastUsedAt is written at most this often, so that validating a session is usually a read. */
export const SESSION_REFRESH_INTERVAL_MS = 60 * 60 * 1000;

export interface SessionUser {
  id: string;
  username: string;
}

export interface ValidSession {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
}

type SessionDeps = Pick<Deps, 'db' | 'clock' | 'hotPath' | 'config'>;

function generateSecureRandomString(): string {
  // 24 bytes = 120 bits of entropy in base32 (Lucia's choice).
  return encodeBase32LowerCaseNoPadding(getRandomValues(new Uint8Array(24)));
}

function hashSecret(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(sha256(new TextEncoder().encode(secret)));
}

/** Where a session was started, shown in its owner's list of devices. */
export interface SessionDevice {
  address: string | null;
  userAgent: string | null;
}

/** Creates a session for a user and returns the token the client keeps (`id.secret`). */
export async function createSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  userId: string,
  device: SessionDevice = { address: null, userAgent: null },
): Promise<{ session: ValidSession; token: string }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const now = deps.clock.now();
  const session = { id, userId, createdAt: now, lastUsedAt: now };
  await deps.db.session.create({ data: { ...session, ...device, secretHash: hashSecret(secret) } });
  return { session, token: `${id}.${secret}` };
}

/** The session and user a token belongs to, or null when it is malformed, unknown, wrong or expired. */
export async function validateSessionToken(deps: SessionDeps, token: string): Promise<{ session: ValidSession; user: SessionUser } | null> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  // Every HTTP call and WebSocket connection comes through here, so it reads through the hot path.
  const row = await deps.hotPath.findSession(id);
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.secretHash))) return null;
  const now = deps.clock.now();
  if (hasExpired(deps, row, now)) {
    await deps.db.session.deleteMany({ where: { id } });
    return null;
  }
  let lastUsedAt = row.lastUsedAt;
  if (now.getTime() - lastUsedAt.getTime() >= SESSION_REFRESH_INTERVAL_MS) {
    lastUsedAt = now;
    await deps.db.session.updateMany({ where: { id }, data: { lastUsedAt } });
  }
  return {
    session: { id: row.id, userId: row.userId, createdAt: row.createdAt, lastUsedAt },
    user: { id: row.userId, username: row.username },
  };
}

/** Deletes one session (log out). Open sockets are closed by the caller through SessionSockets. */
export async function invalidateSession(deps: SessionDeps, sessionId: string): Promise<void> {
  await deps.db.session.deleteMany({ where: { id: sessionId } });
}

/** Deletes every session of a user, returning their ids so their sockets can be closed. */
export async function invalidateUserSessions(deps: SessionDeps, userId: string): Promise<string[]> {
  const sessions = await deps.db.session.findMany({ where: { userId }, select: { id: true } });
  await deps.db.session.deleteMany({ where: { userId } });
  return sessions.map((s) => s.id);
}

/**
 * Idle too long, or older than its absolute lifetime: a stolen token that is kept in use still dies, and
 * so does a session whose owner never logs out (Lucia's "absolute expiration").
 */
function hasExpired(deps: Pick<Deps, 'config'>, row: { createdAt: Date; lastUsedAt: Date }, now: Date): boolean {
  return now.getTime() - row.lastUsedAt.getTime() >= SESSION_IDLE_EXPIRY_MS || now.getTime() - row.createdAt.getTime() >= deps.config.sessionMaxAgeMs;
}

/**
 * For sessions with open sockets: an open socket is use, so they are kept alive (lastUsedAt refreshed at
 * most hourly). Returns the ids of those that ended (deleted elsewhere, or expired) so their sockets close.
 */
export async function touchSessionsInUse(deps: SessionDeps, sessionIds: string[]): Promise<string[]> {
  const ended: string[] = [];
  const now = deps.clock.now();
  for (let i = 0; i < sessionIds.length; i += 500) {
    const ids = sessionIds.slice(i, i + 500);
    const rows = await deps.db.session.findMany({ where: { id: { in: ids } }, select: { id: true, createdAt: true, lastUsedAt: true } });
    const found = new Map(rows.map((r) => [r.id, r]));
    const expired = ids.filter((id) => {
      const row = found.get(id);
      return !row || hasExpired(deps, row, now);
    });
    const stale = ids.filter((id) => {
      const row = found.get(id);
      return row !== undefined && !hasExpired(deps, row, now) && now.getTime() - row.lastUsedAt.getTime() >= SESSION_REFRESH_INTERVAL_MS;
    });
    if (expired.length) await deps.db.session.deleteMany({ where: { id: { in: expired } } });
    if (stale.length) await deps.db.session.updateMany({ where: { id: { in: stale } }, data: { lastUsedAt: now } });
    ended.push(...expired);
  }
  return ended;
}
