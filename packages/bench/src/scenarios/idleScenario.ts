import { randomBytes } from 'node:crypto';
import { mapConcurrently } from '../load/mapConcurrently.ts';
import { round, startUsageWindow, totalRssKb } from '../load/processUsage.ts';
import type { BenchConnection, BenchUser, ChatTarget, ServerName } from '../targets/chatTarget.ts';

export interface IdleScenarioOptions {
  sockets: number;
  connectConcurrency: number;
  /** Pause before each memory reading, for the server's allocations to settle. */
  settleMs: number;
  /** Then every socket follows one thread of this many members (0 to skip). */
  membersPerThread: number;
}

export interface IdleScenarioResult {
  server: ServerName;
  sockets: number;
  openSeconds: number;
  socketsOpenedPerSec: number;
  serverCpuPercentWhileOpening: number;
  /** Server CPU time per socket opened (upgrade, authentication, first call). */
  serverCpuMsPerSocketOpened: number;
  loadGeneratorCpuPercentWhileOpening: number;
  serverRssBeforeMb: number;
  serverRssOpenMb: number;
  /** Server memory growth per open, authenticated, idle socket, over the second half of the sockets. */
  kbPerIdleSocket: number;
  /** The same over all of them, one-off growth of the heap included. */
  kbPerIdleSocketAverage: number;
  serverRssFollowingMb: number | null;
  /** The same once every socket also follows one thread (a live subscription, or a joined room). */
  kbPerSocketFollowingOneThread: number | null;
  /** CLOCK_MONOTONIC microseconds of the opening, to cut it out of a CPU profile. */
  openingWindowUs: [number, number];
}

const WARM_UP_SOCKETS = 50;

/** Scenario (c): thousands of authenticated sockets that stay idle; memory per socket and how fast they open. */
export async function runIdleScenario(target: ChatTarget, options: IdleScenarioOptions): Promise<IdleScenarioResult> {
  const running = await target.start({ processes: 1, database: 'sqlite' });
  const connections: BenchConnection[] = [];
  const settle = () => new Promise((resolve) => setTimeout(resolve, options.settleMs));
  try {
    const run = randomBytes(3).toString('hex');
    const users = await running.seedUsers(Array.from({ length: options.sockets + WARM_UP_SOCKETS }, (_, i) => `i${run}u${i}`));
    const url = running.urls[0]!;
    // Opened and closed first, so that the baseline includes what the first connections load lazily.
    const warmUp = await mapConcurrently(users.slice(options.sockets), 10, (user) => running.connect(user, url));
    await Promise.all(warmUp.map((c) => c.close()));
    await settle();

    const rssBefore = totalRssKb(running.pids);
    const openStartUs = Number(process.hrtime.bigint() / 1000n);
    // Opened in two halves with a reading between: the second half's growth is what one more socket
    // costs, without the one-off growth of the heap's young generation and code that the first
    // thousands of connections cause. Both servers are measured the same way. Time and CPU count only
    // the opening, not the pause between the halves.
    const half = Math.floor(options.sockets / 2);
    const open = async (batch: BenchUser[]) => {
      const endCpu = startUsageWindow(running.pids);
      const endLoadGeneratorCpu = startUsageWindow([process.pid]);
      const started = performance.now();
      const made = await mapConcurrently(batch, options.connectConcurrency, async (user) => {
        const connection = await running.connect(user, url);
        connections.push(connection);
        return connection;
      });
      const seconds = (performance.now() - started) / 1000;
      return { made, seconds, cpuSeconds: endCpu().cpuSeconds, loadGeneratorCpuSeconds: endLoadGeneratorCpu().cpuSeconds };
    };
    const first = await open(users.slice(0, half));
    await settle();
    const rssHalf = totalRssKb(running.pids);
    const second = await open(users.slice(half, options.sockets));
    const opened = [...first.made, ...second.made];
    const openSeconds = first.seconds + second.seconds;
    const openingWindowUs: [number, number] = [openStartUs, Number(process.hrtime.bigint() / 1000n)];
    const cpuSeconds = first.cpuSeconds + second.cpuSeconds;
    const percentOfOpening = (seconds: number) => round((seconds / openSeconds) * 100, 1);
    await settle();
    const rssOpen = totalRssKb(running.pids);

    let rssFollowing: number | null = null;
    if (options.membersPerThread > 1) {
      const groups = Math.floor(options.sockets / options.membersPerThread);
      const members = (g: number) => opened.slice(g * options.membersPerThread, (g + 1) * options.membersPerThread);
      const usernames = (g: number) => users.slice(g * options.membersPerThread + 1, (g + 1) * options.membersPerThread).map((u) => u.username);
      const ids = await mapConcurrently(
        Array.from({ length: groups }, (_, g) => g),
        16,
        (g) => members(g)[0]!.createGroup(usernames(g)),
      );
      const follows = ids.flatMap((id, g) => members(g).map((c) => ({ id, c })));
      await mapConcurrently(follows, options.connectConcurrency, ({ id, c }) => c.follow(id, () => {}));
      await settle();
      rssFollowing = totalRssKb(running.pids);
    }

    return {
      server: target.name,
      sockets: options.sockets,
      openSeconds: round(openSeconds, 2),
      socketsOpenedPerSec: Math.round(options.sockets / openSeconds),
      serverCpuPercentWhileOpening: percentOfOpening(cpuSeconds),
      serverCpuMsPerSocketOpened: round((cpuSeconds * 1000) / options.sockets, 2),
      loadGeneratorCpuPercentWhileOpening: percentOfOpening(first.loadGeneratorCpuSeconds + second.loadGeneratorCpuSeconds),
      serverRssBeforeMb: round(rssBefore / 1024, 1),
      serverRssOpenMb: round(rssOpen / 1024, 1),
      kbPerIdleSocket: round((rssOpen - rssHalf) / (options.sockets - half), 1),
      kbPerIdleSocketAverage: round((rssOpen - rssBefore) / options.sockets, 1),
      serverRssFollowingMb: rssFollowing === null ? null : round(rssFollowing / 1024, 1),
      kbPerSocketFollowingOneThread: rssFollowing === null ? null : round((rssFollowing - rssBefore) / options.sockets, 1),
      openingWindowUs,
    };
  } finally {
    await Promise.allSettled(connections.map((c) => c.close()));
    await running.stop();
  }
}
