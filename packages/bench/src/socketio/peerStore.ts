import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { PeerMessage, PeerUser } from './protocol.ts';

/**
 * What the Socket.IO peer stores, in Parley's own tables (it applies Parley's migrations), as a
 * straightforward Socket.IO app would: per message a membership read, then the seq bump, the insert and
 * the author's read marker in one transaction of its own, through the plain driver (@libsql/client, pg).
 */
export interface PeerStore {
  /** The user a session token (`id.secret`, as Parley's) belongs to, or null. */
  authenticate(token: unknown): Promise<PeerUser | null>;
  /** A user with one session; the token goes in the Socket.IO handshake's `auth.token`. */
  signUp(username: string): Promise<{ user: PeerUser; token: string }>;
  createGroup(creator: PeerUser, usernames: string[]): Promise<{ id: string }>;
  isMember(threadId: string, userId: string): Promise<boolean>;
  /** Stores the message with the thread's next seq, in one transaction. */
  storeMessage(author: PeerUser, input: { threadId: string; body: string; clientId: string | null }): Promise<PeerMessage>;
  close(): Promise<void>;
}

/** A new session secret in Parley's format: the client keeps `id.secret`, the database only SHA-256(secret). */
export function newSessionToken(): { id: string; token: string; secretHash: Buffer } {
  const id = randomBytes(15).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a token and checks its secret against the stored hash; false for anything malformed. */
export function parseSessionToken(token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string') return null;
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  return { id, secret };
}

export function isSecretValid(secret: string, storedHash: Uint8Array): boolean {
  const hash = hashSecret(secret);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

export const newId = randomUUID;
