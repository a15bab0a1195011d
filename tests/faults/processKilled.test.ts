import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { failoverWsClient } from '../helpers/failoverWsClient.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { summarizeLatencies } from '../helpers/latencySummary.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { recordThread, type ThreadRecorder } from '../helpers/threadRecorder.ts';
import { startThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

let scenario: FaultScenario;
let doomed: ServerProcess;
let survivor: ServerProcess;

beforeAll(async () => {
  scenario = await openFaultScenario();
  [doomed, survivor] = (await scenario.startServers(2)) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

describe('a server process killed with SIGKILL while its clients listen', () => {
  it('its clients reconnect to the other process and resume from their last event id with no gap', async () => {
    const { alice, bob, threadId } = await scenario.createThread(doomed);
    // Clients that know both URLs start on the doomed process; one more listens on the survivor throughout.
    const urls = [doomed.wsUrl, survivor.wsUrl];
    const movers = [alice.token, bob.token, alice.token].map((token) => failoverWsClient(urls, token));
    const bystander = wsClient(survivor.wsUrl, bob.token);
    scenario.defer(() => Promise.all([...movers.map((c) => c.close()), bystander.close()]));
    const recorders: ThreadRecorder[] = [];
    for (const [i, mover] of movers.entries()) recorders.push(await recordThread(mover.client, threadId, `mover${i + 1}`));
    recorders.push(await recordThread(bystander.client, threadId, 'bystander@survivor'));
    expect(movers.map((m) => m.currentUrl())).toEqual(Array(3).fill(doomed.wsUrl));

    // One sender rides the doomed process (its sends in flight at the kill fail and are retried, same
    // clientId, on the survivor); one sends through the survivor.
    const aliceSends = failoverWsClient(urls, alice.token);
    const bobSends = wsClient(survivor.wsUrl, bob.token);
    scenario.defer(() => Promise.all([aliceSends.close(), bobSends.close()]));
    const senders = [
      startThreadSender(aliceSends.client, threadId, { label: 'alice-mover', pauseMs: 0 }),
      startThreadSender(bobSends.client, threadId, { label: 'bob@survivor', pauseMs: 5 }),
    ];
    scenario.defer(() => Promise.all(senders.map((s) => s.stop())));
    const acceptedCount = () => senders.reduce((sum, s) => sum + s.accepted.length, 0);
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(60), { timeout: 10_000 });

    const attemptsBefore = movers.map((m) => m.attempts.length);
    const killedAt = Date.now();
    expect(await scenario.stopServer(doomed, 'SIGKILL')).toBeNull();
    await vi.waitFor(() => expect([...movers, aliceSends].map((m) => m.currentUrl())).toEqual(Array(4).fill(survivor.wsUrl)), { timeout: 10_000 });
    const acceptedAtKill = acceptedCount();
    await vi.waitFor(() => expect(recorders.every((r) => r.firstDeliveryAfter(killedAt + 1))).toBeTruthy(), { timeout: 10_000 });
    const resumedMs = recorders.slice(0, movers.length).map((r) => r.firstDeliveryAfter(killedAt + 1)!.receivedAt - killedAt);
    await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(acceptedAtKill + 60), { timeout: 10_000 });
    await Promise.all(senders.map((s) => s.stop()));

    const accepted = senders.flatMap((s) => s.accepted);
    const { stored } = await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
    const failures = senders.flatMap((s) => s.failures);
    const reconnectAttempts = movers.map((m, i) => m.attempts.length - attemptsBefore[i]!);
    console.info(
      `[SIGKILL] movers delivered again ${summarizeLatencies(resumedMs).p50}–${summarizeLatencies(resumedMs).max} ms after the kill, ` +
        `after ${reconnectAttempts.join('/')} connection attempts; ` +
        `${failures.length} sends failed at the kill (${[...new Set(failures.map((f) => f.code))].join(', ') || 'none'}), ` +
        `${accepted.filter((a) => a.attempts > 1).length} accepted on a retry; ${accepted.length} accepted, ${stored.length} stored`,
    );
  }, 45_000);
});
