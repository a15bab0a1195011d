import { randomBytes } from 'node:crypto';
import type { BenchConnection, BenchUser, RunningTarget } from '../targets/chatTarget.ts';
import { DeliveryLedger } from './deliveryLedger.ts';
import { mapConcurrently } from './mapConcurrently.ts';
import { round, totalRssKb } from './processUsage.ts';
import type { TrafficThread } from './trafficThread.ts';

export interface ThreadLayout {
  threads: number;
  /** Members per thread, the sender included. */
  membersPerThread: number;
  /** The base URL member `member` of thread `thread` connects to (a server process, or a proxy). */
  connectUrl(thread: number, member: number): string;
  /**
   * How many members sign up through the public API (the rest are seeded with real sessions): enough to
   * measure sign-ups per second without spending minutes on Parley's deliberate argon2 cost.
   */
  apiSignUps: number;
  signUpConcurrency: number;
  connectConcurrency: number;
}

export interface SetupResult {
  users: number;
  /** Of which signed up through the API (the others were seeded). */
  apiSignUps: number;
  signUpSeconds: number;
  signUpsPerSec: number;
  sockets: number;
  openSeconds: number;
  socketsOpenedPerSec: number;
  serverRssBeforeMb: number;
  serverRssAfterMb: number;
  /** Server memory growth per 1,000 open, authenticated sockets (before any subscription). */
  serverRssMbPer1000Sockets: number;
  followSeconds: number;
}

export interface ThreadsUnderLoad {
  threads: TrafficThread[];
  ledger: DeliveryLedger;
  connections: BenchConnection[];
  setup: SetupResult;
  closeAll(): Promise<void>;
}

/**
 * Signs up every member (bounded concurrency), opens one client per member, lets member 0 of each thread
 * create it with the others, and subscribes the others; deliveries go to the returned ledger.
 */
export async function setUpThreads(target: RunningTarget, layout: ThreadLayout): Promise<ThreadsUnderLoad> {
  const run = randomBytes(3).toString('hex');
  const members = Array.from({ length: layout.threads }, (_, t) =>
    Array.from({ length: layout.membersPerThread }, (_, m) => ({ t, m, username: `b${run}t${t}m${m}` })),
  ).flat();
  const processUrl = (t: number, m: number) => target.urls[(t + m) % target.urls.length]!;

  const viaApi = members.slice(0, Math.min(layout.apiSignUps, members.length));
  const signUpStart = performance.now();
  const signedUp: BenchUser[] = await mapConcurrently(viaApi, layout.signUpConcurrency, (member) =>
    target.signUp(member.username, processUrl(member.t, member.m)),
  );
  const signUpSeconds = (performance.now() - signUpStart) / 1000;
  const seeded = await target.seedUsers(members.slice(viaApi.length).map((m) => m.username));
  const users = [...signedUp, ...seeded];

  const connections: BenchConnection[] = [];
  const closeAll = async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssBefore = totalRssKb(target.pids);
    const openStart = performance.now();
    const opened = await mapConcurrently(members, layout.connectConcurrency, async (member, i) => {
      const connection = await target.connect(users[i]!, layout.connectUrl(member.t, member.m));
      connections.push(connection);
      return connection;
    });
    const openSeconds = (performance.now() - openStart) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssAfter = totalRssKb(target.pids);

    const byThread = Array.from({ length: layout.threads }, (_, t) => opened.slice(t * layout.membersPerThread, (t + 1) * layout.membersPerThread));
    const ids = await mapConcurrently(byThread, 16, (conns, t) =>
      conns[0]!.createGroup(members.slice(t * layout.membersPerThread + 1, (t + 1) * layout.membersPerThread).map((m) => m.username)),
    );
    const ledger = new DeliveryLedger(byThread.map((conns) => conns.length - 1));
    const threads: TrafficThread[] = byThread.map((conns, t) => ({
      index: t,
      id: ids[t]!,
      sender: conns[0]!,
      receivers: conns.slice(1),
    }));
    const followStart = performance.now();
    const follows = threads.flatMap((thread) => thread.receivers.map((receiver, r) => ({ thread, receiver, r })));
    await mapConcurrently(follows, layout.connectConcurrency, ({ thread, receiver, r }) =>
      receiver.follow(thread.id, (seq, body) => ledger.recordDelivery(thread.index, r, seq, body)),
    );
    const followSeconds = (performance.now() - followStart) / 1000;

    return {
      threads,
      ledger,
      connections,
      closeAll,
      setup: {
        users: members.length,
        apiSignUps: viaApi.length,
        signUpSeconds: round(signUpSeconds, 2),
        signUpsPerSec: viaApi.length ? Math.round(viaApi.length / signUpSeconds) : 0,
        sockets: members.length,
        openSeconds: round(openSeconds, 2),
        socketsOpenedPerSec: Math.round(members.length / openSeconds),
        serverRssBeforeMb: round(rssBefore / 1024, 1),
        serverRssAfterMb: round(rssAfter / 1024, 1),
        serverRssMbPer1000Sockets: round(((rssAfter - rssBefore) / 1024) * (1000 / members.length), 1),
        followSeconds: round(followSeconds, 2),
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
