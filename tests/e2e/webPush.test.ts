import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { browserSubscription, startPushService } from '../helpers/pushService.ts';
import { spawnServer, type ServerProcess } from '../helpers/serverProcess.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { httpClient, signUpOverHttp, wsClient } from '../helpers/trpcClients.ts';
import { codeOf } from '../helpers/trpcErrors.ts';

type Person = Awaited<ReturnType<typeof signUpOverHttp>>;

let server: ServerProcess;
const dataDir = makeTempDir();
let pushService: Awaited<ReturnType<typeof startPushService>>;
let n = 0;

beforeAll(async () => {
  pushService = await startPushService((path) => (path.includes('gone') ? 410 : path.includes('slow') ? 'hang' : 201));
  // A process of its own, so that it trusts the push service's test certificate as it would a public one's.
  // A short coalescing window keeps the test quick; PUSH_ALLOW_ANY_ENDPOINT lets the push service be on 127.0.0.1.
  server = await spawnServer({
    DATABASE_URL: `file:${dataDir.path}/parley.db`,
    NODE_EXTRA_CA_CERTS: pushService.caFile,
    PUSH_ALLOW_ANY_ENDPOINT: 'true',
    PUSH_COALESCE_MS: '200',
  });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await pushService?.close();
  dataDir.remove();
});

const as = (who: Person) => httpClient(server.url, { authorization: `Bearer ${who.token}` });
const pushesTo = (path: string) => pushService.received.filter((push) => push.path === path);
const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

/** Two fresh people in a direct thread, the second subscribed to pushes at /push/<name>. */
async function pair() {
  n++;
  const ada = await signUpOverHttp(server.url, `ada${n}`);
  const bob = await signUpOverHttp(server.url, `bob${n}`);
  const path = `/push/bob${n}`;
  const browser = browserSubscription(`${pushService.url}${path}`);
  await as(bob).push.subscribe.mutate(browser.subscription);
  const thread = await as(ada).thread.getOrCreate.mutate({ username: bob.user.username });
  return { ada, bob, path, browser, threadId: thread.id };
}

describe('Web Push from the server', () => {
  it('pushes a new message to a subscribed member, encrypted (aes128gcm) and signed (VAPID), opening the thread', async () => {
    const { ada, path, browser, threadId } = await pair();
    const { publicKey } = await as(ada).push.vapidPublicKey.query();
    await as(ada).message.send.mutate({ threadId, body: 'lunch at noon?' });
    await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(1), { timeout: 5000 });
    const [push] = pushesTo(path);
    expect(push!.headers['content-encoding']).toBe('aes128gcm');
    expect(push!.headers.authorization).toMatch(new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${publicKey}$`));
    expect(push!.body.includes(Buffer.from('lunch'))).toBe(false);
    expect(browser.decrypt(push!.body)).toEqual({ title: ada.user.username, body: 'lunch at noon?', threadId, url: `/t/${threadId}`, count: 1 });
  });

  it('coalesces a burst into one notification that says how many', async () => {
    const { ada, path, browser, threadId } = await pair();
    for (const body of ['one', 'two', 'three', 'four']) await as(ada).message.send.mutate({ threadId, body });
    await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(1), { timeout: 5000 });
    await settle();
    expect(pushesTo(path)).toHaveLength(1);
    expect(browser.decrypt(pushesTo(path)[0]!.body)).toMatchObject({ body: 'four (+3 more)', count: 4 });
  });

  it('pushes nothing while the person has a socket in a focused tab, and resumes when it is not', async () => {
    const { ada, bob, path, browser, threadId } = await pair();
    const tab = wsClient(server.wsUrl, bob.token);
    try {
      await tab.client.push.reportFocus.mutate({ focused: true });
      await as(ada).message.send.mutate({ threadId, body: 'seen in the tab' });
      await settle();
      expect(pushesTo(path)).toHaveLength(0);

      await tab.client.push.reportFocus.mutate({ focused: false });
      await as(ada).message.send.mutate({ threadId, body: 'after you looked away' });
      await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(1), { timeout: 5000 });
      // What the focused tab showed is not pushed again... unless unread: Bob never marked it read, so it counts.
      expect(browser.decrypt(pushesTo(path)[0]!.body)).toMatchObject({ body: 'after you looked away (+1 more)' });
    } finally {
      await tab.close();
    }
    // Closing the socket ends its focus too (a closed tab is not looking).
    expect(await codeOf(as(bob).push.reportFocus.mutate({ focused: true }))).toBe('BAD_REQUEST');
  });

  it('never pushes what I have read, and never a message twice', async () => {
    const { ada, bob, path, browser, threadId } = await pair();
    const first = await as(ada).message.send.mutate({ threadId, body: 'first' });
    await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(1), { timeout: 5000 });
    await as(bob).thread.markRead.mutate({ threadId, seq: first.seq });
    await as(ada).message.send.mutate({ threadId, body: 'second' });
    await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(2), { timeout: 5000 });
    expect(browser.decrypt(pushesTo(path)[1]!.body)).toMatchObject({ body: 'second', count: 1 });
  });

  it('shows only who wrote where when I choose notifications without text', async () => {
    const { ada, bob, path, browser, threadId } = await pair();
    await as(bob).push.setShowText.mutate({ showText: false });
    expect(await as(bob).push.settings.query()).toEqual({ showText: false });
    await as(ada).message.send.mutate({ threadId, body: 'the secret plan' });
    await vi.waitFor(() => expect(pushesTo(path)).toHaveLength(1), { timeout: 5000 });
    const payload = browser.decrypt(pushesTo(path)[0]!.body);
    expect(payload).toMatchObject({ title: ada.user.username, body: `New message from ${ada.user.username}` });
    expect(JSON.stringify(payload)).not.toContain('secret');
  });

  it('follows notification levels: groups notify mentions by default; all; mute', async () => {
    n++;
    const [ada, bob] = [await signUpOverHttp(server.url, `gada${n}`), await signUpOverHttp(server.url, `gbob${n}`)];
    const carol = await signUpOverHttp(server.url, `gcarol${n}`);
    const browser = browserSubscription(`${pushService.url}/push/gbob${n}`);
    await as(bob).push.subscribe.mutate(browser.subscription);
    const group = await as(ada).thread.createGroup.mutate({ usernames: [bob.user.username, carol.user.username], title: 'Plans' });
    expect((await as(bob).thread.list.query()).find((t) => t.id === group.id)?.notifications).toBe('mentions');

    await as(ada).message.send.mutate({ threadId: group.id, body: 'anyone around?' });
    await settle();
    expect(pushesTo(`/push/gbob${n}`)).toHaveLength(0);
    await as(ada).message.send.mutate({ threadId: group.id, body: `@${bob.user.username} can you review?` });
    await vi.waitFor(() => expect(pushesTo(`/push/gbob${n}`)).toHaveLength(1), { timeout: 5000 });
    expect(browser.decrypt(pushesTo(`/push/gbob${n}`)[0]!.body)).toMatchObject({
      title: 'Plans',
      body: `${ada.user.username}: @${bob.user.username} can you review?`,
    });

    await as(bob).thread.setNotifications.mutate({ threadId: group.id, level: 'mute' });
    expect((await as(bob).thread.list.query()).find((t) => t.id === group.id)?.notifications).toBe('mute');
    await as(ada).message.send.mutate({ threadId: group.id, body: `@${bob.user.username} still there?` });
    await settle();
    expect(pushesTo(`/push/gbob${n}`)).toHaveLength(1);
    expect(await codeOf(as(carol).thread.setNotifications.mutate({ threadId: 'no-such-thread', level: 'all' }))).toBe('NOT_FOUND');
  });

  it('drops a subscription the push service says is gone (410)', async () => {
    n++;
    const ada = await signUpOverHttp(server.url, `ada${n}`);
    const bob = await signUpOverHttp(server.url, `bob${n}`);
    const gone = browserSubscription(`${pushService.url}/push/gone-${n}`);
    await as(bob).push.subscribe.mutate(gone.subscription);
    const thread = await as(ada).thread.getOrCreate.mutate({ username: bob.user.username });
    await as(ada).message.send.mutate({ threadId: thread.id, body: 'hello?' });
    await vi.waitFor(() => expect(pushesTo(`/push/gone-${n}`)).toHaveLength(1), { timeout: 5000 });
    // Gone: the next message is not pushed to it again.
    await as(ada).message.send.mutate({ threadId: thread.id, body: 'still there?' });
    await settle();
    expect(pushesTo(`/push/gone-${n}`)).toHaveLength(1);
  });

  it('delivers messages at once while the push service does not answer', async () => {
    n++;
    const ada = await signUpOverHttp(server.url, `ada${n}`);
    const bob = await signUpOverHttp(server.url, `bob${n}`);
    await as(bob).push.subscribe.mutate(browserSubscription(`${pushService.url}/push/slow-${n}`).subscription);
    const thread = await as(ada).thread.getOrCreate.mutate({ username: bob.user.username });
    await as(ada).message.send.mutate({ threadId: thread.id, body: 'one' });
    await vi.waitFor(() => expect(pushesTo(`/push/slow-${n}`)).toHaveLength(1), { timeout: 5000 });
    // The push request hangs; sends and their delivery do not wait for it.
    const listener = wsClient(server.wsUrl, bob.token);
    const received: string[] = [];
    listener.client.thread.onMessage.subscribe(
      { threadId: thread.id, lastEventId: '1' },
      { onData: (e) => void (e.data.kind === 'message' && received.push(e.data.message.body)) },
    );
    for (const body of ['two', 'three']) await as(ada).message.send.mutate({ threadId: thread.id, body });
    await vi.waitFor(() => expect(received).toEqual(['two', 'three']), { timeout: 2000 });
    await listener.close();
  });

  it('refuses endpoints that are not a push service’s where the operator does not allow them', async () => {
    const strict = await startTestServer();
    try {
      const eve = await signUpOverHttp(strict.url, 'eve');
      const client = httpClient(strict.url, { authorization: `Bearer ${eve.token}` });
      for (const endpoint of [
        'http://push.example.com/x',
        'https://127.0.0.1/x',
        'https://localhost/x',
        'https://[::1]/x',
        'https://10.0.0.5/admin',
      ]) {
        const { subscription } = browserSubscription(endpoint);
        expect(await codeOf(client.push.subscribe.mutate(subscription)), endpoint).toBe('BAD_REQUEST');
      }
      const { subscription } = browserSubscription('https://fcm.googleapis.com/fcm/send/abc');
      expect(await client.push.subscribe.mutate(subscription)).toEqual({ isSubscribed: true });
      expect(await codeOf(client.push.subscribe.mutate({ ...subscription, keys: { p256dh: 'short', auth: 'x' } }))).toBe('BAD_REQUEST');
    } finally {
      await strict.close();
    }
  });
});
