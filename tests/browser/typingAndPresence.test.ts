import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createGroupInBrowser, launchChromium, openPerson, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const SECOND = 1000;

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: Person;
const screenshots = screenshotFolder('typing-and-presence');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir, PRESENCE_OFFLINE_GRACE_MS: '300' } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice');
  bob = await openPerson(browser, 'bob');
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
const threadItem = (page: Page, title: string) => page.locator(`.thread-item[data-thread-title="${title}"]`);
const typingLine = (page: Page) => page.locator('.typing-line');

describe('typing and presence in two browsers', () => {
  it('shows Bob that Alice is online, in his list and in their conversation', async () => {
    await signUpInBrowser(alice, server.url);
    await signUpInBrowser(bob, server.url);
    await alice.page.getByLabel('Username to message').fill('bob');
    await alice.page.getByRole('button', { name: 'Start' }).click();
    await alice.page.getByRole('heading', { name: 'bob' }).waitFor();

    const item = threadItem(bob.page, 'alice');
    await expect.poll(() => item.getAttribute('data-online'), { timeout: 5 * SECOND }).toBe('true');
    await item.click();
    await bob.page.locator('.presence-status', { hasText: 'Online' }).waitFor({ timeout: SECOND });
    // Alice sees Bob online too: he was already connected when her list first read presence.
    await expect.poll(() => threadItem(alice.page, 'bob').getAttribute('data-online')).toBe('true');
    await screenshots.shot(bob.page, 'bob-sees-alice-online');
  });

  it('shows Bob "alice is typing…" while she types, and clears it when her message arrives', async () => {
    await composer(alice.page).pressSequentially('Hello B', { delay: 30 });
    await typingLine(bob.page).getByText('alice is typing…').waitFor({ timeout: SECOND });
    expect(await typingLine(alice.page).textContent()).toBe(''); // not to herself
    await screenshots.shot(bob.page, 'bob-sees-alice-typing');

    await composer(alice.page).pressSequentially('ob');
    await composer(alice.page).press('Enter');
    await bob.page.locator('.messages .message-body', { hasText: 'Hello Bob' }).waitFor({ timeout: SECOND });
    // Well before the 5 s a notice lasts: the message itself ended it.
    await expect.poll(() => typingLine(bob.page).textContent(), { timeout: SECOND }).toBe('');
  });

  it('lets a typing notice run out by itself when Alice stops typing without sending', async () => {
    // Right after her message: it started a new typing interval on the server, so this shows at once.
    await composer(alice.page).pressSequentially('hmm', { delay: 30 });
    await typingLine(bob.page).getByText('alice is typing…').waitFor({ timeout: SECOND });
    const shownAt = Date.now();
    await expect.poll(() => typingLine(bob.page).textContent(), { timeout: 8 * SECOND, interval: 100 }).toBe('');
    expect(Date.now() - shownAt).toBeGreaterThan(3 * SECOND);
  });

  it('shows Alice offline to Bob once she closes her page', async () => {
    await alice.context.close();
    await bob.page.locator('.presence-status', { hasText: 'Offline' }).waitFor({ timeout: 5 * SECOND });
    expect(await threadItem(bob.page, 'alice').getAttribute('data-online')).toBe('false');
    await screenshots.shot(bob.page, 'bob-sees-alice-offline');
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  });
});

describe('presence in a group, in three browsers', () => {
  let gina: Person;
  let hank: Person;
  let iris: Person;

  beforeAll(async () => {
    [gina, hank, iris] = await Promise.all([openPerson(browser, 'gina'), openPerson(browser, 'hank'), openPerson(browser, 'iris')]);
    for (const person of [gina, hank, iris]) await signUpInBrowser(person, server.url);
  }, 60_000);

  const subtitle = (page: Page) => page.locator('.conversation-subtitle');

  it('shows Gina how many of her group are online, and one fewer as each closes their page', async () => {
    await createGroupInBrowser(gina, 'hank, iris', 'Book club');
    // Hank and Iris were online before the group existed: Gina's page reads their presence when it arrives.
    await expect.poll(() => subtitle(gina.page).textContent(), { timeout: 5 * SECOND }).toBe('hank, iris, you · 3 online');
    expect(await threadItem(gina.page, 'Book club').getAttribute('data-online')).toBe('true');
    await expect.poll(() => threadItem(hank.page, 'Book club').getAttribute('data-online')).toBe('true');
    await screenshots.shot(gina.page, 'gina-sees-group-online');

    await iris.context.close();
    await expect.poll(() => subtitle(gina.page).textContent(), { timeout: 5 * SECOND }).toBe('hank, iris, you · 2 online');
    expect(await threadItem(gina.page, 'Book club').getAttribute('data-online')).toBe('true'); // Hank still is

    await hank.context.close();
    await expect.poll(() => subtitle(gina.page).textContent(), { timeout: 5 * SECOND }).toBe('hank, iris, you · 1 online');
    expect(await threadItem(gina.page, 'Book club').getAttribute('data-online')).toBe('false');
    await screenshots.shot(gina.page, 'gina-alone-in-group');
    for (const person of [gina, hank, iris]) expect(person.pageErrors).toEqual([]);
  });
});
