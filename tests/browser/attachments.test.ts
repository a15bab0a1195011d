import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { findSeriousViolations } from './axeAudit.ts';
import { launchChromium, openPerson, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

// Live changes normally show in tens of milliseconds, an upload of a few bytes in a few more.
const LIVE = { timeout: 5000 };

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: Person;
/** message.send calls Alice's page sent over its WebSocket. */
let aliceSends = 0;
const screenshots = screenshotFolder('attachments');

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n' +
    '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
);

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice_files');
  bob = await openPerson(browser, 'bob_files');
  // A step that cannot go on fails within the test's time instead of leaving a later one waiting.
  for (const person of [alice, bob]) person.page.setDefaultTimeout(10_000);
  alice.page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (String(payload).includes('"message.send"')) aliceSends += 1;
    });
  });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
const tray = (page: Page) => page.getByRole('list', { name: 'Files to send' });
const trayItem = (page: Page, name: string) => tray(page).getByRole('listitem').filter({ hasText: name });
const sendButton = (page: Page) => page.getByRole('button', { name: 'Send', exact: true });
const fileInput = (page: Page) => page.locator('.composer input[type="file"]');
const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

/** The message row holding `inner` (its text, a thumbnail, a file chip). */
function row(page: Page, inner: Locator): Locator {
  return page.locator('.messages .message', { has: inner });
}

function rowWithText(page: Page, text: string): Locator {
  return row(page, page.locator('.message-body', { hasText: text }));
}

describe('Alice sends Bob files and formatted text', () => {
  it('opens a conversation between Alice and Bob', async () => {
    await signUpInBrowser(alice, server.url);
    await signUpInBrowser(bob, server.url);
    await alice.page.getByLabel('Username to message').fill(bob.name);
    await alice.page.getByRole('button', { name: 'Start' }).click();
    await alice.page.getByRole('heading', { name: bob.name }).waitFor();
    await bob.page.getByRole('link', { name: new RegExp(alice.name) }).click(LIVE);
    await bob.page.getByRole('heading', { name: alice.name }).waitFor();
  });

  it('uploads a pasted image, holds Send until it is up, and shows Bob the thumbnail and the full image', async () => {
    const { page } = alice;
    // The upload waits at the route until the test has seen the composer wait for it.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/uploads', async (route) => {
      await held;
      await route.continue();
    });

    await composer(page).evaluate(async (textarea) => {
      const canvas = document.createElement('canvas');
      canvas.width = 120;
      canvas.height = 80;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d canvas');
      context.fillStyle = '#f97316';
      context.fillRect(0, 0, 120, 80);
      context.fillStyle = '#1d4ed8';
      context.fillRect(20, 20, 50, 30);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      if (!blob) throw new Error('the canvas made no PNG');
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([blob], 'sunset.png', { type: 'image/png' }));
      textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
    });

    const item = trayItem(page, 'sunset.png');
    await item.getByRole('progressbar', { name: 'Uploading sunset.png' }).waitFor(LIVE);
    expect(await item.getByRole('progressbar').getAttribute('aria-valuenow')).toMatch(/^\d+$/);
    await page.getByText('Waiting for uploads…').waitFor();
    await composer(page).fill('The view from here');
    expect(await sendButton(page).isDisabled()).toBe(true);
    await composer(page).press('Enter');
    expect(await composer(page).inputValue()).toBe('The view from here');
    expect(aliceSends).toBe(0);
    await screenshots.shot(page, 'alice-uploading');
    expect(await findSeriousViolations(page)).toEqual([]);

    release();
    await item.and(page.locator('[data-status="done"]')).waitFor(LIVE);
    await page.unroute('**/uploads');
    expect(await item.getByRole('progressbar').count()).toBe(0);
    // Uploaded but not sent: the tray shows the server's thumbnail, which its uploader may already read.
    const preview = item.locator('img');
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), LIVE).toBe(true);
    await expect.poll(() => sendButton(page).isEnabled()).toBe(true);
    await sendButton(page).click();
    await expect.poll(() => tray(page).count()).toBe(0);
    await rowWithText(page, 'The view from here').and(page.locator('[data-status="confirmed"]')).waitFor(LIVE);
    expect(aliceSends).toBe(1);

    const opener = rowWithText(bob.page, 'The view from here').getByRole('button', { name: 'sunset.png' });
    const thumbnail = opener.getByRole('img', { name: 'sunset.png' });
    await thumbnail.waitFor(LIVE);
    expect(await thumbnail.getAttribute('src')).toMatch(/^\/files\/[^/?]+\/thumbnail$/);
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), LIVE).toBe(true);
    // The width and height the row reserved before the thumbnail arrived are the thumbnail's own.
    const natural = await thumbnail.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect([Number(await thumbnail.getAttribute('width')), Number(await thumbnail.getAttribute('height'))]).toEqual(natural);
    await screenshots.shot(bob.page, 'bob-thumbnail');

    await opener.click();
    const lightbox = bob.page.getByRole('dialog', { name: 'sunset.png' });
    await lightbox.waitFor();
    const full = lightbox.getByRole('img', { name: 'sunset.png' });
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), LIVE).toBe(120);
    const id = /^\/files\/([^/]+)\/thumbnail$/.exec((await thumbnail.getAttribute('src')) ?? '')?.[1];
    expect(await full.getAttribute('src')).toBe(`/files/${id}`);
    expect(await lightbox.getByRole('link', { name: 'Download' }).getAttribute('href')).toBe(`/files/${id}?download`);
    await screenshots.shot(bob.page, 'bob-lightbox');
    expect(await findSeriousViolations(bob.page)).toEqual([]);

    await bob.page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'hidden' });
    expect(await opener.evaluate((button) => button === document.activeElement)).toBe(true);

    // A click on the backdrop closes it too.
    await opener.click();
    await lightbox.waitFor();
    await bob.page.mouse.click(3, 3);
    await lightbox.waitFor({ state: 'hidden' });
    expect(bob.cspViolations).toEqual([]);
  });

  it('sends a PDF picked with the file input as a chip; Bob downloads the same bytes', async () => {
    const { page } = alice;
    await fileInput(page).setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: PDF });
    await trayItem(page, 'notes.pdf').and(page.locator('[data-status="done"]')).waitFor(LIVE);
    await sendButton(page).click();

    // Files alone: no text bubble, only the chip.
    const mine = row(page, page.getByRole('link', { name: /notes\.pdf/ }));
    await mine.and(page.locator('[data-status="confirmed"]')).waitFor(LIVE);
    expect(await mine.locator('.message-body').count()).toBe(0);

    const chip = messages(bob.page).getByRole('link', { name: /notes\.pdf/ });
    await chip.waitFor(LIVE);
    expect(await chip.textContent()).toContain(`${PDF.length} B`);
    expect(await chip.getAttribute('href')).toMatch(/^\/files\/[^/?]+$/);
    expect(await row(bob.page, chip).locator('.message-body').count()).toBe(0);
    await screenshots.shot(bob.page, 'bob-file-chip');
    expect(await findSeriousViolations(bob.page)).toEqual([]);

    const [download] = await Promise.all([bob.page.waitForEvent('download'), chip.click()]);
    expect(download.suggestedFilename()).toBe('notes.pdf');
    expect(await readFile(await download.path())).toEqual(PDF);
  });

  it('shows a deleted message without its files', async () => {
    const { page } = alice;
    const mine = row(page, page.getByRole('link', { name: /notes\.pdf/ }));
    const seq = await mine.getAttribute('data-seq');
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();

    const bobsRow = bob.page.locator(`.messages .message[data-seq="${seq}"]`);
    await bobsRow.getByText('Message deleted').waitFor(LIVE);
    expect(await bobsRow.getByRole('link').count()).toBe(0);
    expect(
      await messages(bob.page)
        .getByRole('link', { name: /notes\.pdf/ })
        .count(),
    ).toBe(0);
  });

  it('renders markdown for Bob and runs none of what the text holds', async () => {
    const text = '**bold** and `code` and <script>window.__pwned=1</script> and [click](javascript:window.__pwned=2)';
    await composer(alice.page).fill(text);
    await composer(alice.page).press('Enter');

    const message = rowWithText(bob.page, 'window.__pwned=1').locator('.message-body');
    await message.waitFor(LIVE);
    expect(await message.locator('strong').textContent()).toBe('bold');
    expect(await message.locator('code').textContent()).toBe('code');
    expect(await message.locator('script').count()).toBe(0);
    expect(await message.textContent()).toContain('<script>window.__pwned=1</script>');
    const hrefs = await message.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.filter((href) => /^\s*javascript:/i.test(href))).toEqual([]);
    expect(await message.getByRole('link', { name: 'click' }).count()).toBe(0);

    await message.getByText(/click/).click();
    for (const person of [alice, bob]) {
      expect(await person.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(person.pageErrors).toEqual([]);
    }
    await screenshots.shot(bob.page, 'bob-markdown');
  });

  it("shows the server's refusal of a file that is not what its name says, with Retry, and sends nothing", async () => {
    const { page } = alice;
    const sendsBefore = aliceSends;
    const rowsBefore = await page.locator('.messages .message').count();
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/uploads');
    await fileInput(page).setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><h1>not a picture</h1>') });
    const response = await answered;
    expect(response.status()).toBe(415);
    const refusal = ((await response.json()) as { error: { message: string } }).error.message;
    expect(refusal).not.toBe('');

    const item = trayItem(page, 'fake.png');
    await expect.poll(() => item.getByRole('alert').textContent(), LIVE).toBe(refusal);
    const retry = item.getByRole('button', { name: 'Retry uploading fake.png' });
    await retry.waitFor();
    expect(await sendButton(page).isDisabled()).toBe(true);
    await composer(page).press('Enter');
    expect(await page.locator('.messages .message').count()).toBe(rowsBefore);
    await screenshots.shot(page, 'alice-refused-upload');
    expect(await findSeriousViolations(page)).toEqual([]);

    // Retry asks the server again (and is refused again).
    const answeredAgain = page.waitForResponse((response) => new URL(response.url()).pathname === '/uploads');
    await retry.click();
    expect((await answeredAgain).status()).toBe(415);
    await expect.poll(() => item.getAttribute('data-status'), LIVE).toBe('failed');
    expect(await item.getByRole('alert').textContent()).toBe(refusal);

    await item.getByRole('button', { name: 'Remove fake.png' }).click();
    await expect.poll(() => tray(page).count()).toBe(0);
    expect(aliceSends).toBe(sendsBefore);
    expect(await messages(bob.page).getByText('fake.png').count()).toBe(0);
  });

  it('attaches files dropped on the conversation, showing a drop zone while they are dragged over it', async () => {
    const { page } = alice;
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    });
    await messages(page).dispatchEvent('dragenter', { dataTransfer });
    await messages(page).dispatchEvent('dragover', { dataTransfer });
    const dropZone = page.getByText('Drop files to attach them');
    await dropZone.waitFor();
    await screenshots.shot(page, 'alice-drop-zone');
    await messages(page).dispatchEvent('drop', { dataTransfer });
    await dropZone.waitFor({ state: 'hidden' });
    await trayItem(page, 'dropped.txt').and(page.locator('[data-status="done"]')).waitFor(LIVE);
    await trayItem(page, 'dropped.txt').getByRole('button', { name: 'Remove dropped.txt' }).click();
    await expect.poll(() => tray(page).count()).toBe(0);
  });

  it('takes ten files for a message and refuses the eleventh with a note', async () => {
    const { page } = alice;
    const files = Array.from({ length: 11 }, (_, index) => ({
      name: `part-${index + 1}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(`part ${index + 1}\n`),
    }));
    await fileInput(page).setInputFiles(files);
    await page.getByRole('status').filter({ hasText: 'at most 10 files' }).filter({ hasText: 'part-11.txt' }).waitFor();
    await expect.poll(() => tray(page).getByRole('listitem').count()).toBe(10);
    await expect.poll(() => tray(page).locator('[data-status="done"]').count(), LIVE).toBe(10);
    await sendButton(page).click();

    const chips = row(bob.page, bob.page.getByRole('link', { name: /part-1\.txt/ })).getByRole('link');
    await expect.poll(() => chips.allTextContents(), LIVE).toHaveLength(10);
    const names = (await chips.allTextContents()).map((text) => /part-\d+\.txt/.exec(text)?.[0]);
    expect(names).toEqual(files.slice(0, 10).map((file) => file.name));
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  });
});
