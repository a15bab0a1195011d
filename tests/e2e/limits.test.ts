import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { REDIS_URL, uniqueRedisPrefix } from '../helpers/redisPrefix.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { httpClient, signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

type Failure = { data?: { code?: string; retryAfterMs?: number } };

async function failureOf(promise: Promise<unknown>): Promise<Failure['data']> {
  try {
    await promise;
  } catch (error) {
    return (error as Failure).data;
  }
  throw new Error('expected the call to fail');
}

const servers: TestServer[] = [];
const clients: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(env: Record<string, string>) {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

async function chat(s: TestServer) {
  const alice = await signUpOverHttp(s.url, 'alice');
  await signUpOverHttp(s.url, 'bob');
  const api = wsClient(s.wsUrl, alice.token);
  clients.push(api);
  const thread = await api.client.thread.getOrCreate.mutate({ username: 'bob' });
  return { alice, api, thread };
}

describe('limits', () => {
  it('message.send past the per-user rate is TOO_MANY_REQUESTS with a retry hint, and loses nothing accepted', async () => {
    const s = await server({ SEND_RATE_PER_SECOND: '5', SEND_BURST: '0' });
    const { api, thread } = await chat(s);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => api.client.message.send.mutate({ threadId: thread.id, body: `m${i}` })),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Failure).data] : []));
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(3);
    for (const data of refused) {
      expect(data?.code).toBe('TOO_MANY_REQUESTS');
      expect(data?.retryAfterMs).toBeGreaterThan(0);
      expect(data?.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    const stored = await api.client.message.list.query({ threadId: thread.id });
    expect(stored.messages).toHaveLength(5);
  });

  it('slows down repeated failed log-ins for a username, even with the right password then', async () => {
    const s = await server({});
    await signUpOverHttp(s.url, 'carol', 'the right password');
    const http = httpClient(s.url);
    for (let i = 0; i < 10; i++) {
      expect(await failureOf(http.auth.logIn.mutate({ username: 'carol', password: `wrong guess ${i}` }))).toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    const slowed = await failureOf(http.auth.logIn.mutate({ username: 'carol', password: 'the right password' }));
    expect(slowed?.code).toBe('TOO_MANY_REQUESTS');
    expect(slowed?.retryAfterMs).toBeGreaterThan(60_000);
  });

  it('behind a trusted proxy, counts failed log-ins per forwarded address, not per proxy', async () => {
    const s = await server({ TRUST_PROXY: 'true' });
    await signUpOverHttp(s.url, 'erin', 'the right password');
    const attacker = httpClient(s.url, { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    for (let i = 0; i < 10; i++) await failureOf(attacker.auth.logIn.mutate({ username: 'erin', password: `wrong guess ${i}` }));
    expect((await failureOf(attacker.auth.logIn.mutate({ username: 'erin', password: 'the right password' })))?.code).toBe('TOO_MANY_REQUESTS');
    const erinAtHome = httpClient(s.url, { 'x-forwarded-for': '198.51.100.20' });
    expect((await erinAtHome.auth.logIn.mutate({ username: 'erin', password: 'the right password' })).user.username).toBe('erin');
  });

  it('refuses a subscription past the per-socket limit', async () => {
    const s = await server({ MAX_SUBSCRIPTIONS_PER_SOCKET: '2' });
    const { api, thread } = await chat(s);
    const outcome = (input: { threadId: string }) =>
      new Promise<unknown>((resolve) => {
        api.client.thread.onMessage.subscribe(input, { onStarted: () => resolve('started'), onError: (e) => resolve(e) });
      });
    expect(await outcome({ threadId: thread.id })).toBe('started');
    expect(await outcome({ threadId: thread.id })).toBe('started');
    expect(await outcome({ threadId: thread.id })).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
  });

  it("closes a user's socket past the per-user limit with 4429", async () => {
    const s = await server({ MAX_SOCKETS_PER_USER: '2' });
    const dave = await signUpOverHttp(s.url, 'dave');
    const open = [wsClient(s.wsUrl, dave.token), wsClient(s.wsUrl, dave.token)];
    clients.push(...open);
    for (const c of open) expect(await c.client.auth.me.query()).toEqual(dave.user);
    const third = wsClient(s.wsUrl, dave.token);
    clients.push(third);
    void third.client.auth.me.query().catch(() => undefined);
    await vi.waitFor(() => expect(third.closeCodes).toContain(4429));
  });
});

describe('limits shared through Redis', () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  beforeAll(async () => {
    database = await createTestPostgresDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('one user sending through two processes shares one send bucket', async () => {
    const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: uniqueRedisPrefix(), SEND_RATE_PER_SECOND: '6', SEND_BURST: '0' };
    const [one, two] = [await server(env), await server(env)];
    const { alice, thread } = await chat(one);
    const onTwo = wsClient(two.wsUrl, alice.token);
    clients.push(onTwo);
    const onOne = wsClient(one.wsUrl, alice.token);
    clients.push(onOne);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? onOne : onTwo).client.message.send.mutate({ threadId: thread.id, body: `m${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
  });
});
