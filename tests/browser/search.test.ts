import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createParleyClient, signUp, type ParleyClient } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { findSeriousViolations } from './axeAudit.ts';
import { launchChromium, openPerson, PASSWORD, type Person, screenshotFolder } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const LIVE = { timeout: 5000 };
/** Messages on each side of the Korean one: more than the page around it holds, so both ways page. */
const FILLERS_EACH_SIDE = 25;
const KOREAN = '회의는 10시에 해요';

let server: TestServer;
let browser: Browser;
let bob: Person;
let alice: ParleyClient;
let bobApi: ParleyClient;
let directThreadId: string;
const ids = new Map<string, string>();
const screenshots = screenshotFolder('search');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  // Low enough for the last test to run out of searches; the others use a handful.
  server = await startTestServer({ env: { STATIC_DIR: staticDir, SEARCHES_PER_MINUTE: '12' } });
  browser = await launchChromium();
  alice = createParleyClient({ url: server.url, token: (await signUp(server.url, 'alice_search', PASSWORD)).token });
  bobApi = createParleyClient({ url: server.url, token: (await signUp(server.url, 'bob_search', PASSWORD)).token });
  directThreadId = (await alice.api.thread.getOrCreate.mutate({ username: 'bob_search' })).id;
  const say = async (who: ParleyClient, body: string, threadId = directThreadId) => {
    const message = await who.api.message.send.mutate({ threadId, body, clientId: crypto.randomUUID() });
    ids.set(body, message.id);
  };
  for (let i = 1; i <= FILLERS_EACH_SIDE; i++) await say(i % 2 ? alice : bobApi, `filler ${i}`);
  await say(alice, KOREAN);
  await say(bobApi, 'Meeting notes are in the shared doc');
  for (let i = FILLERS_EACH_SIDE + 1; i <= 2 * FILLERS_EACH_SIDE; i++) await say(i % 2 ? alice : bobApi, `filler ${i}`);
  const group = await alice.api.thread.createGroup.mutate({ usernames: ['bob_search'], title: 'Planning' });
  await say(alice, 'The weekly meeting moves to Friday', group.id);

  bob = await openPerson(browser, 'bob_search');
  await bob.page.goto(`${server.url}/`);
  await bob.page.getByLabel('Username').fill('bob_search');
  await bob.page.getByLabel('Password').fill(PASSWORD);
  await bob.page.getByLabel('Password').press('Enter');
  await bob.page.getByText('Signed in as bob_search').waitFor();
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await alice?.close();
  await bobApi?.close();
  await browser?.close();
  await server?.close();
});

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Search messages' });
const searchBox = (page: Page) => page.getByRole('combobox', { name: 'Search messages' });
const hits = (page: Page) => dialog(page).getByRole('option');
/** The row of the message whose whole text is `text`. */
const row = (page: Page, text: string): Locator =>
  page.locator('.messages .message', {
    has: page.locator('.message-body', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
const isInView = (locator: Locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const list = element.closest('.messages')!.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom;
  });

/** Scrolls the messages to their top or bottom, as a reader does, until `shown` is there (pages load as they near an end). */
async function scrollUntil(page: Page, end: 'top' | 'bottom', shown: Locator): Promise<void> {
  const list = page.locator('ol.messages');
  await expect
    .poll(async () => {
      await list.evaluate((element, toTop) => (element.scrollTop = toTop ? 0 : element.scrollHeight), end === 'top');
      return shown.count();
    }, LIVE)
    .toBe(1);
}

/** Types a query the way a person does, key by key, into the open search box. */
async function typeQuery(page: Page, query: string): Promise<void> {
  await searchBox(page).press('Control+a');
  await page.keyboard.type(query);
}

describe('Bob searches his messages with the keyboard', () => {
  it('opens search with Ctrl-K and finds the Korean message by its two-syllable word, the match marked', async () => {
    const { page } = bob;
    await page.locator('.thread-item').first().waitFor();
    await page.keyboard.press('Control+k');
    await dialog(page).waitFor();
    expect(await searchBox(page).evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type('회의');
    await page.getByText('1 message matches “회의”.').waitFor(LIVE);
    expect(await hits(page).count()).toBe(1);
    const hit = hits(page).first();
    expect(await hit.locator('mark').allTextContents()).toEqual(['회의']);
    expect(await hit.textContent()).toContain(KOREAN);
    expect(await hit.textContent()).toContain('alice_search');
    expect(await hit.getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('group', { name: 'alice_search' }).count()).toBe(1);
    await screenshots.shot(page, 'bob-search-korean');
    expect(await findSeriousViolations(page)).toEqual([]);
  });

  it('opens the hit with Enter: the thread scrolls to the message, points it out and says so', async () => {
    const { page } = bob;
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'alice_search' }).waitFor(LIVE);
    expect(await dialog(page).isVisible()).toBe(false);
    const target = row(page, KOREAN);
    await expect.poll(() => target.getAttribute('class'), LIVE).toContain('is-highlighted');
    expect(await isInView(target)).toBe(true);
    expect(await target.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: 'Jumped to message from alice_search' }).count()).toBe(1);
    // A page around the message: neither end of the thread is loaded.
    expect(await row(page, 'filler 1').count()).toBe(0);
    expect(await row(page, `filler ${2 * FILLERS_EACH_SIDE}`).count()).toBe(0);
    await screenshots.shot(page, 'bob-jumped');
    expect(await findSeriousViolations(page)).toEqual([]);
    await expect.poll(() => target.getAttribute('class'), LIVE).not.toContain('is-highlighted');
  });

  it('pages back to the start of the thread from there', async () => {
    const { page } = bob;
    const start = page.getByText('This is the start of your conversation with alice_search.');
    await scrollUntil(page, 'top', start);
    expect(await row(page, 'filler 1').count()).toBe(1);
  });

  it('pages forward to the newest, where the thread goes live and shows what changed meanwhile', async () => {
    const { page } = bob;
    // Changed while Bob reads history: the stream, started once he reaches the newest, brings it.
    await alice.api.message.edit.mutate({ messageId: ids.get('filler 21')!, body: 'filler 21, edited' });
    expect(await page.getByRole('button', { name: 'Jump to the newest' }).isVisible()).toBe(true); // not live yet
    await scrollUntil(page, 'bottom', row(page, `filler ${2 * FILLERS_EACH_SIDE}`));
    await expect.poll(() => page.getByRole('button', { name: 'Load newer messages' }).count(), LIVE).toBe(0);
    await row(page, 'filler 21, edited').waitFor(LIVE);
    await alice.api.message.send.mutate({ threadId: directThreadId, body: 'are you coming?', clientId: crypto.randomUUID() });
    await row(page, 'are you coming?').waitFor(LIVE);
    const bodies = await page.locator('.messages .message-body').allTextContents();
    expect(bodies.filter((body) => /^filler \d+/.test(body))).toHaveLength(2 * FILLERS_EACH_SIDE);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(bodies.at(-1)).toBe('are you coming?');
  });

  it('says when nothing matches, and Escape closes search', async () => {
    const { page } = bob;
    await page.keyboard.press('Control+k');
    await dialog(page).waitFor();
    await typeQuery(page, 'nothing-matches-this');
    await page.getByText('No messages match “nothing-matches-this”.', { exact: false }).waitFor(LIVE);
    expect(await hits(page).count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).isVisible()).toBe(false);
  });

  it('groups hits by thread under its name; ↑ and ↓ move, Enter opens the other thread at its hit', async () => {
    const { page } = bob;
    await page.keyboard.press('Control+k');
    await typeQuery(page, 'meeting');
    await expect.poll(() => hits(page).count(), LIVE).toBe(2);
    expect(await page.locator('.search-group-title').allTextContents()).toEqual(expect.arrayContaining(['alice_search', 'Planning']));
    const selected = () => dialog(page).locator('[role="option"][aria-selected="true"]').textContent();
    const first = await selected();
    await page.keyboard.press('ArrowDown');
    const second = await selected();
    expect(second).not.toBe(first);
    expect(await findSeriousViolations(page)).toEqual([]);
    await page.keyboard.press('ArrowDown'); // already at the last
    expect(await selected()).toBe(second);
    await page.keyboard.press('ArrowUp');
    expect(await selected()).toBe(first);
    if (!first?.includes('Friday')) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Planning' }).waitFor(LIVE);
    await expect.poll(() => row(page, 'The weekly meeting moves to Friday').getAttribute('class'), LIVE).toContain('is-highlighted');
  });

  it('sends from a page of history at the newest end: the thread goes there, live', async () => {
    const { page } = bob;
    await page.keyboard.press('Control+k');
    await typeQuery(page, '회의');
    await expect.poll(() => hits(page).count(), LIVE).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => row(page, KOREAN).getAttribute('class'), LIVE).toContain('is-highlighted');
    expect(await page.getByRole('button', { name: 'Load newer messages' }).isVisible()).toBe(true);
    await page.getByRole('textbox', { name: /^Message / }).fill('see you at 10');
    await page.getByRole('textbox', { name: /^Message / }).press('Enter');
    await row(page, 'see you at 10').and(page.locator('[data-status="confirmed"]')).waitFor(LIVE);
    expect(await page.getByRole('button', { name: 'Load newer messages' }).count()).toBe(0);
    const bodies = await page.locator('.messages .message-body').allTextContents();
    expect(bodies.slice(-2)).toEqual(['are you coming?', 'see you at 10']);
  });

  it('explains a refusal for searching too fast', async () => {
    const { page } = bob;
    // Bob's other client spends what is left of his allowance.
    for (let i = 0; i < 12; i++) await bobApi.api.message.search.query({ query: `spend ${i}` }).catch(() => {});
    await page.keyboard.press('Control+k');
    await typeQuery(page, 'filler');
    await page.getByRole('alert').filter({ hasText: 'Searching too fast, wait a moment' }).waitFor(LIVE);
    await screenshots.shot(page, 'bob-too-fast');
    await page.keyboard.press('Escape');
    expect(bob.pageErrors).toEqual([]);
  });
});
