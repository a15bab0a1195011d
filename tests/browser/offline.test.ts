import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openPerson, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const LIVE = { timeout: 5000 };
// Back online, the socket reconnects on its backoff schedule (at most 15 s between tries).
const BACK_ONLINE = { timeout: 25_000 };

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: Person;
let threadId: string;
const screenshots = screenshotFolder('offline');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice_offline');
  bob = await openPerson(browser, 'bob_offline');
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message/ });
const banner = (page: Page) => page.locator('.connection-banner');
const rows = (page: Page) =>
  page
    .locator('.messages .message')
    .evaluateAll((els) => els.map((el) => `${(el as HTMLElement).dataset.status}:${el.querySelector('.message-body')?.textContent}`));

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** The bodies message.list returns to Bob over HTTP (his cookie), oldest first. */
async function storedBodies(): Promise<string[]> {
  return bob.page.evaluate(async (id) => {
    const input = encodeURIComponent(JSON.stringify({ threadId: id, limit: 50 }));
    const response = await fetch(`/trpc/message.list?input=${input}`);
    const json = (await response.json()) as { result: { data: { messages: { body: string }[] } } };
    return json.result.data.messages.map((message) => message.body);
  }, threadId);
}

describe('messages Alice sends offline', () => {
  it('opens a conversation between Alice and Bob, with the app installed in Alice’s browser', async () => {
    await signUpInBrowser(alice, server.url);
    await signUpInBrowser(bob, server.url);
    await alice.page.getByLabel('Username to message').fill(bob.name);
    await alice.page.getByRole('button', { name: 'Start' }).click();
    await alice.page.getByRole('heading', { name: bob.name }).waitFor();
    threadId = decodeURIComponent(new URL(alice.page.url()).pathname.split('/')[2] ?? '');
    await bob.page.getByRole('link', { name: new RegExp(alice.name) }).click(LIVE);
    await bob.page.getByRole('heading', { name: alice.name }).waitFor();
    await send(alice.page, 'before the tunnel');
    await expect.poll(() => rows(bob.page), LIVE).toEqual(['confirmed:before the tunnel']);
    // The service worker has precached the shell and controls the page: a reload offline can open.
    await alice.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, LIVE);
  });

  it('says "offline" at once when the browser loses the network', async () => {
    await alice.context.setOffline(true);
    await expect.poll(() => banner(alice.page).textContent(), { timeout: 1000 }).toContain('You are offline');
  });

  it('keeps two messages as pending across a reload while offline', async () => {
    await send(alice.page, 'first in the tunnel');
    await send(alice.page, 'second in the tunnel');
    await expect.poll(() => rows(alice.page)).toEqual(['confirmed:before the tunnel', 'pending:first in the tunnel', 'pending:second in the tunnel']);

    await alice.page.reload();
    // The shell came from the service worker; the history is not there offline, the unsent messages are.
    await expect.poll(() => rows(alice.page), LIVE).toEqual(['pending:first in the tunnel', 'pending:second in the tunnel']);
    await expect.poll(() => banner(alice.page).textContent()).toContain('You are offline');
    await screenshots.shot(alice.page, 'alice-offline-after-reload');
    expect(await rows(bob.page)).toEqual(['confirmed:before the tunnel']);
  });

  it('sends both once, in order, when Alice is back online', async () => {
    await alice.context.setOffline(false);
    const all = ['confirmed:before the tunnel', 'confirmed:first in the tunnel', 'confirmed:second in the tunnel'];
    await expect.poll(() => rows(alice.page), BACK_ONLINE).toEqual(all);
    await expect.poll(() => rows(bob.page), LIVE).toEqual(all);
    await expect.poll(() => banner(alice.page).textContent(), LIVE).toBe('');
    await screenshots.shot(bob.page, 'bob-received-both');

    // Nothing more arrives later (no second copy of a resend), and the server stored each once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await rows(bob.page)).toEqual(all);
    expect(await storedBodies()).toEqual(['before the tunnel', 'first in the tunnel', 'second in the tunnel']);
    expect(alice.pageErrors).toEqual([]);
    expect(alice.cspViolations).toEqual([]);
  });

  it('leaves nothing in the outbox to send again after another reload', async () => {
    await alice.page.reload();
    await expect
      .poll(() => rows(alice.page), LIVE)
      .toEqual(['confirmed:before the tunnel', 'confirmed:first in the tunnel', 'confirmed:second in the tunnel']);
    const unsent = await alice.page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const request = indexedDB.open('parley');
          request.onsuccess = () => {
            const count = request.result.transaction('outbox').objectStore('outbox').count();
            count.onsuccess = () => resolve(count.result);
            count.onerror = () => reject(count.error);
          };
          request.onerror = () => reject(request.error);
        }),
    );
    expect(unsent).toBe(0);
  });
});
