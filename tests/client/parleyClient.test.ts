import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createParleyClient,
  createParleyHttpClient,
  errorCodeOf,
  logIn,
  signUp,
  type ConnectionState,
  type MessageView,
  type ParleyClient,
} from '@parley/client';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PASSWORD = 'correct horse battery';
let server: TestServer;
let proxy: TcpProxy;
const clients: ParleyClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
  proxy = await startTcpProxy(Number(new URL(server.url).port));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await proxy.close();
  await server.close();
});

function connect(url: string, token?: string, states: ConnectionState[] = []): ParleyClient {
  const client = createParleyClient({
    url,
    ...(token ? { token } : {}),
    onConnectionState: (state) => states.push(state),
    retryDelayMs: () => 100,
  });
  clients.push(client);
  return client;
}

describe('logIn and signUp', () => {
  it('return the user and a token that authenticates over HTTP', async () => {
    const created = await signUp(server.url, 'alice', PASSWORD);
    const again = await logIn(server.url, 'alice', PASSWORD);
    expect(again.user).toEqual(created.user);
    expect(again.token).not.toBe(created.token);
    expect(await createParleyHttpClient({ url: server.url, token: again.token }).auth.me.query()).toEqual(created.user);
  });

  it('fail with UNAUTHORIZED for a wrong password', async () => {
    await signUp(server.url, 'alice', PASSWORD);
    const error = await logIn(server.url, 'alice', 'not the password').catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('UNAUTHORIZED');
  });
});

describe('createParleyClient', () => {
  it('calls procedures over one socket with a token, from connecting to open', async () => {
    const { token } = await signUp(server.url, 'alice', PASSWORD);
    await signUp(server.url, 'bob', PASSWORD);
    const states: ConnectionState[] = [];
    const client = connect(`http://127.0.0.1:${proxy.port}`, token, states);
    expect(client.connectionState).toBe('connecting');
    const thread = await client.api.thread.getOrCreate.mutate({ username: 'bob' });
    await client.api.message.send.mutate({ threadId: thread.id, body: 'hi' });
    expect((await client.api.thread.list.query())[0]?.lastMessage?.body).toBe('hi');
    expect(states).toEqual(['open']);
    expect(proxy.openConnections()).toBe(1);
  });

  it('reports NOT_FOUND for an unknown username', async () => {
    const { token } = await signUp(server.url, 'alice', PASSWORD);
    const error = await connect(server.wsUrl, token)
      .api.thread.getOrCreate.mutate({ username: 'nobody' })
      .catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('NOT_FOUND');
  });

  it('reconnects after the socket drops and resumes the subscription with every message once, in order', async () => {
    const alice = await signUp(server.url, 'alice', PASSWORD);
    const bob = await signUp(server.url, 'bob', PASSWORD);
    const aliceClient = connect(server.url, alice.token);
    const states: ConnectionState[] = [];
    const bobClient = connect(`http://127.0.0.1:${proxy.port}`, bob.token, states);
    const thread = await aliceClient.api.thread.getOrCreate.mutate({ username: 'bob' });

    const received: MessageView[] = [];
    // From seq 0, so nothing depends on when the subscription reaches the server.
    bobClient.api.thread.onMessage.subscribe(
      { threadId: thread.id, lastEventId: '0' },
      { onData: ({ data }) => void (data.kind === 'message' && received.push(data.message)) },
    );
    await waitFor(() => bobClient.connectionState === 'open', 'bob open');
    const send = (body: string) => aliceClient.api.message.send.mutate({ threadId: thread.id, body });
    await send('one');
    await waitFor(() => received.length === 1, 'first message');

    proxy.setBlocked(true);
    proxy.dropAll();
    await waitFor(() => bobClient.connectionState === 'reconnecting', 'reconnecting');
    await send('two');
    await send('three');
    proxy.setBlocked(false);
    await waitFor(() => received.length >= 3, 'messages after reconnect');
    await send('four');
    await waitFor(() => received.length >= 4, 'live message after reconnect');
    await new Promise((r) => setTimeout(r, 200));

    expect(received.map((m) => `${m.seq}:${m.body}`)).toEqual(['1:one', '2:two', '3:three', '4:four']);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('stops for good with session-ended when the token is not valid, instead of retrying', async () => {
    const states: ConnectionState[] = [];
    const client = connect(`http://127.0.0.1:${proxy.port}`, 'not-a-token', states);
    await waitFor(() => client.connectionState === 'closed', 'closed');
    expect(client.closeReason).toBe('session-ended');
    await new Promise((r) => setTimeout(r, 400));
    // The socket itself opens before the server reads the token and refuses it; it is never retried.
    expect(states).not.toContain('reconnecting');
    expect(states.at(-1)).toBe('closed');
    expect(proxy.openConnections()).toBe(0);
  });

  it('closes with session-ended when the session logs out elsewhere', async () => {
    const { token } = await signUp(server.url, 'alice', PASSWORD);
    const client = connect(server.url, token);
    await client.api.auth.me.query();
    await createParleyHttpClient({ url: server.url, token }).auth.logOut.mutate();
    await waitFor(() => client.connectionState === 'closed', 'closed after log out');
    expect(client.closeReason).toBe('session-ended');
  });

  it('closes when its owner closes it, completing subscriptions', async () => {
    const { token } = await signUp(server.url, 'alice', PASSWORD);
    await signUp(server.url, 'bob', PASSWORD);
    const client = connect(server.url, token);
    const thread = await client.api.thread.getOrCreate.mutate({ username: 'bob' });
    let completed = false;
    client.api.thread.onMessage.subscribe({ threadId: thread.id }, { onComplete: () => (completed = true) });
    await waitFor(() => client.connectionState === 'open', 'open');
    await client.close();
    expect(client.connectionState).toBe('closed');
    expect(client.closeReason).toBe('closed');
    expect(completed).toBe(true);
  });
});
