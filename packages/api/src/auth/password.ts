import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, t=2, p=1): strong enough, and a login stays quick on a small machine
// (timing: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

/** False for a wrong password and for a malformed hash, never throws on either. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifying against this when the user does not exist keeps log-in timing from revealing usernames. */
export const DUMMY_PASSWORD_HASH = await hashPassword('parley-dummy-password');
