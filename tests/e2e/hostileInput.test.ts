import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { httpClient, signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { codeOf } from '../helpers/trpcErrors.ts';

/** Text that must come back exactly as sent. */
const EXACT_TEXTS = [
  'مرحبا بالعالم — שלום עולם', // right-to-left
  '\u202Egnp.exe\u202C and \u200F marks', // bidi overrides
  'zero\u200Bwidth\u200Djoiner\u2060word', // zero-width characters
  '👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 e\u0301', // emoji sequences and a combining accent
  "'; DROP TABLE \"Message\"; -- and 1=1 OR '' = ''", // SQL look-alike
  '<img src=x onerror=alert(1)> <script>alert("x")</script> &amp; &lt;', // HTML look-alike
  'tabs\tand\nnew\r\nlines',
  '$& $1 $$ \\u0000 (a literal backslash-u, not a NUL)',
];

/** Sends a raw frame and resolves with the first reply (or the close). */
function rawExchange(server: TestServer, token: string, frame: string | Buffer): Promise<{ reply?: unknown; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    socket.once('error', () => undefined);
    socket.once('open', () => {
      socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      socket.send(frame);
    });
    socket.on('message', (data) => {
      resolve({ reply: JSON.parse(data.toString()) });
      socket.close();
    });
    socket.once('close', (code) => resolve({ closeCode: code }));
    setTimeout(() => reject(new Error('no reply')), 5000);
  });
}

for (const provider of ['sqlite', 'postgresql'] as const) {
  describe(`hostile and malformed input on ${provider}`, () => {
    let server: TestServer;
    let dropDatabase: (() => Promise<void>) | undefined;
    let alice: Awaited<ReturnType<typeof signUpOverHttp>>;
    let api: ReturnType<typeof wsClient>;
    let threadId: string;

    beforeAll(async () => {
      const env: Record<string, string> = { SEND_RATE_PER_SECOND: '10000' };
      if (provider === 'postgresql') {
        const database = await createTestPostgresDatabase();
        env.DATABASE_URL = database.url;
        dropDatabase = database.drop;
      }
      server = await startTestServer({ env });
      alice = await signUpOverHttp(server.url, 'alice');
      await signUpOverHttp(server.url, 'bob');
      api = wsClient(server.wsUrl, alice.token);
      threadId = (await api.client.thread.getOrCreate.mutate({ username: 'bob' })).id;
      await api.client.message.send.mutate({ threadId, body: 'accepted before the attack' });
    });

    afterAll(async () => {
      await api?.close();
      await server?.close();
      await dropDatabase?.();
    });

    it('stores and returns unusual but valid text exactly as sent', async () => {
      for (const body of EXACT_TEXTS) {
        const sent = await api.client.message.send.mutate({ threadId, body });
        expect(sent.body).toBe(body);
      }
      const page = await api.client.message.list.query({ threadId, limit: 100 });
      expect(page.messages.slice(-EXACT_TEXTS.length).map((m) => m.body)).toEqual(EXACT_TEXTS);
    });

    it('refuses NUL, other control characters and broken Unicode with BAD_REQUEST', async () => {
      for (const body of ['nul\u0000byte', 'bell\u0007', 'escape\u001B[31m', 'lone \uD800 surrogate', '\u007F']) {
        expect(await codeOf(api.client.message.send.mutate({ threadId, body }))).toBe('BAD_REQUEST');
      }
    });

    it('refuses a body over 4000 characters, wrong types and bad ids with clear codes', async () => {
      expect(await codeOf(api.client.message.send.mutate({ threadId, body: 'x'.repeat(4001) }))).toBe('BAD_REQUEST');
      // @ts-expect-error — wrong types, as an untyped client could send
      expect(await codeOf(api.client.message.send.mutate({ threadId: 42, body: ['no'] }))).toBe('BAD_REQUEST');
      expect(await codeOf(api.client.message.send.mutate({ threadId: 'nul\u0000id', body: 'x' }))).toBe('BAD_REQUEST');
      expect(await codeOf(api.client.message.send.mutate({ threadId: 'does-not-exist', body: 'x' }))).toBe('NOT_FOUND');
      const mallory = await signUpOverHttp(server.url, `mallory-${provider}`);
      const malloryApi = wsClient(server.wsUrl, mallory.token);
      expect(await codeOf(malloryApi.client.message.send.mutate({ threadId, body: 'x' }))).toBe('NOT_FOUND');
      expect(await codeOf(malloryApi.client.message.list.query({ threadId }))).toBe('NOT_FOUND');
      await malloryApi.close();
    });

    it('answers frames that are not JSON and unknown procedures with errors, and keeps the socket', async () => {
      const notJson = await rawExchange(server, alice.token, '{this is not json');
      expect(notJson.reply).toMatchObject({ error: { data: { code: 'PARSE_ERROR' } } });
      const unknown = await rawExchange(
        server,
        alice.token,
        JSON.stringify({ id: 1, method: 'query', params: { path: 'admin.dropAll', input: {} } }),
      );
      expect(unknown.reply).toMatchObject({ id: 1, error: { data: { code: 'NOT_FOUND' } } });
    });

    it('closes a socket that sends a frame over 1 MB (1009) without buffering it', async () => {
      const huge = await rawExchange(server, alice.token, Buffer.alloc(1024 * 1024 + 1, 'a'));
      expect(huge.closeCode).toBe(1009);
    });

    it('refuses hostile input to edit, delete, react and reply with clear codes, over the socket and HTTP alike', async () => {
      const m = api.client.message;
      const target = await m.send.mutate({ threadId, body: 'a target' });
      const code = (call: Promise<unknown>) => codeOf(call);
      // Wrong types and shapes.
      for (const input of [
        {},
        { messageId: 7, body: 'x' },
        { messageId: target.id, body: 42 },
        { messageId: target.id, body: '' },
        { messageId: '../x', body: 'x' },
      ]) {
        expect(await code(m.edit.mutate(input as never)), JSON.stringify(input)).toBe('BAD_REQUEST');
      }
      for (const input of [
        { messageId: target.id, emoji: '👍' },
        { messageId: target.id, emoji: '👍', on: 'yes' },
        { messageId: [target.id], emoji: '👍', on: true },
      ]) {
        expect(await code(m.react.mutate(input as never)), JSON.stringify(input)).toBe('BAD_REQUEST');
      }
      // Not one emoji.
      for (const emoji of ['a', 'ab', '👍👍', '\u200d', ' ', '1', 'x'.repeat(1024), '<b>', '👍\u0000']) {
        expect(await code(m.react.mutate({ messageId: target.id, emoji, on: true })), JSON.stringify(emoji.slice(0, 20))).toBe('BAD_REQUEST');
      }
      // Someone else's thread: the same answer as an id that does not exist.
      const mallory = await signUpOverHttp(server.url, 'mallory');
      const malloryApi = wsClient(server.wsUrl, mallory.token);
      const made = await malloryApi.client.message.edit.mutate({ messageId: 'made-up-id', body: 'x' }).catch((e: Error) => e.message);
      const real = await malloryApi.client.message.edit.mutate({ messageId: target.id, body: 'x' }).catch((e: Error) => e.message);
      expect(real).toBe(made);
      expect(await code(malloryApi.client.message.react.mutate({ messageId: target.id, emoji: '👍', on: true }))).toBe('NOT_FOUND');
      expect(await code(malloryApi.client.message.delete.mutate({ messageId: target.id }))).toBe('NOT_FOUND');
      const theirThread = await malloryApi.client.thread.getOrCreate.mutate({ username: 'mallory' });
      const theirs = await malloryApi.client.message.send.mutate({ threadId: theirThread.id, body: 'mine alone' });
      expect(await code(m.send.mutate({ threadId, body: 'quoting', replyToId: theirs.id }))).toBe('NOT_FOUND');
      await malloryApi.close();
      // A 21st emoji, over an HTTP batch.
      const http = httpClient(server.url, { authorization: `Bearer ${alice.token}` });
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
      await Promise.all(emoji.map((e) => http.message.react.mutate({ messageId: target.id, emoji: e, on: true })));
      expect(await code(http.message.react.mutate({ messageId: target.id, emoji: '🤔', on: true }))).toBe('CONFLICT');
      // A body full of mentions is bounded, not refused.
      const noisy = await m.send.mutate({
        threadId,
        body: Array.from({ length: 1000 }, () => '@bob')
          .join(' ')
          .slice(0, 4000),
      });
      expect(noisy.mentions.map((u) => u.username)).toEqual(['bob']);
      // A deleted message stays deleted.
      await m.delete.mutate({ messageId: target.id });
      expect(await code(m.edit.mutate({ messageId: target.id, body: 'back from the dead' }))).toBe('CONFLICT');
      expect(await code(m.react.mutate({ messageId: target.id, emoji: '👍', on: true }))).toBe('CONFLICT');
    });

    it('loses nothing already accepted and keeps serving', async () => {
      const page = await api.client.message.list.query({ threadId, limit: 100 });
      expect(page.messages[0]?.body).toBe('accepted before the attack');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await api.client.message.send.mutate({ threadId, body: 'still here' })).body).toBe('still here');
    });
  });
}
