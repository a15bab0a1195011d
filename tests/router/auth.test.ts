import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateSessionToken } from '@parley/api';
import { SESSION_IDLE_EXPIRY_MS, SESSION_REFRESH_INTERVAL_MS } from '@parley/api/auth/session';
import { codeOf } from '../helpers/trpcErrors.ts';
import { anonymousCaller, createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

let deps: TestDeps;
beforeEach(async () => {
  deps = await createTestDeps();
});
afterEach(async () => {
  await deps.close();
});

describe('auth.signUp', () => {
  it('creates a user and returns a session token that authenticates', async () => {
    const { user, token } = await anonymousCaller(deps).auth.signUp({ username: 'Alice', password: 'correct horse' });
    expect(user).toEqual({ id: expect.any(String), username: 'Alice' });
    expect(token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
    const valid = await validateSessionToken(deps, token ?? '');
    expect(valid?.user).toEqual(user);
  });

  it('stores only a hash of the password and of the session secret', async () => {
    const { token } = await anonymousCaller(deps).auth.signUp({ username: 'alice', password: 'correct horse' });
    const row = await deps.db.user.findUniqueOrThrow({ where: { usernameKey: 'alice' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    const session = await deps.db.session.findFirstOrThrow();
    expect(Buffer.from(session.secretHash).toString()).not.toContain(token?.split('.')[1]);
    expect(session.secretHash.length).toBe(32);
  });

  it('refuses a taken username in another letter case with CONFLICT', async () => {
    await anonymousCaller(deps).auth.signUp({ username: 'alice', password: 'correct horse' });
    expect(await codeOf(anonymousCaller(deps).auth.signUp({ username: 'ALICE', password: 'correct horse' }))).toBe('CONFLICT');
  });

  it.each([['ab'], ['a'.repeat(33)], ['has space'], ['émile'], ['semi;colon']])('refuses username %j with BAD_REQUEST', async (username) => {
    expect(await codeOf(anonymousCaller(deps).auth.signUp({ username, password: 'correct horse' }))).toBe('BAD_REQUEST');
  });

  it('refuses a short password with BAD_REQUEST', async () => {
    expect(await codeOf(anonymousCaller(deps).auth.signUp({ username: 'alice', password: 'short' }))).toBe('BAD_REQUEST');
  });
});

describe('auth.logIn', () => {
  it('logs in whatever the letter case of the username', async () => {
    await anonymousCaller(deps).auth.signUp({ username: 'Alice', password: 'correct horse' });
    const { user, token } = await anonymousCaller(deps).auth.logIn({ username: 'aLiCe', password: 'correct horse' });
    expect(user.username).toBe('Alice');
    expect((await validateSessionToken(deps, token ?? ''))?.user.id).toBe(user.id);
  });

  it('refuses a wrong password and an unknown user alike with UNAUTHORIZED', async () => {
    await anonymousCaller(deps).auth.signUp({ username: 'alice', password: 'correct horse' });
    expect(await codeOf(anonymousCaller(deps).auth.logIn({ username: 'alice', password: 'wrong horse' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(anonymousCaller(deps).auth.logIn({ username: 'nobody', password: 'wrong horse' }))).toBe('UNAUTHORIZED');
  });
});

describe('auth.me and auth.logOut', () => {
  it('me returns the user, or null when nobody is logged in', async () => {
    const alice = await signedInCaller(deps, 'alice');
    expect(await alice.auth.me()).toEqual(alice.user);
    expect(await anonymousCaller(deps).auth.me()).toBeNull();
  });

  it('logOut deletes the session and closes its sockets', async () => {
    const alice = await signedInCaller(deps, 'alice');
    await alice.auth.logOut();
    expect(await validateSessionToken(deps, alice.token)).toBeNull();
    expect(deps.revoked).toEqual([alice.session.id]);
  });

  it('logOut without a session is UNAUTHORIZED', async () => {
    expect(await codeOf(anonymousCaller(deps).auth.logOut())).toBe('UNAUTHORIZED');
  });
});

describe('sessions', () => {
  it('expire after 10 days unused', async () => {
    const alice = await signedInCaller(deps, 'alice');
    deps.clock.advance(SESSION_IDLE_EXPIRY_MS);
    expect(await validateSessionToken(deps, alice.token)).toBeNull();
    expect(await deps.db.session.findUnique({ where: { id: alice.session.id } })).toBeNull();
  });

  it('stay alive while used, refreshing lastUsedAt at most hourly', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const before = (await deps.db.session.findUniqueOrThrow({ where: { id: alice.session.id } })).lastUsedAt;
    deps.clock.advance(SESSION_REFRESH_INTERVAL_MS - 1000);
    await validateSessionToken(deps, alice.token);
    expect((await deps.db.session.findUniqueOrThrow({ where: { id: alice.session.id } })).lastUsedAt).toEqual(before);
    for (let day = 0; day < 15; day++) {
      deps.clock.advance(SESSION_IDLE_EXPIRY_MS / 10);
      expect(await validateSessionToken(deps, alice.token)).not.toBeNull();
    }
  });

  it('end SESSION_MAX_AGE_DAYS after creation however much they are used', async () => {
    const alice = await signedInCaller(deps, 'alice');
    for (let day = 0; day < 29; day++) {
      deps.clock.advance(24 * 60 * 60 * 1000);
      expect(await validateSessionToken(deps, alice.token)).not.toBeNull();
    }
    deps.clock.advance(24 * 60 * 60 * 1000);
    expect(await validateSessionToken(deps, alice.token)).toBeNull();
    expect(await deps.db.session.findUnique({ where: { id: alice.session.id } })).toBeNull();
  });

  it('reject a token whose secret is wrong', async () => {
    const alice = await signedInCaller(deps, 'alice');
    const [id] = alice.token.split('.');
    expect(await validateSessionToken(deps, `${id}.${'a'.repeat(39)}`)).toBeNull();
    expect(await validateSessionToken(deps, 'garbage')).toBeNull();
    expect(await validateSessionToken(deps, `${alice.token}.extra`)).toBeNull();
  });
});
