import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { startThreadSender, type ThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

// The servers get a Redis of their own: restarting the shared one would be a fault injected into every
// other suite running meanwhile.
let redis: PrivateRedis;
let scenario: FaultScenario;
let servers: ServerProcess[];

beforeAll(async () => {
  redis = await startPrivateRedis();
  scenario = await openFaultScenario({ redisUrl: redis.url });
  servers = await scenario.startServers(2);
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
  await redis?.close();
}, 60_000);

async function readiness(server: ServerProcess): Promise<{ status: number; redis: boolean | null }> {
  const res = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { redis: boolean | null };
  return { status: res.status, redis: body.redis };
}

describe('Redis restarted while messages flow', () => {
  it('keeps storing sends while Redis is down, and every subscriber catches up once it is back', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const thread = await scenario.createThread(one);
    const { alice, bob, threadId } = thread;
    const recorders = await scenario.recordOnBoth([one, two], thread);
    const senders: ThreadSender[] = [];
    const send = (server: ServerProcess, token: string, label: string) => {
      const connection = wsClient(server.wsUrl, token);
      scenario.defer(() => connection.close());
      const sender = startThreadSender(connection.client, threadId, { label, pauseMs: 5 });
      scenario.defer(() => sender.stop());
      senders.push(sender);
      return sender;
    };
    const beforeOutage = [send(one, alice.token, 'alice@1'), send(two, bob.token, 'bob@2')];
    const acceptedCount = () => senders.reduce((sum, s) => sum + s.accepted.length, 0);
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(50), { timeout: 10_000 });

    await redis.shutdown();
    const downAt = Date.now();
    const acceptedBeforeDown = acceptedCount();
    await vi.waitFor(async () => expect(await readiness(one)).toEqual({ status: 503, redis: false }), { timeout: 10_000 });
    // Sends go on while Redis is away; the last ones are stored with nothing left to carry them.
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(acceptedBeforeDown + 40), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + 2_000 - Date.now()))); // an outage of seconds, not a blip
    await Promise.all(beforeOutage.map((s) => s.stop()));
    const acceptedWhileDown = acceptedCount() - acceptedBeforeDown;
    const storedWhileDown = acceptedCount();

    await redis.start();
    const upAt = Date.now();
    await vi.waitFor(() => expect(recorders.every((r) => r.deliveries.length >= storedWhileDown)).toBe(true), { timeout: 15_000 });
    const caughtUpMs = Date.now() - upAt;
    await vi.waitFor(
      async () => {
        for (const server of servers) expect(await readiness(server)).toEqual({ status: 200, redis: true });
      },
      { timeout: 10_000 },
    );

    // The bus is the fast path again: messages sent now arrive without waiting for a gap.
    const after = [send(one, bob.token, 'bob@1-after'), send(two, alice.token, 'alice@2-after')];
    await vi.waitFor(() => expect(after.every((s) => s.accepted.length >= 20)).toBe(true), { timeout: 10_000 });
    await Promise.all(after.map((s) => s.stop()));

    const accepted = senders.flatMap((s) => s.accepted);
    const { stored } = await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
    console.info(
      `[Redis restart] down ${upAt - downAt} ms; ${acceptedWhileDown} sends accepted while down; subscribers had all of them ` +
        `${caughtUpMs} ms after Redis was back; ${accepted.length} accepted, ${stored.length} stored, ` +
        `${senders.flatMap((s) => s.failures).length} failed sends`,
    );
  }, 50_000);
});
