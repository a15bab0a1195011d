import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { METRICS_TOKEN, refusalsByReason } from './securityScrape.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer({ env: { MAX_BATCH_SIZE: '10', METRICS_TOKEN } });
  token = (await signUpOverHttp(server.url, 'batcher')).token;
});
afterAll(async () => {
  await server.close();
});

/** One HTTP request carrying `count` auth.logIn calls, as tRPC's httpBatchLink would send them. */
function batchedLogIns(count: number): Promise<Response> {
  const paths = Array.from({ length: count }, () => 'auth.logIn').join(',');
  const body = Object.fromEntries(Array.from({ length: count }, (_, i) => [i, { username: 'batcher', password: `guess number ${i}` }]));
  return fetch(`${server.url}/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Sends one frame on an authenticated socket and collects every answer until `quietMs` pass without one. */
async function sendFrame(frame: string, quietMs = 500): Promise<Array<{ id: unknown; error?: { data?: { code?: string } }; result?: unknown }>> {
  const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
  const answers: Array<{ id: unknown }> = [];
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  let timer: NodeJS.Timeout | undefined;
  const quiet = new Promise<void>((resolve) => {
    // The first answer may be slow on a busy machine; after it, a pause means the answers are all in.
    const arm = (ms = quietMs) => {
      clearTimeout(timer);
      timer = setTimeout(resolve, ms);
    };
    socket.on('message', (data: Buffer) => {
      const parsed = JSON.parse(data.toString()) as unknown;
      answers.push(...((Array.isArray(parsed) ? parsed : [parsed]) as Array<{ id: unknown }>));
      arm();
    });
    arm(10_000);
  });
  socket.send(frame);
  await quiet;
  socket.close();
  return answers as never;
}

describe('batch size limits', () => {
  it('refuses an HTTP batch of more calls than MAX_BATCH_SIZE whole, with a tRPC BAD_REQUEST, before any password check', async () => {
    const res = await batchedLogIns(200);
    expect(res.status).toBe(400);
    const body = (await res.json()) as unknown;
    const errors = (Array.isArray(body) ? body : [body]) as Array<{ error?: { message?: string; data?: { code?: string } } }>;
    expect(errors[0]?.error?.data?.code).toBe('BAD_REQUEST');
    expect(errors[0]?.error?.message).toMatch(/batch/i);
    expect((await refusalsByReason(`${server.url}/metrics`, METRICS_TOKEN)).batch_too_large).toBeGreaterThanOrEqual(1);
  });

  it('still answers an HTTP batch within the limit, call by call', async () => {
    const paths = Array.from({ length: 10 }, () => 'auth.me').join(',');
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1&input={}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ result?: { data?: { username?: string } } }>;
    expect(body.map((item) => item.result?.data?.username)).toEqual(Array(10).fill('batcher'));
  });

  it('answers a WebSocket frame of 5,000 calls with refusals only, running none of them', async () => {
    const calls = Array.from({ length: 5000 }, (_, i) => ({
      id: i + 1,
      method: 'mutation',
      params: { path: 'thread.createGroup', input: { usernames: [] } },
    }));
    const answers = await sendFrame(JSON.stringify(calls));
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.error?.data?.code === 'BAD_REQUEST')).toBe(true);
    expect(answers.some((answer) => 'result' in answer)).toBe(false);
  });

  it('runs a WebSocket frame within the limit, and the typed client keeps working', async () => {
    const calls = Array.from({ length: 3 }, (_, i) => ({ id: i + 1, method: 'query', params: { path: 'auth.me', input: undefined } }));
    const answers = await sendFrame(JSON.stringify(calls));
    expect(answers.filter((answer) => answer.result !== undefined)).toHaveLength(3);
    const client = wsClient(server.wsUrl, token);
    try {
      // Calls made in one tick go out as one batched frame.
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.client.auth.me.query()));
      expect(answers.map((me) => me?.username)).toEqual(Array(20).fill('batcher'));
    } finally {
      await client.close();
    }
  });
});
