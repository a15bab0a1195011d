import { createParleyClient, errorCodeOf, signUp } from '@parley/client';
import { startDeployment } from '../servers/startDeployment.ts';
import type { BenchConnection, BenchUser, ChatTarget, RunningTarget } from './chatTarget.ts';
import { seedParleySessions } from './seedParleySessions.ts';

const PASSWORD = 'parley-bench-password';

// A bench sender is a program sending up to 50 messages a second, far above the per-user limit meant for
// people (20/s, burst 40). The limiter still runs on every send, so its cost stays in the numbers.
const SERVER_ENV = { SEND_RATE_PER_SECOND: '1000000', SEND_BURST: '1000000' };

/** Parley as `pnpm start` runs it (apps/server/src/main.ts), driven through @parley/client. */
export const parleyTarget: ChatTarget = {
  name: 'parley',
  async start(deployment): Promise<RunningTarget> {
    const running = await startDeployment('apps/server/src/main.ts', deployment, SERVER_ENV);
    return {
      name: 'parley',
      urls: running.processes.map((p) => p.url),
      pids: running.processes.map((p) => p.pid),
      async signUp(username, url) {
        const { token } = await signUp(url, username, PASSWORD);
        return { username, token };
      },
      seedUsers: (usernames) => seedParleySessions(running.databaseUrl, usernames),
      connect: connectParley,
      stop: running.stop,
    };
  },
};

async function connectParley(user: BenchUser, url: string): Promise<BenchConnection> {
  const client = createParleyClient({ url, token: user.token });
  try {
    // The first answered call proves the socket is open and its connectionParams token accepted.
    const me = await client.api.auth.me.query();
    if (!me) throw new Error(`Parley did not accept the session of ${user.username}`);
  } catch (error) {
    await client.close();
    throw error;
  }
  const subscriptions: Array<{ unsubscribe(): void }> = [];
  return {
    async createGroup(usernames) {
      try {
        const thread = await client.api.thread.createGroup.mutate({ usernames });
        return thread.id;
      } catch (error) {
        if (errorCodeOf(error) === 'NOT_FOUND' && /no procedure/i.test(String((error as Error).message))) {
          throw new Error(
            'Parley has no thread.createGroup procedure: the bench puts 10 members in one thread and needs group threads ' +
              '(thread.createGroup({ usernames }) answering like thread.getOrCreate).',
          );
        }
        throw error;
      }
    },
    follow(threadId, onMessage) {
      return new Promise((resolve, reject) => {
        // lastEventId '0': everything from the thread's start, so no message sent before the server's
        // subscription is live can be missed; later reconnects resume from the last tracked id by themselves.
        const subscription = client.api.thread.onMessage.subscribe(
          { threadId, lastEventId: '0' },
          {
            onStarted: () => resolve(),
            // The bench only sends, so every event is a message; other kinds would carry no body to check.
            onData: ({ data }) => {
              if (data.kind === 'message') onMessage(data.seq, data.message.body);
            },
            onError: (error) => reject(error),
          },
        );
        subscriptions.push(subscription);
      });
    },
    async send(threadId, body, clientId) {
      const message = await client.api.message.send.mutate({ threadId, body, clientId });
      return message.seq;
    },
    isOpen: () => client.connectionState === 'open',
    async close() {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
      await client.close();
    },
  };
}
