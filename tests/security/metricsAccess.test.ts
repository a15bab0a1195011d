import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/freePort.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { METRICS_TOKEN, refusalsByReason } from './securityScrape.ts';

const servers: TestServer[] = [];
async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ env });
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('/metrics access', () => {
  it('is not served on the public port when no METRICS_TOKEN is set', async () => {
    const server = await start({});
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('parley_');
  });

  it('asks for the bearer token when one is set, and refuses a wrong one', async () => {
    const server = await start({ METRICS_TOKEN });
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain('parley_');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    await wrong.text();
    expect((await refusalsByReason(`${server.url}/metrics`, METRICS_TOKEN)).metrics_unauthorized).toBe(2);
  });

  it('serves a separate METRICS_PORT on loopback without a token, and not /metrics on the public port', async () => {
    const port = await freePort();
    const server = await start({ METRICS_PORT: String(port) });
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('parley_open_sockets');
    expect((await fetch(`http://127.0.0.1:${port}/trpc/auth.me`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });
});

describe('health endpoints', () => {
  it('GET /healthz says up, and nothing about the database or Redis', async () => {
    const server = await start({});
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
