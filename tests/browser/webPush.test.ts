import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createParleyClient, signUp, type ParleyClient } from '@parley/client';
import { browserSubscription } from '../helpers/pushService.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { findSeriousViolations } from './axeAudit.ts';
import { createGroupInBrowser, launchChromium, openPerson, PASSWORD, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const LIVE = { timeout: 5000 };
const BOB = 'bob_push';

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: ParleyClient;
let directThreadId: string;
const screenshots = screenshotFolder('web-push');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice_push');
  bob = createParleyClient({ url: server.url, token: (await signUp(server.url, BOB, PASSWORD)).token });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await bob?.close();
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message/ });
const db = () => server.parley.deps.db;
const userIdOf = async (username: string) => (await db().user.findFirstOrThrow({ where: { username }, select: { id: true } })).id;
const subscriptionsOf = async (username: string) => db().pushSubscription.findMany({ where: { userId: await userIdOf(username) } });

async function levelIn(threadId: string, username: string): Promise<string | null> {
  const member = await db().threadMember.findUniqueOrThrow({ where: { threadId_userId: { threadId, userId: await userIdOf(username) } } });
  return member.notifications;
}

describe('notifications from the server: Web Push, levels and focus', () => {
  it('turns notifications on from the prompt; where Chromium has no push service it says so, and the tab still notifies', async () => {
    const { page } = alice;
    await signUpInBrowser(alice, server.url);
    directThreadId = (await bob.api.thread.getOrCreate.mutate({ username: alice.name })).id;
    await page.locator(`.thread-item[data-thread-title="${BOB}"]`).click();
    await composer(page).fill('hello Bob');
    await composer(page).press('Enter');
    await page.getByRole('button', { name: 'Turn on notifications' }).waitFor(LIVE);

    await alice.context.grantPermissions(['notifications'], { origin: server.url });
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    // Headless Chromium's profiles are off the record, and its push service is Google's: it refuses to subscribe.
    const note = page.getByRole('status').filter({ hasText: 'Notifications are on while Parley is open.' });
    await note.waitFor({ timeout: 25_000 });
    expect(await note.textContent()).toContain('would not set up push notifications (registration failed');
    await screenshots.shot(page, 'alice-push-unavailable');
    expect(await findSeriousViolations(page)).toEqual([]);
    expect(await subscriptionsOf(alice.name)).toEqual([]);
    expect(await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription()) === null)).toBe(true);

    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByText('Notification settings').click();
    await page.getByText('Notifications are on in this browser.').waitFor();
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    expect(await findSeriousViolations(page)).toEqual([]); // the settings open, the level menu in the header
    expect(alice.pageErrors).toEqual([]);
  });

  it('keeps the privacy choice on the server: "Show message text in notifications"', async () => {
    const { page } = alice;
    const showText = page.getByLabel('Show message text in notifications');
    await expect.poll(() => showText.isEnabled(), LIVE).toBe(true);
    expect(await showText.isChecked()).toBe(true);
    await showText.uncheck();
    await expect.poll(async () => (await db().user.findFirstOrThrow({ where: { username: alice.name } })).notificationText, LIVE).toBe(false);
    await page.reload();
    await page.getByText('Notification settings').click();
    await expect.poll(() => showText.isEnabled(), LIVE).toBe(true);
    expect(await showText.isChecked()).toBe(false);
    await showText.check();
    await expect.poll(async () => (await db().user.findFirstOrThrow({ where: { username: alice.name } })).notificationText, LIVE).toBe(true);
  });

  it("sets a thread's level from its header, and the level outlives a reload", async () => {
    const { page } = alice;
    await page.locator(`.thread-item[data-thread-title="${BOB}"]`).click();
    const level = page.getByLabel('Notify me');
    await expect.poll(() => level.inputValue(), LIVE).toBe('all');
    await level.selectOption({ label: 'Nothing' });
    await expect.poll(() => levelIn(directThreadId, alice.name), LIVE).toBe('mute');
    await page.reload();
    await page.getByRole('heading', { name: BOB }).waitFor();
    await expect.poll(() => level.inputValue(), LIVE).toBe('mute');
    expect((await bob.api.thread.list.query()).find((t) => t.id === directThreadId)?.notifications).toBe('all'); // Bob's own stays

    await createGroupInBrowser(alice, BOB, 'Push plans');
    await expect.poll(() => level.inputValue(), LIVE).toBe('mentions');
    await level.selectOption({ label: 'All messages' });
    await expect.poll(async () => (await bob.api.thread.list.query()).find((t) => t.title === 'Push plans')?.notifications, LIVE).toBe('mentions');
    const groupId = (await db().thread.findFirstOrThrow({ where: { title: 'Push plans' } })).id;
    await expect.poll(() => levelIn(groupId, alice.name), LIVE).toBe('all');
    await screenshots.shot(page, 'alice-level-menu');
  });

  it('tells the server while the tab is focused, and when it is not', async () => {
    const { page } = alice;
    const aliceId = await userIdOf(alice.name);
    const isFocused = () => server.parley.deps.focus.isFocused(aliceId);
    await page.bringToFront();
    await expect.poll(isFocused, LIVE).toBe(true);
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await expect.poll(isFocused, LIVE).toBe(false);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(isFocused, LIVE).toBe(true);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(isFocused, LIVE).toBe(false);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(isFocused, LIVE).toBe(true);
    // Leaving the page ends the focus at once (its socket's close does too).
    await page.goto('about:blank');
    await expect.poll(isFocused, LIVE).toBe(false);
  });

  it("registers the browser's subscription with the server, and drops it on log out (a stand-in for Chromium's push service)", async () => {
    // What PushManager gives where a push service answers; the app code above it is the real one.
    const carol = await openPerson(browser, 'carol_push');
    const { subscription } = browserSubscription('https://push.example.test/send/carol');
    await carol.page.addInitScript((held) => {
      const record = { unsubscribed: 0, subscribeKeys: [] as number[][] };
      let current: object | null = null;
      const make = (key: ArrayBuffer) => ({
        endpoint: held.endpoint,
        options: { userVisibleOnly: true, applicationServerKey: key },
        toJSON: () => ({ endpoint: held.endpoint, expirationTime: null, keys: held.keys }),
        unsubscribe: async () => {
          record.unsubscribed++;
          current = null;
          return true;
        },
      });
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const key = new Uint8Array(options?.applicationServerKey as Uint8Array);
        record.subscribeKeys.push([...key]);
        current = make(key.buffer);
        return current as PushSubscription;
      };
      PushManager.prototype.getSubscription = async () => current as PushSubscription | null;
      Object.assign(window, { pushRecord: record });
    }, subscription);
    await carol.context.grantPermissions(['notifications'], { origin: server.url });
    await signUpInBrowser(carol, server.url);

    // Notifications were allowed already: signing in registers this browser, no prompt needed.
    await expect.poll(async () => (await subscriptionsOf(carol.name)).map((s) => s.endpoint), { timeout: 15_000 }).toEqual([subscription.endpoint]);
    const [stored] = await subscriptionsOf(carol.name);
    expect(stored).toMatchObject({ p256dh: subscription.keys.p256dh, auth: subscription.keys.auth });
    const record = () =>
      carol.page.evaluate(() => (window as unknown as { pushRecord: { unsubscribed: number; subscribeKeys: number[][] } }).pushRecord);
    const publicKey = await server.parley.deps.push.vapidPublicKey();
    expect((await record()).subscribeKeys).toEqual([[...Buffer.from(publicKey, 'base64url')]]);
    await carol.page.getByText('Notification settings').click();
    await carol.page.getByText('They reach you even when Parley is closed.').waitFor(LIVE);

    await carol.page.getByRole('button', { name: 'Log out' }).click();
    await carol.page.getByLabel('Password').waitFor();
    expect(await subscriptionsOf(carol.name)).toEqual([]);
    expect((await record()).unsubscribed).toBe(1);
    expect(carol.pageErrors).toEqual([]);
    await carol.context.close();
  });
});
