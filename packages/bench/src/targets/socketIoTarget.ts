import { io, type Socket } from 'socket.io-client';
import { startDeployment } from '../servers/startDeployment.ts';
import { SIGN_UP_PATH, type ClientToServerEvents, type PeerAck, type ServerToClientEvents } from '../socketio/protocol.ts';
import type { BenchConnection, BenchUser, ChatTarget, RunningTarget } from './chatTarget.ts';

type PeerClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SIGN_UP_CONCURRENCY = 32;

/** The Socket.IO peer (packages/bench/src/socketio/server.ts), driven through socket.io-client. */
export const socketIoTarget: ChatTarget = {
  name: 'socket.io',
  async start(deployment): Promise<RunningTarget> {
    const running = await startDeployment('packages/bench/src/socketio/server.ts', deployment);
    const urls = running.processes.map((p) => p.url);
    const signUpOne = async (username: string, url: string): Promise<BenchUser> => {
      const res = await fetch(`${url}${SIGN_UP_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
      });
      if (!res.ok) throw new Error(`Socket.IO peer sign-up of ${username} failed: ${res.status} ${await res.text()}`);
      const { token } = (await res.json()) as { token: string };
      return { username, token };
    };
    return {
      name: 'socket.io',
      urls,
      pids: running.processes.map((p) => p.pid),
      signUp: signUpOne,
      async seedUsers(usernames) {
        // The peer's sign-up is already cheap (no password hashing), so its own endpoint seeds it.
        const users: BenchUser[] = new Array(usernames.length);
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < usernames.length; i = next++) users[i] = await signUpOne(usernames[i]!, urls[i % urls.length]!);
        };
        await Promise.all(Array.from({ length: SIGN_UP_CONCURRENCY }, worker));
        return users;
      },
      connect: connectSocketIo,
      stop: running.stop,
    };
  },
};

async function connectSocketIo(user: BenchUser, url: string): Promise<BenchConnection> {
  // forceNew: one socket per user, not one multiplexed Manager for every user of this URL.
  const socket: PeerClientSocket = io(url, { transports: ['websocket'], auth: { token: user.token }, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    // Only the first connect decides; later connect errors are the client's own reconnect path at work.
    const onConnect = () => {
      socket.off('connect_error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      socket.off('connect', onConnect);
      socket.close();
      reject(new Error(`Socket.IO peer refused ${user.username}: ${error.message}`));
    };
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });

  const followed = new Map<string, (seq: number, body: string) => void>();
  socket.on('message', (message) => followed.get(message.threadId)?.(message.seq, message.body));
  // Socket.IO's normal reconnect path: a new connection is in no room, so the client joins them again.
  // What was broadcast while it was away is gone (no connection state recovery with the Redis adapter).
  socket.on('connect', () => {
    for (const threadId of followed.keys()) socket.emit('thread:join', { threadId }, () => {});
  });

  return {
    async createGroup(usernames) {
      return unwrap(await socket.emitWithAck('thread:createGroup', { usernames })).id;
    },
    async follow(threadId, onMessage) {
      followed.set(threadId, onMessage);
      unwrap(await socket.emitWithAck('thread:join', { threadId }));
    },
    async send(threadId, body, clientId) {
      return unwrap(await socket.emitWithAck('message:send', { threadId, body, clientId })).seq;
    },
    isOpen: () => socket.connected,
    async close() {
      socket.close();
    },
  };
}

function unwrap<T>(ack: PeerAck<T>): T {
  if (!ack.ok) throw new Error(ack.error);
  return ack.value;
}
