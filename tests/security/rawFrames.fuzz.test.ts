import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnServer, type ServerProcess } from '../helpers/serverProcess.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';

const PROCEDURES = ['message.send', 'thread.onMessage', 'thread.createGroup', 'auth.logIn', 'auth.me', 'no.such', '__proto__', 'constructor'];
const METHODS = ['query', 'mutation', 'subscription', 'subscription.stop', 'connectionParams', 'reconnect', 'nope'];

/** One hostile frame: the kinds a fuzzer or an attacker sends, mixed. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ maxLength: 200 }), // mostly malformed JSON
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)), // binary frames
  fc
    .record(
      {
        id: fc.oneof(
          fc.integer(),
          fc.constant(Number.MAX_SAFE_INTEGER),
          fc.constant(1e308),
          fc.string({ maxLength: 5000 }),
          fc.constant(null),
          fc.anything(),
        ),
        jsonrpc: fc.option(fc.constant('2.0')),
        method: fc.oneof(fc.constantFrom(...METHODS), fc.anything()),
        params: fc.oneof(
          fc.record(
            { path: fc.oneof(fc.constantFrom(...PROCEDURES), fc.string()), input: fc.anything(), lastEventId: fc.option(fc.string()) },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    )
    .map((message) => JSON.stringify(message)),
  // Nested and oversized batches.
  fc.array(fc.oneof(fc.anything(), fc.array(fc.anything(), { maxLength: 3 })), { maxLength: 40 }).map((batch) => JSON.stringify(batch)),
  fc
    .integer({ min: 1000, max: 200_000 })
    .map((size) => JSON.stringify({ id: 1, method: 'mutation', params: { path: 'message.send', input: { threadId: 'x', body: 'x'.repeat(size) } } })),
);

let server: ServerProcess;
const dir = makeTempDir();
let token: string;
beforeAll(async () => {
  server = await spawnServer({ DATABASE_URL: `file:${dir.path}/parley.db`, WS_MAX_PAYLOAD_BYTES: '65536' });
  token = (await signUpOverHttp(server.url, 'fuzz-target')).token;
}, 60_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  dir.remove();
});

/** Sends frames on one socket (authenticated or not) until it closes or they are all sent. */
async function sendFrames(frames: Array<string | Buffer>, authenticated: boolean): Promise<void> {
  const socket = new WebSocket(`${server.wsUrl}${authenticated ? '?connectionParams=1' : ''}`);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
  });
  if (authenticated && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  for (const data of frames) {
    if (socket.readyState !== WebSocket.OPEN) break;
    socket.send(data);
  }
  await new Promise((r) => setTimeout(r, 50));
  socket.terminate();
}

describe('raw WebSocket frames from a fuzzer', () => {
  it('keeps the process up and serving a normal client after hundreds of hostile frames', async () => {
    const deadline = Date.now() + 20_000;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 10 }), fc.boolean(), async (frames, authenticated) => {
        if (Date.now() > deadline) return; // time-bounded: a slow shared machine runs fewer cases
        await sendFrames(frames, authenticated);
        sent += frames.length;
      }),
      { numRuns: 40, seed: 20261203, endOnFailure: true },
    );
    expect(sent).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();

    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    const client = wsClient(server.wsUrl, token);
    try {
      expect((await client.client.auth.me.query())?.username).toBe('fuzz-target');
    } finally {
      await client.close();
    }
    expect(server.logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
  }, 60_000);
});
