import { randomUUID } from 'node:crypto';
import { createSession } from '@parley/api/auth/session';
import { createDatabase } from '@parley/api/db/createDatabase';
import { systemClock, type Db } from '@parley/api';
import type { BenchUser } from './chatTarget.ts';

const CHUNK = 500;

/**
 * Users and sessions written straight into Parley's database with Parley's own session code, so their
 * tokens are real. For the idle-socket scenario only: API sign-ups hash a password with argon2 (about
 * 70 a second on this machine), which is by design and not what that scenario measures.
 */
export async function seedParleySessions(databaseUrl: string, usernames: string[]): Promise<BenchUser[]> {
  const database = await createDatabase(databaseUrl, { poolSize: 2 });
  const users: BenchUser[] = [];
  try {
    for (let i = 0; i < usernames.length; i += CHUNK) {
      const chunk = usernames.slice(i, i + CHUNK).map((username) => ({ id: randomUUID(), username }));
      await database.db.$transaction(
        async (tx) => {
          const now = systemClock.now();
          await tx.user.createMany({
            data: chunk.map((u) => ({ ...u, usernameKey: u.username.toLowerCase(), passwordHash: '-', createdAt: now })),
          });
          for (const user of chunk) {
            const { token } = await createSession({ db: tx as unknown as Db, clock: systemClock }, user.id);
            users.push({ username: user.username, token });
          }
        },
        { timeout: 60_000 },
      );
    }
  } finally {
    await database.close();
  }
  return users;
}
