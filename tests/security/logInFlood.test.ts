import { describe, expect, it } from 'vitest';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { postProcedure, viaProxy } from './attacker.ts';
import { serversPerTest } from './serversPerTest.ts';

const { server, track } = serversPerTest();

const wrong = { username: 'alice', password: 'not the password' };

describe('a flood of log-ins', () => {
  it('30 concurrent wrong passwords from one address get no more answers than the failure limit', async () => {
    const s = await server({ LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS: '5' });
    await signUpOverHttp(s.url, 'alice');
    const answers = await Promise.all(Array.from({ length: 30 }, () => postProcedure(s.url, 'auth.logIn', wrong)));
    const checked = answers.filter((a) => a.code !== 'TOO_MANY_REQUESTS');
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.every((a) => a.code === 'UNAUTHORIZED')).toBe(true);
    for (const refused of answers.filter((a) => a.code === 'TOO_MANY_REQUESTS')) {
      expect(refused.status).toBe(429);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('counts successful log-ins from one address too', async () => {
    const s = await server({ LOGIN_PER_ADDRESS_PER_MINUTE: '3' });
    await signUpOverHttp(s.url, 'alice');
    const right = { username: 'alice', password: 'correct horse battery' };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await postProcedure(s.url, 'auth.logIn', right));
    expect(answers.map((a) => a.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });

  it('40 sign-ups from one address in a second: only the per-address allowance is accepted', async () => {
    const s = await server({ SIGNUP_PER_ADDRESS_PER_HOUR: '10' });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postProcedure(s.url, 'auth.signUp', { username: `bot${i}`, password: 'correct horse battery' })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(30);
    expect(refused.every((a) => a.code === 'TOO_MANY_REQUESTS' && (a.retryAfterMs ?? 0) > 0)).toBe(true);
  });

  it('keeps message.send answered while log-ins from many addresses flood the password hashing, refusing the excess quickly', async () => {
    const s = await server({ TRUST_PROXY: 'true', PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE_LENGTH: '8' });
    const alice = await signUpOverHttp(s.url, 'alice');
    await signUpOverHttp(s.url, 'bob');
    const api = wsClient(s.wsUrl, alice.token);
    track(api);
    const thread = await api.client.thread.getOrCreate.mutate({ username: 'bob' });

    const flood = Array.from({ length: 120 }, (_, i) => {
      const started = performance.now();
      return postProcedure(s.url, 'auth.logIn', { username: `user${i}`, password: 'guessing' }, viaProxy(`10.1.${i >> 8}.${i & 255}`)).then(
        (answer) => ({ ...answer, ms: performance.now() - started }),
      );
    });
    const sendLatencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await api.client.message.send.mutate({ threadId: thread.id, body: `still here ${i}` });
      sendLatencies.push(performance.now() - started);
    }
    const answers = await Promise.all(flood);

    // "Answered, not starved": a generous bound, since the CPU is shared.
    expect(Math.max(...sendLatencies)).toBeLessThan(2000);
    const refused = answers.filter((a) => a.code === 'TOO_MANY_REQUESTS');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => (a.retryAfterMs ?? 0) > 0)).toBe(true);
    // Refused without waiting for a hash: well before the hashes queued ahead of them could finish.
    expect(Math.min(...refused.map((a) => a.ms))).toBeLessThan(1000);
    expect(answers.every((a) => a.code === 'TOO_MANY_REQUESTS' || a.code === 'UNAUTHORIZED')).toBe(true);
    expect((await api.client.message.list.query({ threadId: thread.id })).messages).toHaveLength(5);
  });
});
