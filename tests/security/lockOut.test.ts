import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp } from '../helpers/trpcClients.ts';
import { postProcedure, viaProxy } from './attacker.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(env: Record<string, string>) {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

const right = { username: 'alice', password: 'correct horse battery' };
const wrong = { username: 'alice', password: 'not the password' };

describe('a stranger guessing passwords', () => {
  it('cannot lock the owner out: after 200 wrong guesses from address A, the owner logs in from address B', async () => {
    const s = await server({ TRUST_PROXY: 'true' });
    await signUpOverHttp(s.url, 'alice');
    const codes = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      // The attacker also writes a made-up X-Forwarded-For of its own; the proxy appends its real address.
      const answer = await postProcedure(s.url, 'auth.logIn', wrong, viaProxy('203.0.113.7', `198.51.100.${i % 250}`));
      codes.set(answer.code ?? 'ok', (codes.get(answer.code ?? 'ok') ?? 0) + 1);
    }
    expect(codes.get('ok')).toBeUndefined();
    expect(codes.get('UNAUTHORIZED')).toBeLessThanOrEqual(10);
    const owner = await postProcedure(s.url, 'auth.logIn', right, viaProxy('192.0.2.55'));
    expect(owner.status).toBe(200);
  });

  it('cannot lock the owner out from many addresses either: the username is slowed, never blocked', async () => {
    const s = await server({ TRUST_PROXY: 'true', LOGIN_FAILURES_BEFORE_USERNAME_SLOWDOWN: '20' });
    await signUpOverHttp(s.url, 'alice');
    for (let i = 0; i < 60; i++) await postProcedure(s.url, 'auth.logIn', wrong, viaProxy(`198.51.100.${i}`));
    // Slowed: an address that already guessed waits before its next try on this username.
    const again = await postProcedure(s.url, 'auth.logIn', wrong, viaProxy('198.51.100.59'));
    expect(again.code).toBe('TOO_MANY_REQUESTS');
    const owner = await postProcedure(s.url, 'auth.logIn', right, viaProxy('192.0.2.55'));
    expect(owner.status).toBe(200);
  });

  it('buys no extra guesses with a forged X-Forwarded-For when the proxy is not trusted', async () => {
    const s = await server({ LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS: '5' });
    await signUpOverHttp(s.url, 'alice');
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await postProcedure(s.url, 'auth.logIn', wrong, { 'x-forwarded-for': `198.51.100.${i}` }));
    expect(answers.filter((a) => a.code === 'UNAUTHORIZED')).toHaveLength(5);
    expect(answers.slice(5).every((a) => a.code === 'TOO_MANY_REQUESTS')).toBe(true);
  });
});
