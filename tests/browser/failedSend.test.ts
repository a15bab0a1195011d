import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { createParleyClient, signUp, type MessageView, type ParleyClient } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { launchChromium, openPerson, PASSWORD, type Person, screenshotFolder, signUpInBrowser } from './browserSession.ts';
import { ensureWebBuild } from './webBuild.ts';

let server: TestServer;
let browser: Browser;
let carol: Person;
let dave: ParleyClient;
const daveSees: MessageView[] = [];
/** What the route does with Carol's next message.send frame. */
let nextSend: 'pass' | 'lose-request' | 'lose-answer' = 'pass';
const screenshots = screenshotFolder('failed-send');

beforeAll(async () => {
  const staticDir = await ensureWebBuild();
  server = await startTestServer({ env: { STATIC_DIR: staticDir } });
  browser = await launchChromium();
  carol = await openPerson(browser, 'carol');
  // Carol's socket runs through a route that can lose a send on the way in or its answer on the way out,
  // and then drops the socket, as a flaky network does.
  await carol.page.routeWebSocket(/\/trpc$/, (page: WebSocketRoute) => {
    const upstream = page.connectToServer();
    page.onMessage((frame) => {
      const isSend = typeof frame === 'string' && frame.includes('"message.send"');
      const fate = isSend ? nextSend : 'pass';
      if (isSend) nextSend = 'pass';
      if (fate !== 'lose-request') upstream.send(frame);
      if (fate !== 'pass') void page.close({ code: 4000, reason: 'network trouble' });
    });
    upstream.onMessage((frame) => page.send(frame));
  });

  const daveSession = await signUp(server.url, 'dave', PASSWORD);
  dave = createParleyClient({ url: server.url, token: daveSession.token });
  console.log(`browser screenshots: ${screenshots.dir}`);
}, 180_000);

afterAll(async () => {
  await dave?.close();
  await browser?.close();
  await server?.close();
});

const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
const rows = (page: Page) =>
  page
    .locator('.messages .message')
    .evaluateAll((els) => els.map((el) => `${(el as HTMLElement).dataset.status}:${el.querySelector('.message-body')?.textContent}`));

async function send(text: string) {
  await composer(carol.page).fill(text);
  await composer(carol.page).press('Enter');
}

describe('a send that fails on the way', () => {
  it('opens a conversation between Carol (browser) and Dave (program)', async () => {
    const { page } = carol;
    await signUpInBrowser(carol, server.url);
    await page.getByLabel('Username to message').fill('dave');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('heading', { name: 'dave' }).waitFor();
    const [thread] = await dave.api.thread.list.query();
    dave.api.thread.onMessage.subscribe(
      { threadId: String(thread?.id), lastEventId: '0' },
      { onData: ({ data }) => void (data.kind === 'message' && daveSees.push(data.message)) },
    );
    await send('first');
    await waitFor(() => daveSees.length === 1, 'dave to get the first message');
  });

  it('says so when a send never reached the server, and Retry delivers it once', async () => {
    nextSend = 'lose-request';
    await send('lost on the way');
    const failed = carol.page.locator('.message.is-failed');
    await failed.getByText('Not sent').waitFor();
    await screenshots.shot(carol.page, 'carol-send-failed');

    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => rows(carol.page)).toEqual(['confirmed:first', 'confirmed:lost on the way']);
    await waitFor(() => daveSees.length === 2, 'dave to get the retried message');
    await screenshots.shot(carol.page, 'carol-send-retried');
  });

  it('shows one message, not two, when the server stored a send whose answer was lost', async () => {
    nextSend = 'lose-answer';
    await send('answer lost');
    // The resumed subscription brings the stored copy, which takes the failed row's place; a Retry, if
    // the person is quicker, sends the same clientId and gets that same message back.
    const retry = carol.page.locator('.message.is-failed').getByRole('button', { name: 'Retry' });
    if (await retry.isVisible()) await retry.click().catch(() => {});
    await expect.poll(() => rows(carol.page), { timeout: 10_000 }).toEqual(['confirmed:first', 'confirmed:lost on the way', 'confirmed:answer lost']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(daveSees.map((m) => m.body)).toEqual(['first', 'lost on the way', 'answer lost']);
    expect(carol.pageErrors).toEqual([]);
  });
});
