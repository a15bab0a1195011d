import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createGroupInBrowser, launchChromium, openPerson, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

// Live changes normally show in tens of milliseconds; this only bounds a slow CI machine.
const LIVE = { timeout: 5000 };

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: Person;
const screenshots = screenshotFolder('thread-log');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  alice = await openPerson(browser, 'alice_log');
  bob = await openPerson(browser, 'bob_log');
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });

/** The row of the message whose text contains `text`. */
function row(page: Page, text: string): Locator {
  return page.locator('.messages .message', { has: page.locator('.message-body', { hasText: text }) });
}

/** Hovers a message (its actions show on hover) and clicks one of them. */
async function act(page: Page, text: string, action: 'Reply' | 'React' | 'Edit' | 'Delete'): Promise<void> {
  const message = row(page, text);
  await message.hover();
  await message.getByRole('button', { name: action, exact: true }).click();
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await row(page, text).and(page.locator('[data-status="confirmed"]')).waitFor(LIVE);
}

function threadItem(page: Page, title: string): Locator {
  return page.locator(`.thread-item[data-thread-title="${title}"]`);
}

async function openThread(person: Person, title: string): Promise<void> {
  await threadItem(person.page, title).click();
  await person.page.getByRole('heading', { name: title }).waitFor();
}

describe('Alice and Bob use the thread log in two browsers', () => {
  it('shows "Seen" under my last message once the other has read it', async () => {
    await signUpInBrowser(alice, server.url);
    await signUpInBrowser(bob, server.url);
    await alice.page.getByLabel('Username to message').fill(bob.name);
    await alice.page.getByRole('button', { name: 'Start' }).click();
    await alice.page.getByRole('heading', { name: bob.name }).waitFor();
    await send(alice.page, 'Hi Bob, ready?');
    await expect.poll(() => row(alice.page, 'Hi Bob, ready?').locator('.read-receipt').count()).toBe(0);

    await openThread(bob, alice.name);
    const receipt = row(alice.page, 'Hi Bob, ready?').locator('.read-receipt');
    await expect.poll(() => receipt.textContent(), LIVE).toBe('Seen');
    expect(await receipt.getAttribute('title')).toBe(bob.name);
  });

  it('lets Bob reply with a quote that Alice sees and can follow to the parent', async () => {
    await act(bob.page, 'Hi Bob, ready?', 'Reply');
    await bob.page.getByText(`Replying to ${alice.name}`).waitFor();
    await send(bob.page, 'Yes, almost!');

    const quote = row(alice.page, 'Yes, almost!').locator('.reply-quote');
    await expect.poll(() => quote.textContent(), LIVE).toContain('Hi Bob, ready?');
    await quote.click();
    await expect.poll(() => row(alice.page, 'Hi Bob, ready?').getAttribute('class')).toContain('is-highlighted');
    await screenshots.shot(alice.page, 'alice-reply-quote');
  });

  it('cancels a reply with Escape', async () => {
    await act(bob.page, 'Hi Bob, ready?', 'Reply');
    await bob.page.getByText(`Replying to ${alice.name}`).waitFor();
    await composer(bob.page).press('Escape');
    await expect.poll(() => bob.page.getByText(`Replying to ${alice.name}`).count()).toBe(0);
  });

  it('lets Alice react from the emoji picker and Bob toggle the same reaction', async () => {
    await act(alice.page, 'Yes, almost!', 'React');
    const dialog = alice.page.getByRole('dialog', { name: 'Add a reaction' });
    await dialog.getByRole('combobox', { name: 'Search' }).fill('rocket');
    await dialog
      .getByRole('option', { name: /rocket/ })
      .first()
      .click();

    const aliceChip = row(alice.page, 'Yes, almost!').locator('.reaction-chip[data-emoji="🚀"]');
    await expect.poll(() => aliceChip.getAttribute('aria-pressed'), LIVE).toBe('true');
    const bobChip = row(bob.page, 'Yes, almost!').locator('.reaction-chip[data-emoji="🚀"]');
    await expect.poll(() => bobChip.getAttribute('aria-pressed'), LIVE).toBe('false');
    expect(await bobChip.getAttribute('title')).toBe(alice.name);

    await bobChip.click();
    await expect.poll(() => bobChip.getAttribute('aria-pressed'), LIVE).toBe('true');
    await expect.poll(() => aliceChip.locator('.reaction-count').textContent(), LIVE).toBe('2');
    expect(await aliceChip.getAttribute('title')).toBe(`you and ${bob.name}`);
    await screenshots.shot(alice.page, 'alice-reactions');
  });

  it('lets Alice edit her last message with the Up arrow; Bob sees it edited, in his quote too', async () => {
    await composer(alice.page).press('ArrowUp');
    await alice.page.getByText('Editing', { exact: true }).waitFor();
    expect(await composer(alice.page).inputValue()).toBe('Hi Bob, ready?');
    await composer(alice.page).fill('Hi Bob, ready to go?');
    await composer(alice.page).press('Enter');

    const edited = row(bob.page, 'Hi Bob, ready to go?');
    await edited.locator('.message-edited').waitFor(LIVE);
    const quote = row(bob.page, 'Yes, almost!').locator('.reply-quote');
    await expect.poll(() => quote.textContent(), LIVE).toContain('Hi Bob, ready to go? (edited)');
    await row(alice.page, 'Hi Bob, ready to go?').locator('.message-edited').waitFor(LIVE);
  });

  it('completes @names from the thread members, and shows Alice the mention and an @ badge', async () => {
    // Alice looks at another thread, so the mention is unread for her.
    await createGroupInBrowser(alice, bob.name, 'Plans');
    await composer(bob.page).pressSequentially('look @ali');
    const option = bob.page.getByRole('option', { name: alice.name });
    await option.waitFor();
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await composer(bob.page).press('Enter');
    expect(await composer(bob.page).inputValue()).toBe(`look @${alice.name} `);
    await composer(bob.page).pressSequentially('here');
    await composer(bob.page).press('Enter');

    const item = threadItem(alice.page, bob.name);
    await item.locator('.mention-badge').waitFor(LIVE);
    await openThread(alice, bob.name);
    await row(alice.page, 'look @')
      .locator('.mention.is-me', { hasText: `@${alice.name}` })
      .waitFor();
    await expect.poll(() => item.locator('.mention-badge').count(), LIVE).toBe(0);
  });

  it('says "Seen by 1" in a group once Bob has read it', async () => {
    await openThread(alice, 'Plans');
    await send(alice.page, 'Group plans tonight');
    await openThread(bob, 'Plans');
    const receipt = row(alice.page, 'Group plans tonight').locator('.read-receipt');
    await expect.poll(() => receipt.textContent(), LIVE).toBe('Seen by 1');
    expect(await receipt.getAttribute('title')).toBe(bob.name);
    await openThread(alice, bob.name);
    await openThread(bob, alice.name);
  });

  it('lets Bob delete his message after confirming; Alice sees the placeholder', async () => {
    await send(bob.page, 'Oops, wrong chat');
    await act(bob.page, 'Oops, wrong chat', 'Delete');
    const dialog = bob.page.getByRole('dialog', { name: 'Delete this message?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row(bob.page, 'Oops, wrong chat').count(), LIVE).toBe(0);
    await expect.poll(() => alice.page.locator('.message-deleted').count(), LIVE).toBe(1);
    expect(await alice.page.locator('.messages').textContent()).not.toContain('Oops, wrong chat');
    await screenshots.shot(alice.page, 'alice-deleted');
  });

  it('shows all of it again after both reload', async () => {
    await Promise.all([alice.page.reload(), bob.page.reload()]);
    for (const { page } of [alice, bob]) {
      await row(page, 'Hi Bob, ready to go?').locator('.message-edited').waitFor();
      expect(await row(page, 'Yes, almost!').locator('.reply-quote').textContent()).toContain('Hi Bob, ready to go? (edited)');
      const chip = row(page, 'Yes, almost!').locator('.reaction-chip[data-emoji="🚀"]');
      expect(await chip.getAttribute('aria-pressed')).toBe('true');
      expect(await chip.locator('.reaction-count').textContent()).toBe('2');
      expect(await page.locator('.message-deleted').count()).toBe(1);
      expect(await page.locator('.messages').textContent()).not.toContain('Oops, wrong chat');
    }
    await row(alice.page, 'look @').locator('.mention.is-me').waitFor();
    expect(await row(bob.page, 'look @').locator('.mention.is-me').count()).toBe(0);
    await expect.poll(() => row(alice.page, 'Hi Bob, ready to go?').locator('.read-receipt').textContent(), LIVE).toBe('Seen');
    await expect.poll(() => row(bob.page, 'look @').locator('.read-receipt').textContent(), LIVE).toBe('Seen');
    await screenshots.shot(bob.page, 'bob-after-reload');
  });

  it('folds the actions behind a visible "…" button at phone width', async () => {
    await bob.page.setViewportSize({ width: 375, height: 740 });
    const message = row(bob.page, 'Hi Bob, ready to go?');
    const more = message.getByRole('button', { name: 'More actions' });
    await more.click();
    await message.getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.page.getByText(`Replying to ${alice.name}`).waitFor();
    await composer(bob.page).press('Escape');
    await screenshots.shot(bob.page, 'bob-phone');
  });

  it('raised no page errors, dialogs or CSP refusals', () => {
    for (const person of [alice, bob]) {
      expect(person.pageErrors).toEqual([]);
      expect(person.dialogs).toEqual([]);
      expect(person.cspViolations).toEqual([]);
    }
  });
});
