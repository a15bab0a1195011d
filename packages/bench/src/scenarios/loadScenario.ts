import { runTrafficStep, type StepResult } from '../load/runTrafficStep.ts';
import { setUpThreads, type SetupResult } from '../load/setUpThreads.ts';
import type { ChatTarget, Deployment, ServerName } from '../targets/chatTarget.ts';

export interface LoadScenarioOptions {
  deployment: Deployment;
  threads: number;
  membersPerThread: number;
  /** Messages per second per sender, one step each, in this order. */
  ratesPerSender: number[];
  stepMs: number;
  idleGraceMs: number;
  maxDrainMs: number;
  apiSignUps: number;
  signUpConcurrency: number;
  connectConcurrency: number;
}

export interface LoadScenarioResult {
  server: ServerName;
  processes: number;
  database: Deployment['database'];
  setup: SetupResult;
  warmUp: StepResult;
  steps: StepResult[];
  /** Rates not run because an earlier step collapsed. */
  skippedRates: number[];
}

/** Fell over rather than slowed down: most sends unacknowledged, or deliveries lost. */
function isCollapsed(step: StepResult): boolean {
  return step.acknowledged < step.attempted * 0.5 || step.lost > 0;
}

/**
 * Threads of `membersPerThread` members, one sender each, under a series of offered loads on one
 * deployment: scenario (a) on one process and the embedded database, scenario (b) on several processes
 * over PostgreSQL and Redis, members of each thread spread over the processes.
 */
export async function runLoadScenario(target: ChatTarget, options: LoadScenarioOptions): Promise<LoadScenarioResult> {
  const running = await target.start(options.deployment);
  try {
    const load = await setUpThreads(running, {
      threads: options.threads,
      membersPerThread: options.membersPerThread,
      connectUrl: (t, m) => running.urls[(t + m) % running.urls.length]!,
      apiSignUps: options.apiSignUps,
      signUpConcurrency: options.signUpConcurrency,
      connectConcurrency: options.connectConcurrency,
    });
    try {
      const context = { threads: load.threads, ledger: load.ledger, serverPids: running.pids };
      const drain = { idleGraceMs: options.idleGraceMs, maxDrainMs: options.maxDrainMs };
      // One message per thread first: proves every subscription is live and warms both servers up.
      const warmUp = await runTrafficStep(context, { tag: 'warmup', ratePerSender: 1, durationMs: 1000, ...drain });
      const steps: StepResult[] = [];
      const skippedRates: number[] = [];
      for (const rate of options.ratesPerSender) {
        // A server that already fell over gets no heavier load: it would only stretch the run.
        if (steps.some(isCollapsed)) {
          skippedRates.push(rate);
          continue;
        }
        steps.push(await runTrafficStep(context, { tag: `r${rate}`, ratePerSender: rate, durationMs: options.stepMs, ...drain }));
      }
      return {
        server: target.name,
        processes: options.deployment.processes,
        database: options.deployment.database,
        setup: load.setup,
        warmUp,
        steps,
        skippedRates,
      };
    } finally {
      await load.closeAll();
    }
  } finally {
    await running.stop();
  }
}
