import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { killRedisClientsNamed } from '../helpers/redisAdmin.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { recordThread, type ThreadRecorder } from '../helpers/threadRecorder.ts';
import { startThreadSender, type AcceptedMessage } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

let scenario: FaultScenario;
let one: ServerProcess;
let two: ServerProcess;

beforeAll(async () => {
  scenario = await openFaultScenario();
  [one, two] = (await scenario.startServers(2)) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

/** Log lines of `server` whose msg is `msg`, parsed. */
function logged(server: ServerProcess, msg: string): Array<{ time: number }> {
  return server.logs.filter((line) => line.includes(`"msg":"${msg}"`)).map((line) => JSON.parse(line) as { time: number });
}

async function listenOnBoth(threadId: string, alice: string, bob: string): Promise<ThreadRecorder[]> {
  const recorders: ThreadRecorder[] = [];
  for (const [server, token, label] of [
    [one, alice, 'alice@1'],
    [one, bob, 'bob@1'],
    [two, alice, 'alice@2'],
    [two, bob, 'bob@2'],
  ] as const) {
    const connection = wsClient(server.wsUrl, token);
    scenario.defer(() => connection.close());
    recorders.push(await recordThread(connection.client, threadId, label));
  }
  return recorders;
}

describe('a Redis connection killed while messages flow', () => {
  it('subscribers whose process lost its subscriber connection (CLIENT KILL) catch up from the database', async () => {
    const { alice, bob, threadId } = await scenario.createThread(one);
    const recorders = await listenOnBoth(threadId, alice.token, bob.token);
    const [aliceOnOne, bobOnTwo] = [wsClient(one.wsUrl, alice.token), wsClient(two.wsUrl, bob.token)];
    scenario.defer(() => Promise.all([aliceOnOne.close(), bobOnTwo.close()]));
    const senders = [
      startThreadSender(aliceOnOne.client, threadId, { label: 'alice@1', pauseMs: 0 }),
      startThreadSender(bobOnTwo.client, threadId, { label: 'bob@2', pauseMs: 0 }),
    ];
    scenario.defer(() => Promise.all(senders.map((s) => s.stop())));
    const acceptedCount = () => senders.reduce((sum, s) => sum + s.accepted.length, 0);
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(50), { timeout: 10_000 });

    const reconnectMs: number[] = [];
    for (const server of [two, one, two]) {
      const reconnectsBefore = logged(server, 'redis bus subscriber reconnected; resyncing subscriptions').length;
      const killedAt = Date.now();
      expect(await killRedisClientsNamed(scenario.redisUrl, `parley-subscriber-${server.child.pid}`)).toBe(1);
      await vi.waitFor(() => expect(logged(server, 'redis bus subscriber reconnected; resyncing subscriptions').length).toBe(reconnectsBefore + 1), {
        timeout: 10_000,
      });
      reconnectMs.push(logged(server, 'redis bus subscriber reconnected; resyncing subscriptions').at(-1)!.time - killedAt);
      const target = acceptedCount() + 40;
      await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(target), { timeout: 10_000 });
    }
    await Promise.all(senders.map((s) => s.stop()));

    const accepted = senders.flatMap((s) => s.accepted);
    const { stored } = await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
    console.info(
      `[CLIENT KILL subscriber] ${accepted.length} accepted, ${stored.length} stored, ${senders.flatMap((s) => s.failures).length} failed sends; ` +
        `subscriber reconnected ${reconnectMs.join(' / ')} ms after each kill`,
    );
  }, 45_000);

  it('a message whose publish failed (publisher connection killed) still reaches subscribers of a thread that then goes quiet', async () => {
    const { alice, bob, threadId } = await scenario.createThread(one);
    const recorders = await listenOnBoth(threadId, alice.token, bob.token);
    const sender = wsClient(one.wsUrl, alice.token);
    scenario.defer(() => sender.close());
    const accepted: AcceptedMessage[] = [];
    // Kill the publisher and send at once, until a send lands while it reconnects (its publish fails).
    const failuresBefore = logged(one, 'bus publish failed').length;
    for (let n = 1; n <= 20 && logged(one, 'bus publish failed').length === failuresBefore; n++) {
      expect(await killRedisClientsNamed(scenario.redisUrl, `parley-publisher-${one.child.pid}`)).toBe(1);
      const firstSentAt = Date.now();
      const message = await sender.client.message.send.mutate({ threadId, body: `after kill ${n}`, clientId: `quiet-${n}` });
      accepted.push({
        kind: 'message',
        clientId: `quiet-${n}`,
        id: message.id,
        seq: message.seq,
        sender: 'alice@1',
        attempts: 1,
        firstSentAt,
        acceptedAt: Date.now(),
        answeredAfterMs: Date.now() - firstSentAt,
      });
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the publisher reconnect for the next round
    }
    expect(logged(one, 'bus publish failed').length, 'no publish failed: the fault was not injected').toBeGreaterThan(failuresBefore);

    // Nothing is sent after it: the thread is quiet, so only the server can bring the message to its subscribers.
    await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders, timeoutMs: 10_000 });
  }, 45_000);
});
