import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createParleyClient, signUp, type ParleyClient } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createGroupInBrowser, launchChromium, openPerson, PASSWORD, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const LIVE = { timeout: 5000 };

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: ParleyClient;
let directThreadId: string;
const screenshots = screenshotFolder('installable');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice_inst');
  // Notifications are recorded instead of shown, and the tab can be made to look hidden: headless Chromium
  // neither shows notifications nor hides a tab.
  await alice.page.addInitScript(() => {
    const shown: RecordedNotification[] = [];
    class RecordedNotification {
      static permission: NotificationPermission = 'default';
      static async requestPermission(): Promise<NotificationPermission> {
        RecordedNotification.permission = 'granted';
        return 'granted';
      }
      onclick: (() => void) | null = null;
      readonly title: string;
      readonly body: string | undefined;
      readonly tag: string | undefined;
      constructor(title: string, options: NotificationOptions = {}) {
        this.title = title;
        this.body = options.body;
        this.tag = options.tag;
        shown.push(this);
      }
      close() {}
    }
    Object.assign(window, { Notification: RecordedNotification, shownNotifications: shown });
  });
  // For the service worker's own notifications (Web Push), which the stub above does not reach.
  await alice.context.grantPermissions(['notifications'], { origin: server.url });
  bob = createParleyClient({ url: server.url, token: (await signUp(server.url, 'bob_inst', PASSWORD)).token });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await bob?.close();
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message/ });
const favicon = (page: Page) => page.locator('link[rel="icon"]').getAttribute('href');
type Shown = { title: string; body?: string; tag?: string; onclick: (() => void) | null };
const shownNotifications = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { shownNotifications: Shown[] }).shownNotifications.map(({ title, body, tag }) => ({ title, body, tag })),
  );

/** Makes the page look hidden (or visible again) to the app, as switching tabs does. */
async function setTabHidden(page: Page, isHidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, isHidden);
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('Parley as an installable app', () => {
  it('registers a service worker for the whole origin that controls the page after a reload', async () => {
    await signUpInBrowser(alice, server.url);
    const scope = await alice.page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${server.url}/`);
    await alice.page.reload();
    await alice.page.getByText(`Signed in as ${alice.name}`).waitFor();
    expect(await alice.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/sw.js`);
  });

  it('links a manifest with the name, colours and icons an install needs', async () => {
    const href = await alice.page.locator('link[rel="manifest"]').getAttribute('href');
    const response = await alice.page.request.get(new URL(href ?? '', server.url).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/manifest+json');
    const manifest = (await response.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose: string }[];
    };
    expect(manifest).toMatchObject({ name: 'Parley', short_name: 'Parley', start_url: '/', display: 'standalone', theme_color: '#1d4ed8' });
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
    const pngs = manifest.icons.filter((icon) => icon.type === 'image/png');
    expect(pngs.map((icon) => `${icon.sizes} ${icon.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of pngs) {
      const image = await alice.page.request.get(new URL(icon.src, server.url).href);
      expect(image.headers()['content-type']).toBe('image/png');
      const [width] = icon.sizes.split('x').map(Number);
      expect(pngSize(await image.body())).toEqual({ width, height: width });
    }
  });

  it('shows unread messages in the title and on the favicon while Alice looks at another thread', async () => {
    const { page } = alice;
    const plainIcon = await favicon(page);
    expect(plainIcon).toMatch(/\/icons\/icon\.svg$/);
    directThreadId = (await bob.api.thread.getOrCreate.mutate({ username: alice.name })).id;
    await createGroupInBrowser(alice, 'bob_inst', 'Plans');

    await bob.api.message.send.mutate({ threadId: directThreadId, body: 'are you there?', clientId: crypto.randomUUID() });
    await expect.poll(() => page.title(), LIVE).toBe('(1) Parley');
    await expect.poll(() => favicon(page), LIVE).toMatch(/^data:image\/png;base64,/);
    await bob.api.message.send.mutate({ threadId: directThreadId, body: 'hello?', clientId: crypto.randomUUID() });
    await expect.poll(() => page.title(), LIVE).toBe('(2) Parley');
    await screenshots.shot(page, 'alice-two-unread');

    await page.locator('.thread-item[data-thread-title="bob_inst"]').click();
    await page.getByRole('heading', { name: 'bob_inst' }).waitFor();
    await expect.poll(() => page.title(), LIVE).toBe('Parley');
    await expect.poll(() => favicon(page), LIVE).toBe(plainIcon);
    // Visible tab: no notification was due.
    expect(await shownNotifications(page)).toEqual([]);
  });

  it('offers notifications after Alice first writes, and asks the browser only when she says so', async () => {
    const { page } = alice;
    expect(await page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
    await composer(page).fill('here now');
    await composer(page).press('Enter');
    await page.getByRole('button', { name: 'Turn on notifications' }).waitFor(LIVE);
    await screenshots.shot(page, 'alice-notification-prompt');
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
  });

  it('notifies Alice of a message that comes while her tab is hidden; the click opens its thread', async () => {
    const { page } = alice;
    await page.locator('.thread-item[data-thread-title="Plans"]').click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    await setTabHidden(page, true);
    await bob.api.message.send.mutate({ threadId: directThreadId, body: 'ping', clientId: crypto.randomUUID() });
    await expect.poll(() => page.title(), LIVE).toBe('(1) Parley');
    await expect.poll(() => shownNotifications(page), LIVE).toEqual([{ title: 'bob_inst', body: 'ping', tag: directThreadId }]);
    await expect.poll(() => favicon(page), LIVE).toMatch(/^data:image\/png;base64,/);

    await page.evaluate(() => (window as unknown as { shownNotifications: Shown[] }).shownNotifications[0]?.onclick?.());
    await page.getByRole('heading', { name: 'bob_inst' }).waitFor(LIVE);
    expect(new URL(page.url()).pathname).toBe(`/t/${directThreadId}`);
    await setTabHidden(page, false);
    await expect.poll(() => page.title(), LIVE).toBe('Parley');
    expect(alice.pageErrors).toEqual([]);
    expect(alice.cspViolations).toEqual([]);
  });

  it('keeps only the app shell in its cache, never the API or files', async () => {
    const cached = await alice.page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/index.html');
    expect(cached.filter((path) => !/^\/(?:index\.html|manifest\.webmanifest|icons\/|assets\/)/.test(path))).toEqual([]);
  });

  it('shows a pushed message from the service worker, but not while a Parley tab has focus', async () => {
    const { page } = alice;
    const cdp = await alice.context.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const live = registrations.find((candidate) => !candidate.isDeleted && candidate.scopeURL === `${server.url}/`);
        if (live) resolve(live.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    const push = (payload: object) =>
      cdp.send('ServiceWorker.deliverPushMessage', { origin: `${server.url}/`, registrationId, data: JSON.stringify(payload) });
    const workerNotifications = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map(({ title, body, tag, data }) => ({ title, body, tag, data })),
      );

    // Headless pages always have focus: the open tab shows the message itself.
    await push({ title: 'bob_inst', body: 'seen in the tab', threadId: directThreadId, url: `/t/${directThreadId}` });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await workerNotifications()).toEqual([]);

    // No Parley tab: the worker shows it, without text when the payload has none (the privacy setting).
    await page.goto('about:blank');
    await push({ title: 'bob_inst', threadId: directThreadId, url: `/t/${directThreadId}` });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.goto(`${server.url}/`);
    await expect
      .poll(workerNotifications, LIVE)
      .toEqual([{ title: 'bob_inst', body: '', tag: directThreadId, data: { url: `/t/${directThreadId}` } }]);
    await cdp.detach();
  });
});
