import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectEveryAcceptedMessageDeliveredOnceInOrder } from '../helpers/deliveryCheck.ts';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../helpers/faultProxy.ts';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import { summarizeLatencies } from '../helpers/latencySummary.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { startThreadSender, type ThreadSender } from '../helpers/threadSender.ts';
import { wsClient } from '../helpers/trpcClients.ts';

/** How long a send (or /readyz) may take to answer while the database is away before it counts as a hang. */
const FAILURE_BOUND_MS = 10_000;
/** The client waits this long for an answer, so the test measures how long the server really takes. */
const PATIENCE_MS = 25_000;

let scenario: FaultScenario;
let proxy: FaultProxy;
let servers: ServerProcess[];

// Each case gets its own database, proxy and processes: a process the first outage brought down must
// not fail the second case for the wrong reason.
beforeEach(async () => {
  scenario = await openFaultScenario();
  const database = new URL(scenario.databaseUrl);
  proxy = await startFaultProxy({ host: database.hostname, port: Number(database.port || 5432) });
  scenario.defer(() => proxy.close());
  const proxied = new URL(scenario.databaseUrl);
  proxied.port = String(proxy.port);
  servers = await scenario.startServers(2, { DATABASE_URL: proxied.toString() });
}, 60_000);

afterEach(async () => {
  proxy?.setMode('forward');
  await scenario?.cleanup();
}, 60_000);

async function readiness(server: ServerProcess): Promise<{ status: number | 'no answer'; ms: number }> {
  const startedAt = Date.now();
  const status = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(PATIENCE_MS) }).then(
    (res) => res.status,
    () => 'no answer' as const,
  );
  return { status, ms: Date.now() - startedAt };
}

/**
 * Messages flow through both processes while the database link is cut `mode`-wise `cuts` times, for
 * `outageMs` each, and healed in between. Returns what the senders saw.
 */
async function sendThroughOutages(mode: Exclude<FaultMode, 'forward'>, outageMs: number, cuts = 1) {
  const [one, two] = servers as [ServerProcess, ServerProcess];
  const thread = await scenario.createThread(one);
  const { alice, bob, threadId } = thread;
  const recorders = await scenario.recordOnBoth([one, two], thread);
  const senders: ThreadSender[] = [];
  // Back to back on four connections, so queries are in flight on the database link when it is cut.
  for (const [server, token, label] of [
    [one, alice.token, 'alice@1'],
    [one, bob.token, 'bob@1'],
    [two, bob.token, 'bob@2'],
    [two, alice.token, 'alice@2'],
  ] as const) {
    const connection = wsClient(server.wsUrl, token);
    scenario.defer(() => connection.close());
    const sender = startThreadSender(connection.client, threadId, { label, pauseMs: 0, attemptTimeoutMs: PATIENCE_MS, retryDelayMs: 200 });
    scenario.defer(() => sender.stop());
    senders.push(sender);
  }
  const acceptedCount = () => senders.reduce((sum, s) => sum + s.accepted.length, 0);
  await vi.waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(60), { timeout: 10_000 });

  const outages: Array<{ cutAt: number; healedAt: number }> = [];
  const stuck: string[] = [];
  let readyDuringOutage: ReturnType<typeof readiness> | undefined;
  for (let cut = 0; cut < cuts; cut++) {
    const cutAt = Date.now();
    proxy.setMode(mode);
    readyDuringOutage ??= readiness(one);
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    proxy.setMode('forward');
    outages.push({ cutAt, healedAt: Date.now() });
    const acceptedAtHeal = acceptedCount();
    const resumed = await vi
      .waitFor(() => expect(acceptedCount()).toBeGreaterThanOrEqual(acceptedAtHeal + 60), { timeout: 15_000 })
      .then(
        () => true,
        () => false,
      );
    if (!resumed) {
      stuck.push(`sends did not resume within 15 s of heal ${cut + 1} (${acceptedCount() - acceptedAtHeal} accepted)`);
      break;
    }
  }
  await Promise.all(senders.map((s) => s.stop()));
  const ready = await readyDuringOutage!;

  const firstCutAt = outages[0]!.cutAt;
  const accepted = senders.flatMap((s) => s.accepted);
  const failures = senders.flatMap((s) => s.failures).filter((f) => f.startedAt >= firstCutAt - PATIENCE_MS);
  const duringAnOutage = (t: number) => outages.some((o) => t > o.cutAt && t < o.healedAt);
  const acceptedDuringOutage = accepted.filter((a) => duringAnOutage(a.acceptedAt) && duringAnOutage(a.firstSentAt)).length;
  const firstAcceptedAfterHeal = Math.max(
    ...outages.map((o) => Math.min(...accepted.filter((a) => a.acceptedAt > o.healedAt).map((a) => a.acceptedAt)) - o.healedAt),
  );
  // Answers that took the bound or longer, failed or not: a send that waits out the outage is a hang too.
  const slow = [
    ...failures.filter((f) => f.failedAfterMs >= FAILURE_BOUND_MS).map((f) => `${f.clientId}: ${f.code} after ${f.failedAfterMs} ms`),
    ...accepted.filter((a) => a.answeredAfterMs >= FAILURE_BOUND_MS).map((a) => `${a.clientId}: returned after ${a.answeredAfterMs} ms`),
  ];
  const internalErrors = [
    ...new Set(
      servers
        .flatMap((server) => server.logs)
        .filter((line) => line.includes('"msg":"procedure failed"'))
        .map((line) => JSON.parse(line) as { time: number; err?: { type?: string; message?: string; code?: string } })
        .filter((entry) => entry.time >= firstCutAt)
        .map(({ err }) => [err?.type, err?.code, err?.message].filter(Boolean).join(' ')),
    ),
  ];
  const report =
    `[PostgreSQL ${mode}, ${cuts} × ${outageMs} ms] ${failures.length} failed attempts, codes ${[...new Set(failures.map((f) => f.code))].join(', ')}, ` +
    `message "${failures[0]?.message ?? ''}"; time to fail ms ${JSON.stringify(summarizeLatencies(failures.map((f) => f.failedAfterMs)))}; ` +
    `/readyz during the (first) outage: ${ready.status} in ${ready.ms} ms; ` +
    `${acceptedDuringOutage} accepted during an outage; sends accepted again at most ${firstAcceptedAfterHeal} ms after each heal; ` +
    `slow answers: ${slow.join('; ') || 'none'}; ${stuck.join('; ') || 'sends resumed after every heal'}; internal errors logged: ${JSON.stringify(internalErrors)}; ` +
    `${accepted.length} accepted`;
  console.info(report);
  return { threadId, accepted, failures, recorders, ready, slow, stuck };
}

describe('PostgreSQL unreachable for a while', () => {
  it('refused (the database is down): sends fail fast with a clear error, never claim an unstored message, and work again after', async () => {
    const { threadId, accepted, failures, recorders, ready, slow, stuck } = await sendThroughOutages('refuse', 1_500, 4);
    expect(failures.length).toBeGreaterThan(0);
    expect({
      stuck,
      slow,
      unclear: failures.filter((f) => f.code !== 'SERVICE_UNAVAILABLE').map((f) => `${f.clientId}: ${f.code} ${f.message}`),
      readyz: ready.status,
    }).toEqual({ stuck: [], slow: [], unclear: [], readyz: 503 });
    await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
  }, 45_000);

  it('partitioned (packets go nowhere): sends fail within a bound instead of hanging, and work again after', async () => {
    // Well past the bound (and the pool's 15 s query timeout), so a send that waits for the network shows as a hang.
    const { threadId, accepted, failures, recorders, ready, slow, stuck } = await sendThroughOutages('partition', FAILURE_BOUND_MS + 10_000);
    expect(failures.length, 'no send failed: each waited for the partition to heal').toBeGreaterThan(0);
    expect({
      stuck,
      slow,
      unclear: failures.filter((f) => f.code !== 'SERVICE_UNAVAILABLE').map((f) => `${f.clientId}: ${f.code} ${f.message}`),
      readyz: ready.status === 503 && ready.ms < FAILURE_BOUND_MS ? '503 within bound' : `${ready.status} after ${ready.ms} ms`,
    }).toEqual({ stuck: [], slow: [], unclear: [], readyz: '503 within bound' });
    await expectEveryAcceptedMessageDeliveredOnceInOrder({ databaseUrl: scenario.databaseUrl, threadId, accepted, recorders });
  }, 55_000);
});
