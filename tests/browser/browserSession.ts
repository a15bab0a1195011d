import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths.ts';

// Debian's Chromium; these flags keep it from reaching the network or needing a sandbox in CI.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The password of everyone the browser tests sign up. */
export const PASSWORD = 'correct horse battery';

/** Signs `person` up through the web app's form at `origin` and waits until the app says they are signed in. */
export async function signUpInBrowser(person: Person, origin: string): Promise<void> {
  const { page } = person;
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.getByLabel('Username').fill(person.name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText(`Signed in as ${person.name}`).waitFor();
}

/**
 * Creates a group of `person` and `usernames` (comma-separated, as typed) from the New group form and
 * waits until it is open. The form is opened only if it is not already (clicking it again would close it).
 */
export async function createGroupInBrowser(person: Person, usernames: string, title: string): Promise<void> {
  const { page } = person;
  const people = page.getByLabel('People', { exact: true });
  if (!(await people.isVisible())) await page.getByText('New group').click();
  await people.fill(usernames);
  await page.getByLabel('Group name').fill(title);
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name: title }).waitFor();
}

/** A person at a browser: their own context (cookies), one page, and what the page did that it should not. */
export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** alert/confirm/prompt dialogs the page opened. */
  dialogs: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** What the server's Content-Security-Policy made the browser refuse (Chromium reports it on the console). */
  cspViolations: string[];
}

export async function openPerson(browser: Browser, name: string, viewport = { width: 1100, height: 720 }): Promise<Person> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const person: Person = { name, context, page, dialogs: [], pageErrors: [], cspViolations: [] };
  page.on('dialog', (dialog) => {
    person.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => person.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) person.cspViolations.push(message.text());
  });
  return person;
}

/** Numbered screenshots in test-results/browser/<timestamp>-<story>/ (gitignored), a folder per run of a story. */
export function screenshotFolder(story: string): { dir: string; shot(page: Page, name: string): Promise<void> } {
  const dir = join(repoRoot, 'test-results/browser', `${new Date().toISOString().replace(/[:.]/g, '-')}-${story}`);
  mkdirSync(dir, { recursive: true });
  let count = 0;
  return {
    dir,
    async shot(page, name) {
      count += 1;
      await page.screenshot({ path: join(dir, `${String(count).padStart(2, '0')}-${name}.png`) });
    },
  };
}
