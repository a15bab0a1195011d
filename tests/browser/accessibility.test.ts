import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createParleyClient, signUp, type ParleyClient } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { findSeriousViolations } from './axeAudit.ts';
import { createGroupInBrowser, launchChromium, openPerson, PASSWORD, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let server: TestServer;
let browser: Browser;
let frank: ParleyClient;
const screenshots = screenshotFolder('accessibility');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  frank = createParleyClient({ url: server.url, token: (await signUp(server.url, 'frank', PASSWORD)).token });
}, 180_000);

afterAll(async () => {
  await frank?.close();
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });

/** A phone shows the thread list only once the open conversation is closed; a desktop shows both side by side. */
async function closeConversationOnPhone(page: Page): Promise<void> {
  const back = page.getByRole('button', { name: 'Back to conversations' });
  if (await back.isVisible()) await back.click();
}

/** How many lines the text of `element` takes up on screen. */
function renderedLineCount(element: HTMLElement): number {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size;
}

/** Signs `name` up, starts a chat with Frank holding a few messages each way, and a group beside it. */
async function openBusyConversation(person: Person): Promise<void> {
  const { page } = person;
  await signUpInBrowser(person, server.url);
  await createGroupInBrowser(person, 'frank', `${person.name}'s group`);
  await closeConversationOnPhone(page);
  await page.getByLabel('Username to message').fill('frank');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('heading', { name: 'frank' }).waitFor();
  for (const text of ['Hi Frank!', 'Are you there?']) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
  }
  const direct = (await frank.api.thread.list.query()).find(
    (thread) => thread.kind === 'direct' && thread.members.some((member) => member.username === person.name),
  );
  await frank.api.message.send.mutate({ threadId: String(direct?.id), body: 'Yes, hello! How are you?' });
  await page.locator('.messages .message-body', { hasText: 'How are you?' }).waitFor();
}

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
])('WCAG 2.1 A/AA on a %s screen', (width, viewport) => {
  let person: Person;

  beforeAll(async () => {
    person = await openPerson(browser, `ally_${width}`, viewport);
  });

  afterAll(async () => {
    await person?.context.close();
  });

  it('finds nothing serious on the sign-up page', async () => {
    const { page } = person;
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByLabel('Username').waitFor();
    await screenshots.shot(page, `${width}-sign-up`);
    expect(await findSeriousViolations(page)).toEqual([]);
  });

  it('finds nothing serious in an open conversation with messages', async () => {
    await openBusyConversation(person);
    await screenshots.shot(person.page, `${width}-conversation`);
    expect(await findSeriousViolations(person.page)).toEqual([]);
  });

  it("keeps the header's Log out on one line", async () => {
    expect(await person.page.getByRole('button', { name: 'Log out' }).evaluate(renderedLineCount)).toBe(1);
  });

  it('finds nothing serious in the thread list', async () => {
    const { page } = person;
    await closeConversationOnPhone(page);
    await page.locator('.thread-item').first().waitFor();
    await screenshots.shot(page, `${width}-thread-list`);
    expect(await findSeriousViolations(page)).toEqual([]);
    expect(person.pageErrors).toEqual([]);
  });
});
