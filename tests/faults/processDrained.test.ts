import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { failoverWsClient } from '../helpers/failoverWsClient.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { recordThread, type ThreadRecorder } from '../helpers/threadRecorder.ts';
import { startThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

const EXIT_BOUND_MS = 10_000;

let scenario: FaultScenario;
let draining: ServerProcess;
let peer: ServerProcess;

beforeAll(async () => {
  scenario = await openFaultScenario();
  [draining, peer] = (await scenario.startServers(2)) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

/** 'open', or how opening a socket was refused (an HTTP status or a socket error code). */
function tryOpenSocket(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(`HTTP ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('SIGTERM while clients listen and send', () => {
  it('stops taking sockets, moves its clients to the other process, finishes in-flight sends and exits 0 in time', async () => {
    const { alice, bob, threadId } = await scenario.createThread(draining);
    const urls = [draining.wsUrl, peer.wsUrl];
    const movers = [alice.token, bob.token, alice.token].map((token) => failoverWsClient(urls, token));
    const bystander = wsClient(peer.wsUrl, bob.token);
    scenario.defer(() => Promise.all([...movers.map((c) => c.close()), bystander.close()]));
    const recorders: ThreadRecorder[] = [];
    for (const [i, mover] of movers.entries()) recorders.push(await recordThread(mover.client, threadId, `mover${i + 1}`));
    recorders.push(await recordThread(bystander.client, threadId, 'bystander@peer'));

    // Two senders on the draining process send back to back, so a send is in flight when SIGTERM lands.
    const sendingMovers = [failoverWsClient(urls, alice.token), failoverWsClient(urls, bob.token)];
    const bobOnPeer = wsClient(peer.wsUrl, bob.token);
    scenario.defer(() => Promise.all([...sendingMovers.map((c) => c.close()), bobOnPeer.close()]));
    const senders = [
      startThreadSender(sendingMovers[0]!.client, threadId, { label: 'alice-mover', pauseMs: 0 }),
      startThreadSender(sendingMovers[1]!.client, threadId, { label: 'bob-mover', pauseMs: 0 }),
      startThreadSender(bobOnPeer.client, threadId, { label: 'bob@peer', pauseMs: 5 }),
    ];
    scenario.defer(() => Promise.all(senders.map((s) => s.stop())));
    const acceptedCount = () => senders.reduce((sum, s) => sum + s.accepted.length, 0);
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(60), { timeout: 10_000 });
    const clients = [...movers, ...sendingMovers];
    expect(clients.map((c) => c.currentUrl())).toEqual(Array(clients.length).fill(draining.wsUrl));

    const termAt = Date.now();
    const exit = scenario.stopServer(draining, 'SIGTERM').then((code) => ({ code, afterMs: Date.now() - termAt }));
    await vi.waitFor(() => expect(draining.logs.some((line) => line.includes('"msg":"shutting down"'))).toBe(true), { timeout: 5_000 });
    const newSocket = await tryOpenSocket(draining.wsUrl);

    let movedAfterMs = 0;
    await vi.waitFor(
      () => {
        expect(clients.map((c) => c.currentUrl())).toEqual(Array(clients.length).fill(peer.wsUrl));
        movedAfterMs = Date.now() - termAt;
      },
      { timeout: EXIT_BOUND_MS, interval: 10 },
    );
    const { code, afterMs } = await exit;
    const acceptedAtExit = acceptedCount();
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(acceptedAtExit + 60), { timeout: 10_000 });
    await Promise.all(senders.map((s) => s.stop()));

    expect(newSocket, 'a socket opened after SIGTERM').not.toBe('open');
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(EXIT_BOUND_MS);
    expect(draining.logs.filter((line) => /closing with calls still under way|shutdown took too long|shutdown failed/.test(line))).toEqual([]);
    // Each send in flight at SIGTERM either returned (and the check below holds it to delivery) or failed.
    const accepted = senders.flatMap((s) => s.accepted);
    const onDraining = (sender: string) => sender.endsWith('-mover');
    const inFlight = accepted.filter((a) => onDraining(a.sender) && a.firstSentAt <= termAt && a.acceptedAt >= termAt);
    const failedInFlight = senders.flatMap((s) => s.failures).filter((f) => onDraining(f.sender) && f.startedAt <= termAt);
    const { stored } = await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
    console.info(
      `[SIGTERM] new socket after SIGTERM: ${newSocket}; every client on the other process ${movedAfterMs} ms after SIGTERM; ` +
        `exit ${code} after ${afterMs} ms; in flight at SIGTERM: ${inFlight.length} returned, ${failedInFlight.length} failed; ` +
        `${senders.flatMap((s) => s.failures).length} failed sends in all; ${accepted.length} accepted, ${stored.length} stored`,
    );
  }, 45_000);
});
