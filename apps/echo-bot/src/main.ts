import { startEchoBot } from './echoBot.ts';

// Configuration comes from the environment, so the same program runs locally and in a container.
const url = process.env.PARLEY_URL ?? 'http://localhost:3000';
const username = process.env.ECHO_BOT_USERNAME ?? 'echo-bot';
const password = process.env.ECHO_BOT_PASSWORD;

if (!password) {
  console.error('Set ECHO_BOT_PASSWORD (8 characters or more) for the bot account.');
  process.exit(2);
}

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
const bot = await startEchoBot({
  url,
  username,
  password,
  log,
  onSessionEnded() {
    log('session ended; exiting');
    process.exit(1);
  },
}).catch((error: unknown) => {
  console.error(`The echo bot could not sign in at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
log(`echo bot "${bot.user.username}" is answering at ${url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void bot.stop().then(() => process.exit(0));
  });
}
