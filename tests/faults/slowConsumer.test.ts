import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { summarizeLatencies, type LatencySummary } from '../helpers/latencySummary.ts';
import { openRawTrpcSocket, processHoldsConnection } from '../helpers/rawTrpcSocket.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { recordThread, type ThreadRecorder } from '../helpers/threadRecorder.ts';
import { startThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

/** Messages per run: with SLOW_SUBSCRIPTIONS frames of ~4 KB each, far more than the kernel's buffers and a few MB. */
const MESSAGES = 400;
const SLOW_SUBSCRIPTIONS = 10;
const BODY_LENGTH = 4000;
/** Generous: how long after the flood starts the server may keep the socket. */
const CLOSE_BOUND_MS = 20_000;

let scenario: FaultScenario;
let listening: ServerProcess;
let sending: ServerProcess;

beforeAll(async () => {
  scenario = await openFaultScenario();
  [listening, sending] = (await scenario.startServers(2)) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

function residentMegabytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

/**
 * Three clients of `listening` subscribe to a fresh thread, `beforeFlood` runs, then `messages` big
 * messages are sent through `sending` as fast as it takes them. Returns the delivery latencies the three saw.
 */
async function floodAThread(beforeFlood: (threadId: string, token: string) => Promise<void>, messages = MESSAGES) {
  const { alice, bob, threadId } = await scenario.createThread(listening);
  const recorders: ThreadRecorder[] = [];
  for (const [token, label] of [
    [alice.token, 'alice'],
    [bob.token, 'bob'],
    [bob.token, 'bob-2'],
  ] as const) {
    const connection = wsClient(listening.wsUrl, token);
    scenario.defer(() => connection.close());
    recorders.push(await recordThread(connection.client, threadId, label));
  }
  await beforeFlood(threadId, alice.token);
  const rssBefore = residentMegabytes(listening.child.pid!);
  const floodedAt = Date.now();
  const connections = [wsClient(sending.wsUrl, alice.token), wsClient(sending.wsUrl, bob.token)];
  scenario.defer(() => Promise.all(connections.map((c) => c.close())));
  // Room for the sender's " (edited)" suffix: an edit past the length limit is refused and retried forever.
  const body = (n: number) => `${'x'.repeat(BODY_LENGTH - 20)}${String(n).padStart(10, '0')}`;
  const senders = connections.map((c, i) => startThreadSender(c.client, threadId, { label: `sender${i + 1}`, pauseMs: 0, body }));
  scenario.defer(() => Promise.all(senders.map((s) => s.stop())));
  await vi.waitFor(() => expect(senders.reduce((sum, s) => sum + s.accepted.length, 0)).toBeGreaterThanOrEqual(messages), {
    timeout: 30_000,
  });
  await Promise.all(senders.map((s) => s.stop()));
  const accepted = senders.flatMap((s) => s.accepted);
  await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
  const latency = summarizeLatencies(recorders.flatMap((r) => r.deliveries.map((d) => d.receivedAt - d.createdAt)));
  return { latency, floodedAt, floodMs: Date.now() - floodedAt, rssGrowthMb: residentMegabytes(listening.child.pid!) - rssBefore };
}

const show = (l: LatencySummary) => `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms`;

describe('a slow consumer', () => {
  it('is dropped once the server has buffered a few MB for it, while the other clients keep receiving everything', async () => {
    await floodAThread(async () => {}, 150); // warms both processes up, so the baseline is not their first flood
    const baseline = await floodAThread(async () => {});

    let slow!: Awaited<ReturnType<typeof openRawTrpcSocket>>;
    let releasedAfterMs: number | null = null;
    let watch: Promise<void> = Promise.resolve();
    const withSlow = await floodAThread(async (threadId, token) => {
      slow = await openRawTrpcSocket(listening.wsUrl, token);
      scenario.defer(() => slow.socket.terminate());
      for (let id = 1; id <= SLOW_SUBSCRIPTIONS; id++) await slow.subscribe(id, 'thread.onMessage', { threadId, lastEventId: '0' });
      slow.stopReading();
      const startedAt = Date.now();
      const serverPort = Number(new URL(listening.url).port);
      // Watches, from outside the server, for the moment it lets go of the socket.
      watch = (async () => {
        while (Date.now() - startedAt < CLOSE_BOUND_MS + 5_000) {
          if (!(await processHoldsConnection(listening.child.pid!, serverPort, slow.localPort))) {
            releasedAfterMs = Date.now() - startedAt;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
    });
    await vi.waitFor(() => expect(releasedAfterMs).not.toBeNull(), { timeout: CLOSE_BOUND_MS }).catch(() => {});
    await watch.catch(() => {});
    const readBeforeResume = slow.received();
    slow.resumeReading();
    const closeCode = await Promise.race([slow.closed, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000))]);
    const readInAll = slow.received();

    console.info(
      `[slow consumer] others' delivery latency without it: ${show(baseline.latency)} (${MESSAGES} messages in ${baseline.floodMs} ms); ` +
        `with it: ${show(withSlow.latency)} (in ${withSlow.floodMs} ms); server let go of the slow socket ` +
        `${releasedAfterMs ?? 'never'} ms into the flood, after the client had read ${(readBeforeResume.bytes / 1e6).toFixed(1)} MB; ` +
        `on resuming, it read ${((readInAll.bytes - readBeforeResume.bytes) / 1e6).toFixed(1)} MB more (${readInAll.frames} frames of ` +
        `${MESSAGES * SLOW_SUBSCRIPTIONS + SLOW_SUBSCRIPTIONS} owed) and saw close ${closeCode}; listening process RSS grew ` +
        `${baseline.rssGrowthMb} MB in the baseline, ${withSlow.rssGrowthMb} MB with the slow consumer`,
    );
    expect(releasedAfterMs, 'the server still holds the socket of a client that stopped reading').not.toBeNull();
    expect(closeCode).not.toBe('still open');
    expect(readInAll.frames).toBeLessThan(MESSAGES * SLOW_SUBSCRIPTIONS);
  }, 58_000);
});
