import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createParleyClient, signUp, type MessageView, type ParleyClient } from '@parley/client';
import { repoRoot } from '../helpers/paths.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PASSWORD = 'correct horse battery';
let server: TestServer;
let bot: ChildProcess | null = null;
let botOutput = '';
const users: ParleyClient[] = [];
let botNet: TcpProxy | null = null;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(users.splice(0).map((user) => user.close()));
  if (bot && bot.exitCode === null) {
    bot.kill('SIGTERM');
    await new Promise((resolve) => bot?.once('exit', resolve));
  }
  await botNet?.close();
  botNet = null;
  await server.close();
});

/** Runs the example as its own process, the way someone would start it. */
async function startBot(env: Record<string, string>): Promise<void> {
  botOutput = '';
  bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(repoRoot, 'apps/echo-bot'),
    env: { ...process.env, PARLEY_URL: server.url, ECHO_BOT_USERNAME: 'echo', ECHO_BOT_PASSWORD: PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout?.on('data', (chunk) => (botOutput += String(chunk)));
  bot.stderr?.on('data', (chunk) => (botOutput += String(chunk)));
  await waitFor(() => botOutput.includes('is answering') || bot?.exitCode != null, 'the bot to start', 20_000);
  expect(botOutput).toContain('echo bot "echo" is answering');
}

async function userInThreadWithBot(name: string) {
  const { token } = await signUp(server.url, name, PASSWORD);
  const user = createParleyClient({ url: server.url, token });
  users.push(user);
  const thread = await user.api.thread.getOrCreate.mutate({ username: 'echo' });
  const seen: MessageView[] = [];
  user.api.thread.onMessage.subscribe(
    { threadId: thread.id, lastEventId: '0' },
    { onData: ({ data }) => void (data.kind === 'message' && seen.push(data.message)) },
  );
  return { client: user, thread, seen };
}

const lines = (messages: MessageView[]) => messages.map((m) => `${m.author.username}: ${m.body}`);

describe('the echo bot example', () => {
  it('signs up on first run and answers each message once, in order, never itself', async () => {
    await startBot({});
    const { client, thread, seen } = await userInThreadWithBot('carol');
    for (const body of ['ping 1', 'ping 2', 'ping 3']) await client.api.message.send.mutate({ threadId: thread.id, body });

    await waitFor(() => seen.length >= 6, 'three echoes', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 600)); // room for a wrong extra echo to show up
    expect(lines(seen).filter((l) => l.startsWith('carol'))).toEqual(['carol: ping 1', 'carol: ping 2', 'carol: ping 3']);
    expect(lines(seen).filter((l) => l.startsWith('echo'))).toEqual(['echo: echo: ping 1', 'echo: echo: ping 2', 'echo: echo: ping 3']);
    expect(seen).toHaveLength(6);
  });

  it('answers once each, in order, what was sent while its connection was down, in old and new threads', async () => {
    botNet = await startTcpProxy(Number(new URL(server.url).port));
    await startBot({ PARLEY_URL: botNet.origin });
    const erin = await userInThreadWithBot('erin');
    await erin.client.api.message.send.mutate({ threadId: erin.thread.id, body: 'before' });
    await waitFor(() => erin.seen.length >= 2, 'the first echo', 10_000);

    botNet.setBlocked(true);
    botNet.dropAll();
    await waitFor(() => botOutput.includes('connection reconnecting'), 'the bot to lose its connection');
    for (const body of ['while away 1', 'while away 2']) await erin.client.api.message.send.mutate({ threadId: erin.thread.id, body });
    // A thread started while the bot was away: its `thread` event went nowhere.
    const frank = await userInThreadWithBot('frank');
    await frank.client.api.message.send.mutate({ threadId: frank.thread.id, body: 'new here' });
    botNet.setBlocked(false);

    await waitFor(() => erin.seen.length >= 6 && frank.seen.length >= 2, 'the echoes after reconnecting', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 600)); // room for a wrong extra echo to show up
    expect(lines(erin.seen)).toEqual([
      'erin: before',
      'echo: echo: before',
      'erin: while away 1',
      'erin: while away 2',
      'echo: echo: while away 1',
      'echo: echo: while away 2',
    ]);
    expect(lines(frank.seen)).toEqual(['frank: new here', 'echo: echo: new here']);
  });

  it('answers in a group it is added to', async () => {
    await startBot({});
    await signUp(server.url, 'gina', PASSWORD);
    const { token } = await signUp(server.url, 'hal', PASSWORD);
    const hal = createParleyClient({ url: server.url, token });
    users.push(hal);
    const group = await hal.api.thread.createGroup.mutate({ usernames: ['echo', 'gina'], title: 'Echo chamber' });
    const seen: MessageView[] = [];
    hal.api.thread.onMessage.subscribe(
      { threadId: group.id, lastEventId: '0' },
      { onData: ({ data }) => void (data.kind === 'message' && seen.push(data.message)) },
    );
    await hal.api.message.send.mutate({ threadId: group.id, body: 'anyone?' });
    await waitFor(() => seen.length >= 2, 'the echo in the group', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(lines(seen)).toEqual(['hal: anyone?', 'echo: echo: anyone?']);
  });

  it('logs in to its existing account and answers what was sent while it was away', async () => {
    await signUp(server.url, 'echo', PASSWORD);
    const { client, thread, seen } = await userInThreadWithBot('dave');
    await client.api.message.send.mutate({ threadId: thread.id, body: 'are you there?' });
    await startBot({});
    await waitFor(() => seen.find((m) => m.author.username === 'echo'), 'the echo', 10_000);
    expect(seen.map((m) => m.body)).toEqual(['are you there?', 'echo: are you there?']);
  });

  it('refuses to start with a wrong password for an existing account', async () => {
    await signUp(server.url, 'echo', PASSWORD);
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(repoRoot, 'apps/echo-bot'),
      env: { ...process.env, PARLEY_URL: server.url, ECHO_BOT_USERNAME: 'echo', ECHO_BOT_PASSWORD: 'a wrong password' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    bot.stderr?.on('data', (chunk) => (output += String(chunk)));
    const code = await new Promise((resolve) => bot?.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('Wrong username or password');
  });
});
