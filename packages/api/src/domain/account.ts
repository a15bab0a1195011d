import { TRPCError } from '@trpc/server';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { isUniqueViolation } from './prismaErrors.ts';

type AccountDeps = Pick<Deps, 'db' | 'clock' | 'newId'>;

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Creates a user; CONFLICT when the name is taken in any letter case. */
export async function signUp(deps: AccountDeps, input: { username: string; password: string }): Promise<SessionUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await deps.db.user.create({
      data: {
        id: deps.newId(),
        username: input.username,
        usernameKey: usernameKey(input.username),
        passwordHash,
        createdAt: deps.clock.now(),
      },
      select: { id: true, username: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new TRPCError({ code: 'CONFLICT', message: 'That username is taken' });
    throw error;
  }
}

/** The user for a correct username and password; one message for both wrong cases, so names do not leak. */
export async function logIn(deps: AccountDeps, input: { username: string; password: string }): Promise<SessionUser> {
  const user = await deps.db.user.findUnique({ where: { usernameKey: usernameKey(input.username) } });
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_PASSWORD_HASH, input.password);
  if (!user || !ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong username or password' });
  return { id: user.id, username: user.username };
}
