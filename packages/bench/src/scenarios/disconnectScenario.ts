import { startOutageProxy } from '../faults/outageProxy.ts';
import { round } from '../load/processUsage.ts';
import { runTrafficStep, type StepResult } from '../load/runTrafficStep.ts';
import { setUpThreads, type SetupResult } from '../load/setUpThreads.ts';
import type { ChatTarget, ServerName } from '../targets/chatTarget.ts';

export interface DisconnectScenarioOptions {
  threads: number;
  membersPerThread: number;
  ratePerSender: number;
  durationMs: number;
  outageMs: number;
  /** Receivers are spread over this many proxy ports; each port's outage starts at its own time. */
  groups: number;
  idleGraceMs: number;
  maxDrainMs: number;
  reconnectTimeoutMs: number;
  apiSignUps: number;
  signUpConcurrency: number;
  connectConcurrency: number;
}

export interface DisconnectScenarioResult {
  server: ServerName;
  setup: SetupResult;
  step: StepResult;
  outageMs: number;
  receiversCut: number;
  /** The longest wait, after an outage ended, until every receiver of its group was open again (capped by the timeout). */
  slowestReconnectMs: number;
  /** Receivers still not connected `reconnectTimeoutMs` after their outage ended. */
  receiversNotBack: number;
}

/**
 * Scenario (d): while senders send, every receiver's connection is cut once and refused for `outageMs`
 * (receivers reach the server through an outage proxy, in groups whose outages are spread over the
 * middle of the run), and comes back through its client's own reconnect path.
 */
export async function runDisconnectScenario(target: ChatTarget, options: DisconnectScenarioOptions): Promise<DisconnectScenarioResult> {
  const running = await target.start({ processes: 1, database: 'sqlite' });
  const serverUrl = running.urls[0]!;
  const proxy = await startOutageProxy(Number(new URL(serverUrl).port), options.groups);
  try {
    const load = await setUpThreads(running, {
      threads: options.threads,
      membersPerThread: options.membersPerThread,
      // Senders go straight to the server; only receivers lose their connection.
      connectUrl: (t, m) => (m === 0 ? serverUrl : `http://127.0.0.1:${proxy.ports[(t * options.membersPerThread + m) % options.groups]}`),
      apiSignUps: options.apiSignUps,
      signUpConcurrency: options.signUpConcurrency,
      connectConcurrency: options.connectConcurrency,
    });
    try {
      const context = { threads: load.threads, ledger: load.ledger, serverPids: running.pids };
      const drain = { idleGraceMs: options.idleGraceMs, maxDrainMs: options.maxDrainMs };
      await runTrafficStep(context, { tag: 'warmup', ratePerSender: 1, durationMs: 1000, ...drain });

      const groupOf = (t: number, m: number) => (t * options.membersPerThread + m) % options.groups;
      const groupReceivers = Array.from({ length: options.groups }, (_, g) =>
        load.threads.flatMap((thread) => thread.receivers.filter((_, r) => groupOf(thread.index, r + 1) === g)),
      );
      let receiversCut = 0;
      let slowestReconnectMs = 0;
      let receiversNotBack = 0;
      // Each group: cut at its time, then watch until all its receivers are open again.
      const outages = groupReceivers.map(
        (receivers, group) =>
          new Promise<void>((resolve) => {
            const at = options.durationMs * (0.2 + (0.5 * group) / options.groups);
            setTimeout(async () => {
              const backAt = performance.now() + options.outageMs;
              receiversCut += await proxy.cut(group, options.outageMs);
              // Nobody can be back before the outage ends, and by then every cut socket has noticed.
              await new Promise((r) => setTimeout(r, Math.max(0, backAt - performance.now())));
              const deadline = backAt + options.reconnectTimeoutMs;
              while (receivers.some((r) => !r.isOpen()) && performance.now() < deadline) {
                await new Promise((r) => setTimeout(r, 20));
              }
              slowestReconnectMs = Math.max(slowestReconnectMs, round(performance.now() - backAt, 0));
              receiversNotBack += receivers.filter((r) => !r.isOpen()).length;
              resolve();
            }, at);
          }),
      );
      const step = await runTrafficStep(context, {
        tag: 'outage',
        ratePerSender: options.ratePerSender,
        durationMs: options.durationMs,
        ...drain,
        beforeDrain: async () => {
          await Promise.all(outages);
        },
      });
      return { server: target.name, setup: load.setup, step, outageMs: options.outageMs, receiversCut, slowestReconnectMs, receiversNotBack };
    } finally {
      await load.closeAll();
    }
  } finally {
    await proxy.close();
    await running.stop();
  }
}
