import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createParleyClient, signUp, type ParleyClient } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createGroupInBrowser, launchChromium, openPerson, PASSWORD, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const SECOND = 1000;

let server: TestServer;
let browser: Browser;
let carol: Person;
let dave: ParleyClient;
let erin: ParleyClient;
const screenshots = screenshotFolder('groups-and-notes');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  carol = await openPerson(browser, 'carol');
  dave = createParleyClient({ url: server.url, token: (await signUp(server.url, 'dave', PASSWORD)).token });
  erin = createParleyClient({ url: server.url, token: (await signUp(server.url, 'erin', PASSWORD)).token });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await dave?.close();
  await erin?.close();
  await browser?.close();
  await server?.close();
});

const threadItem = (page: Page, title: string) => page.locator(`.thread-item[data-thread-title="${title}"]`);
const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });

describe('groups and notes to self in the web app', () => {
  it('creates a named group from the New group form, refusing an unknown username first', async () => {
    const { page } = carol;
    await signUpInBrowser(carol, server.url);

    await page.getByText('New group').click();
    await page.getByLabel('People').fill('dave, nobody_here');
    await page.getByLabel('Group name').fill('Weekend plans');
    await page.getByRole('button', { name: 'Create group' }).click();
    // The server does not say which name is unknown (that would tell a stranger which accounts exist).
    await page.getByRole('alert').filter({ hasText: 'do not belong to anyone' }).waitFor();
    await screenshots.shot(page, 'carol-group-unknown-username');

    await createGroupInBrowser(carol, 'dave, erin', 'Weekend plans');
    // Dave and Erin hold sockets open (their clients), so with Carol all three are online.
    await expect.poll(() => page.locator('.conversation-subtitle').textContent()).toBe('dave, erin, you · 3 online');
    expect(await page.locator('.thread-start').textContent()).toBe('This is the start of the group Weekend plans.');
    await threadItem(page, 'Weekend plans').waitFor();
  });

  it("shows a group member's message with their name, in the conversation and the list", async () => {
    const [group] = await dave.api.thread.list.query();
    expect(group?.title).toBe('Weekend plans');
    await dave.api.message.send.mutate({ threadId: String(group?.id), body: 'Hiking on Saturday?' });
    const { page } = carol;
    await page.locator('.message-author', { hasText: 'dave' }).waitFor({ timeout: SECOND });
    await expect.poll(() => threadItem(page, 'Weekend plans').locator('.thread-preview').textContent()).toBe('dave: Hiking on Saturday?');
    // The group is open and the page visible, so the message is read as it arrives.
    expect(await threadItem(page, 'Weekend plans').locator('.unread-badge').count()).toBe(0);
    await screenshots.shot(page, 'carol-group-conversation');
  });

  it('brings in a group someone else creates with her, live, named by its members', async () => {
    const started = Date.now();
    const group = await erin.api.thread.createGroup.mutate({ usernames: ['carol', 'dave'] });
    const item = threadItem(carol.page, 'erin, dave');
    await item.waitFor({ timeout: SECOND });
    expect(Date.now() - started).toBeLessThan(SECOND);

    await erin.api.message.send.mutate({ threadId: group.id, body: 'Me too!' });
    await expect.poll(() => item.locator('.thread-preview').textContent()).toBe('erin: Me too!');
    await expect.poll(() => item.locator('.unread-badge').textContent()).toBe('1');
    await screenshots.shot(carol.page, 'carol-untitled-group-unread');
  });

  it('keeps notes to self in a thread of her own', async () => {
    const { page } = carol;
    await page.getByLabel('Username to message').fill('carol');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('heading', { name: 'Notes to self' }).waitFor();
    expect(await page.locator('.conversation-subtitle').textContent()).toBe('Only you can see these');
    await composer(page).fill('Buy hiking boots');
    await composer(page).press('Enter');
    await page.locator('.message.is-mine[data-status="confirmed"] .message-body', { hasText: 'Buy hiking boots' }).waitFor();
    await expect.poll(() => threadItem(page, 'Notes to self').locator('.thread-preview').textContent()).toBe('Buy hiking boots');
    await screenshots.shot(page, 'carol-notes-to-self');
    expect(carol.pageErrors).toEqual([]);
    expect(carol.dialogs).toEqual([]);
  });
});
