import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openPerson, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const SECOND = 1000;

let server: TestServer;
// Each person reaches the server through their own proxy, so Bob's network can fail while Alice's works.
let aliceNet: TcpProxy;
let bobNet: TcpProxy;
let browser: Browser;
let alice: Person;
let bob: Person;
let threadPath: string;
const screenshots = screenshotFolder('two-people-chat');
const latencies: number[] = [];
/** thread.list calls Bob's page sent over its WebSocket: a thread list kept live by events needs no re-reads. */
let bobListReads = 0;

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  aliceNet = await startTcpProxy();
  bobNet = await startTcpProxy();
  server = await startTestServer({
    env: { STATIC_DIR: staticDir, ALLOWED_ORIGINS: `${aliceNet.origin},${bobNet.origin}` },
  });
  const port = Number(new URL(server.url).port);
  aliceNet.setTarget(port);
  bobNet.setTarget(port);
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice');
  bob = await openPerson(browser, 'bob');
  bob.page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (String(payload).includes('"thread.list"')) bobListReads += 1;
    });
  });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  console.log(`send-to-seen latencies (ms): ${latencies.join(', ')}`);
  await browser?.close();
  await aliceNet?.close();
  await bobNet?.close();
  await server?.close();
});

/** What is left of `budgetMs` since `started`; at least 1, because Playwright takes a timeout of 0 as none. */
function leftOf(budgetMs: number, started: number): number {
  return Math.max(1, budgetMs - (Date.now() - started));
}

function composer(page: Page) {
  return page.getByRole('textbox', { name: /^Message / });
}

function bodies(page: Page): Promise<string[]> {
  return page.locator('.messages .message-body').allTextContents();
}

/** Sends with Enter and resolves once `reader` shows the message, failing if that takes over a second. */
async function sendAndSee(sender: Person, reader: Person, text: string) {
  await composer(sender.page).fill(text);
  const started = Date.now();
  await composer(sender.page).press('Enter');
  await reader.page.locator('.messages .message-body', { hasText: text }).last().waitFor({ timeout: SECOND });
  latencies.push(Date.now() - started);
}

describe('Alice and Bob chat in two browsers', () => {
  it('both sign up and land in an empty chat', async () => {
    await signUpInBrowser(alice, aliceNet.origin);
    await signUpInBrowser(bob, bobNet.origin);
    await expect.poll(() => bob.page.getByText('No conversations yet').isVisible()).toBe(true);
    await screenshots.shot(bob.page, 'bob-signed-up');
  });

  it('refuses an unknown username clearly, then Alice starts a thread with Bob', async () => {
    const { page } = alice;
    await page.getByLabel('Username to message').fill('nobody_here');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('alert').filter({ hasText: 'There is no one called “nobody_here”' }).waitFor();
    await screenshots.shot(page, 'alice-unknown-username');

    // Bob's page stays as it is from here on: no reload, and no thread.list read brings the thread in.
    await bob.page.evaluate(() => Object.assign(window, { isTheSamePage: true }));
    const listReadsBefore = bobListReads;
    await page.getByLabel('Username to message').fill('bob');
    await page.getByRole('button', { name: 'Start' }).click();
    const started = Date.now();
    await page.getByRole('heading', { name: 'bob' }).waitFor();
    threadPath = new URL(page.url()).pathname;
    expect(threadPath).toMatch(/^\/t\/.+/);

    const item = bob.page.getByRole('link', { name: /alice/ });
    await item.waitFor({ timeout: leftOf(SECOND, started) });
    latencies.push(Date.now() - started);
    await expect.poll(() => item.locator('.thread-preview').textContent()).toBe('No messages yet');
    expect(await bob.page.evaluate(() => 'isTheSamePage' in window)).toBe(true);
    expect(bobListReads).toBe(listReadsBefore);
    await screenshots.shot(bob.page, 'bob-new-thread-live');
  });

  it('shows Alice her message at once, and Bob the new thread with an unread badge', async () => {
    const listReadsBefore = bobListReads;
    await composer(alice.page).fill('Hi Bob!');
    const started = Date.now();
    await composer(alice.page).press('Enter');
    await alice.page.locator('.message.is-mine[data-status="confirmed"] .message-body', { hasText: 'Hi Bob!' }).waitFor();

    // Bob learns of it from his one thread.onActivity subscription: no reload, no polling.
    const item = bob.page.getByRole('link', { name: /alice/ });
    await item.waitFor({ timeout: SECOND });
    const withinASecond = { timeout: leftOf(SECOND, started), interval: 20 };
    await expect.poll(() => item.locator('.thread-preview').textContent(), withinASecond).toBe('Hi Bob!');
    latencies.push(Date.now() - started);
    await expect.poll(() => item.locator('.unread-badge').textContent()).toBe('1');
    expect(await bob.page.evaluate(() => 'isTheSamePage' in window)).toBe(true);
    expect(bobListReads).toBe(listReadsBefore);
    await screenshots.shot(alice.page, 'alice-first-message');
    await screenshots.shot(bob.page, 'bob-thread-list-unread');

    await item.click();
    await bob.page.locator('.messages .message-body', { hasText: 'Hi Bob!' }).waitFor();
    await expect.poll(() => item.locator('.unread-badge').count()).toBe(0);
  });

  it('delivers messages both ways within a second, with Shift+Enter breaking a line', async () => {
    await sendAndSee(bob, alice, 'Hey Alice');
    await sendAndSee(alice, bob, 'How are you?');
    await composer(bob.page).fill('');
    await composer(bob.page).pressSequentially('Fine, thanks.');
    await composer(bob.page).press('Shift+Enter');
    await composer(bob.page).pressSequentially('And you?');
    await composer(bob.page).press('Enter');
    await alice.page.locator('.messages .message-body', { hasText: 'And you?' }).waitFor({ timeout: SECOND });
    expect((await bodies(alice.page)).at(-1)).toBe('Fine, thanks.\nAnd you?');
    await screenshots.shot(alice.page, 'alice-conversation');
    await screenshots.shot(bob.page, 'bob-conversation');
  });

  it('keeps Bob signed in with the whole history after a reload', async () => {
    const before = await bodies(bob.page);
    await bob.page.reload();
    await bob.page.getByText('Signed in as bob').waitFor();
    expect(new URL(bob.page.url()).pathname).toBe(threadPath);
    await expect.poll(() => bodies(bob.page)).toEqual(before);
    expect(before).toEqual(['Hi Bob!', 'Hey Alice', 'How are you?', 'Fine, thanks.\nAnd you?']);
    await screenshots.shot(bob.page, 'bob-after-reload');
  });

  it('shows Bob a reconnecting banner when his socket drops, then every missed message once, in order', async () => {
    const banner = bob.page.locator('.connection-banner');
    await expect.poll(() => banner.getAttribute('data-state')).toBe('open');
    const listReadsBefore = bobListReads;
    bobNet.setBlocked(true);
    bobNet.dropAll();
    await banner.getByText('Reconnecting…').waitFor({ timeout: 5 * SECOND });
    await screenshots.shot(bob.page, 'bob-reconnecting');

    for (const text of ['While you were away 1', 'While you were away 2']) {
      await composer(alice.page).fill(text);
      await composer(alice.page).press('Enter');
      await alice.page.locator('.message[data-status="confirmed"] .message-body', { hasText: text }).waitFor();
    }
    bobNet.setBlocked(false);

    await expect.poll(() => banner.getAttribute('data-state'), { timeout: 20 * SECOND }).toBe('open');
    expect(await banner.isVisible()).toBe(false);
    await expect
      .poll(() => bodies(bob.page))
      .toEqual(['Hi Bob!', 'Hey Alice', 'How are you?', 'Fine, thanks.\nAnd you?', 'While you were away 1', 'While you were away 2']);
    // The activity stream cannot replay what it missed; its restart re-reads the list, which brings it.
    const preview = bob.page.getByRole('link', { name: /alice/ }).locator('.thread-preview');
    await expect.poll(() => preview.textContent()).toBe('While you were away 2');
    expect(bobListReads).toBeGreaterThan(listReadsBefore);
    await screenshots.shot(bob.page, 'bob-reconnected');
    // Live again, not just caught up.
    await sendAndSee(alice, bob, 'Back online?');
  });

  it('shows a message that looks like HTML as text and runs nothing', async () => {
    const attack = '<img src=x onerror=alert(1)>';
    await sendAndSee(alice, bob, attack);
    expect((await bodies(bob.page)).at(-1)).toBe(attack);
    expect(await bob.page.locator('.messages img').count()).toBe(0);
    expect(await bob.page.locator('.thread-list img').count()).toBe(0);
    await screenshots.shot(bob.page, 'bob-html-as-text');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alice.dialogs).toEqual([]);
    expect(bob.dialogs).toEqual([]);
  });

  it('fits a 375px phone screen, wrapping long words', async () => {
    const phone = await openPerson(browser, 'bob-phone', { width: 375, height: 740 });
    await phone.context.addCookies(await bob.context.cookies());
    await phone.page.goto(`${bobNet.origin}/`);
    await phone.page.getByRole('link', { name: /alice/ }).waitFor();
    await screenshots.shot(phone.page, 'phone-thread-list');

    await phone.page.getByRole('link', { name: /alice/ }).click();
    await sendAndSee(alice, phone, `https://example.com/${'a'.repeat(200)}`);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshots.shot(phone.page, 'phone-conversation');

    await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
    await phone.page.getByRole('link', { name: /alice/ }).waitFor();
    expect(phone.pageErrors).toEqual([]);
    await phone.context.close();
  });

  it('logs Bob out, and a reload keeps him out', async () => {
    await bob.page.getByRole('button', { name: 'Log out' }).click();
    await bob.page.getByRole('form', { name: 'Log in' }).waitFor();
    await bob.page.reload();
    await bob.page.getByRole('form', { name: 'Log in' }).waitFor();
    expect(await bob.page.getByText('Signed in as').count()).toBe(0);
    await screenshots.shot(bob.page, 'bob-logged-out');
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
    expect(alice.cspViolations).toEqual([]);
    expect(bob.cspViolations).toEqual([]);
  });
});
