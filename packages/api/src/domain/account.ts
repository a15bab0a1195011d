import { TRPCError } from '@trpc/server';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { isUniqueViolation } from './prismaErrors.ts';

type AccountDeps = Pick<Deps, 'db' | 'clock' | 'newId' | 'rateLimits' | 'passwordHashing'>;
type LogInDeps = Pick<Deps, 'db' | 'rateLimits' | 'passwordHashing'>;

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Creates a user; CONFLICT when the name is taken in any letter case, TOO_MANY_REQUESTS past the address's allowance. */
export async function signUp(deps: AccountDeps, input: { username: string; password: string }, clientAddress: string): Promise<SessionUser> {
  await deps.rateLimits.consumeSignUp(clientAddress);
  const passwordHash = await deps.passwordHashing.run(() => hashPassword(input.password));
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

/**
 * The user for a correct username and password; one message for both wrong cases, so names do not leak.
 * Repeated failures for a username or from an address are slowed down with TOO_MANY_REQUESTS.
 */
export async function logIn(deps: LogInDeps, input: { username: string; password: string }, clientAddress: string): Promise<SessionUser> {
  const key = usernameKey(input.username);
  const reservation = await deps.rateLimits.reserveLogIn(key, clientAddress);
  const user = await deps.db.user.findUnique({ where: { usernameKey: key } });
  let ok: boolean;
  try {
    ok = await deps.passwordHashing.run(() => verifyPassword(user?.passwordHash ?? DUMMY_PASSWORD_HASH, input.password));
  } catch (error) {
    await reservation.cancelled();
    throw error;
  }
  if (!user || !ok) {
    await reservation.failed();
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong username or password' });
  }
  await reservation.succeeded();
  return { id: user.id, username: user.username };
}
