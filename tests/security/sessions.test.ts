import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/waitFor.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { getProcedure, postProcedure } from './attacker.ts';
import { serversPerTest } from './serversPerTest.ts';

const { server, track } = serversPerTest();

const right = { username: 'alice', password: 'correct horse battery' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function logInToken(url: string, headers: Record<string, string> = {}): Promise<string> {
  const answer = await postProcedure(url, 'auth.logIn', right, headers);
  return (answer.data as { token: string }).token;
}

describe('sessions', () => {
  it('past MAX_SESSIONS_PER_USER, a new log-in ends the oldest session and closes its socket', async () => {
    const s = await server({ MAX_SESSIONS_PER_USER: '3' });
    const first = await signUpOverHttp(s.url, 'alice');
    const oldSocket = wsClient(s.wsUrl, first.token);
    track(oldSocket);
    await oldSocket.client.auth.me.query();
    const later = [await logInToken(s.url), await logInToken(s.url), await logInToken(s.url)];
    await waitFor(() => oldSocket.closeCodes.includes(4401), 'the oldest session socket to close');
    expect((await getProcedure(s.url, 'auth.me', undefined, bearer(first.token))).data).toBeNull();
    for (const token of later) expect((await getProcedure(s.url, 'auth.me', undefined, bearer(token))).data).toMatchObject({ username: 'alice' });
  });

  it('lists my devices, revokes only my own, and logs out everywhere', async () => {
    const s = await server();
    const alice = await signUpOverHttp(s.url, 'alice');
    const mallory = await signUpOverHttp(s.url, 'mallory');
    const phone = await logInToken(s.url, { 'user-agent': 'ParleyPhone/1.0' });
    const phoneSocket = wsClient(s.wsUrl, phone);
    track(phoneSocket);
    await phoneSocket.client.auth.me.query();

    const list = (await getProcedure(s.url, 'auth.sessions', undefined, bearer(alice.token))).data as Array<Record<string, unknown>>;
    expect(list).toHaveLength(2);
    expect(list.filter((d) => d.isCurrent)).toHaveLength(1);
    const phoneRow = list.find((d) => d.userAgent === 'ParleyPhone/1.0');
    expect(phoneRow).toMatchObject({ address: '127.0.0.1', isCurrent: false });

    const theirs = await postProcedure(s.url, 'auth.revokeSession', { sessionId: phoneRow?.id }, bearer(mallory.token));
    expect(theirs.code).toBe('NOT_FOUND');
    expect(await postProcedure(s.url, 'auth.revokeSession', { sessionId: 'madeup' }, bearer(mallory.token))).toMatchObject({ code: 'NOT_FOUND' });

    expect((await postProcedure(s.url, 'auth.revokeSession', { sessionId: phoneRow?.id }, bearer(alice.token))).status).toBe(200);
    await waitFor(() => phoneSocket.closeCodes.includes(4401), 'the revoked session socket to close');

    const laptop = await logInToken(s.url);
    expect((await postProcedure(s.url, 'auth.logOutEverywhere', {}, bearer(laptop))).data).toEqual({ ended: 2 });
    for (const token of [alice.token, laptop]) expect((await getProcedure(s.url, 'auth.me', undefined, bearer(token))).data).toBeNull();
  });

  it('gives a browser the session as a __Host- cookie when secure, never as a token in the answer', async () => {
    const s = await server({ COOKIE_SECURE: 'true' });
    await signUpOverHttp(s.url, 'alice');
    const response = await fetch(`${s.url}/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: s.url },
      body: JSON.stringify(right),
    });
    const body = (await response.json()) as { result: { data: Record<string, unknown> } };
    expect(body.result.data.token).toBeUndefined();
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-parley_session=[^;]+; HttpOnly; SameSite=Lax; Path=\/;.*Secure/);
    expect(cookie).not.toMatch(/Domain=/i);
    const token = decodeURIComponent(/^__Host-parley_session=([^;]+)/.exec(cookie)?.[1] ?? '');
    const me = await getProcedure(s.url, 'auth.me', undefined, { origin: s.url, cookie: `__Host-parley_session=${token}` });
    expect(me.data).toMatchObject({ username: 'alice' });
  });

  it('trusts X-Forwarded-Proto only behind TRUST_PROXY', async () => {
    const s = await server();
    await signUpOverHttp(s.url, 'alice');
    const response = await fetch(`${s.url}/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify(right),
    });
    expect(response.headers.get('set-cookie')).toMatch(/^parley_session=.*(?<!Secure)$/);
  });
});
