import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { freeConsecutivePorts } from '../helpers/freePort.ts';
import { repoRoot } from '../helpers/paths.ts';
import { recordThread } from '../helpers/threadRecorder.ts';
import { startThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

let scenario: FaultScenario;
let cluster: ChildProcess;
let exited: Promise<number | null>;
const output: string[] = [];
let firstPort: number;
let proxyPort: number;

function runCluster(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** How many connections the cluster's load balancer (process `pid`) holds open to `port`. */
async function balancedConnectionsTo(pid: number, port: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`]);
  return stdout.split('\n').filter((line) => line.includes(`pid=${pid},`)).length;
}

beforeAll(async () => {
  scenario = await openFaultScenario();
  firstPort = await freeConsecutivePorts(3);
  proxyPort = firstPort + 2;
  cluster = runCluster(['--processes', '2', '--proxy', String(proxyPort)], { ...scenario.env, PORT: String(firstPort) });
  exited = new Promise((resolve) => cluster.once('exit', (code) => resolve(code)));
  scenario.defer(async () => {
    if (cluster.exitCode === null) cluster.kill('SIGKILL');
    await exited;
  });
  createInterface({ input: cluster.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: cluster.stderr! }).on('line', (line) => output.push(line));
  await vi.waitFor(
    () => {
      if (cluster.exitCode !== null) throw new Error(`the cluster exited:\n${output.join('\n')}`);
      expect(output.some((line) => line.startsWith('cluster ready: 2 processes'))).toBe(true);
    },
    { timeout: 45_000, interval: 100 },
  );
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

describe('pnpm cluster', () => {
  it('runs two processes behind one address: a message sent through one reaches a subscriber on the other', async () => {
    const first = `127.0.0.1:${firstPort}`;
    const { alice, bob, threadId } = await scenario.createThread({ url: `http://${first}`, wsUrl: `ws://${first}/trpc` });
    const proxyWs = `ws://127.0.0.1:${proxyPort}/trpc`;
    const backends = [firstPort, firstPort + 1];
    const spread = async () => Promise.all(backends.map((port) => balancedConnectionsTo(cluster.pid!, port)));

    // Round robin: two sockets opened one after the other through the proxy land on different processes.
    const open = (token: string) => {
      const connection = wsClient(proxyWs, token);
      scenario.defer(() => connection.close());
      return connection;
    };
    const recorders = [await recordThread(open(bob.token).client, threadId, 'listener1')];
    await vi.waitFor(async () => expect((await spread()).sort()).toEqual([0, 1]));
    recorders.push(await recordThread(open(alice.token).client, threadId, 'listener2'));
    await vi.waitFor(async () => expect(await spread()).toEqual([1, 1]));
    const talkers = [open(alice.token), open(bob.token)];

    const senders = talkers.map((talker, i) => startThreadSender(talker.client, threadId, { label: `talker${i + 1}`, pauseMs: 5 }));
    scenario.defer(() => Promise.all(senders.map((s) => s.stop())));
    await vi.waitFor(() => expect(senders.every((s) => s.accepted.length >= 25)).toBe(true), { timeout: 15_000 });
    await Promise.all(senders.map((s) => s.stop()));
    expect(await spread()).toEqual([2, 2]);

    const accepted = senders.flatMap((s) => s.accepted);
    await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
  }, 30_000);

  it('drains every process on SIGTERM and exits 0', async () => {
    const stoppedAt = Date.now();
    cluster.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const stopped = output.filter((line) => line.includes('"msg":"stopped"')).map((line) => line.split(' ')[0]);
    expect(stopped.sort()).toEqual([`[1:${firstPort}]`, `[2:${firstPort + 1}]`]);
  }, 15_000);

  it('refuses to start without PostgreSQL, saying why', async () => {
    const child = runCluster([], { DATABASE_URL: 'file:./data/parley.db', REDIS_URL: scenario.redisUrl });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('a cluster needs PostgreSQL');
  });
});
