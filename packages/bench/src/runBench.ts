import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { BenchPlan } from './benchPlan.ts';
import type { BenchReport } from './report/benchReport.ts';
import { repoRoot } from './repoRoot.ts';
import { runDisconnectScenario } from './scenarios/disconnectScenario.ts';
import { runIdleScenario } from './scenarios/idleScenario.ts';
import { runLoadScenario } from './scenarios/loadScenario.ts';
import { runSearchScenario } from './scenarios/searchScenario.ts';
import { runStatementScenario } from './scenarios/statementScenario.ts';
import type { ChatTarget, ServerName } from './targets/chatTarget.ts';
import { parleyTarget } from './targets/parleyTarget.ts';
import { socketIoTarget } from './targets/socketIoTarget.ts';

const TARGETS: Record<ServerName, ChatTarget> = { parley: parleyTarget, 'socket.io': socketIoTarget };

/**
 * Runs the plan's scenarios, each against every chosen server before the next scenario, and collects one
 * report. A scenario that fails for a server is recorded in `failures` and the run goes on.
 */
export async function runBench(plan: BenchPlan, options: { command: string; log?: (line: string) => void }): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const report: BenchReport = {
    command: options.command,
    size: plan.size,
    startedAt: new Date(started).toISOString(),
    durationSec: 0,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    git: gitState(),
    failures: [],
  };

  for (const scenario of plan.scenarios) {
    for (const server of plan.servers) {
      if (scenario === 'search' && server !== 'parley') continue; // the peer has no search
      const target = plan.profileDir ? withProfiling(TARGETS[server], plan.profileDir) : TARGETS[server];
      const t0 = Date.now();
      log(`${scenario} · ${server} …`);
      try {
        if (scenario === 'embedded') (report.embedded ??= {})[server] = await runLoadScenario(target, plan.embedded);
        if (scenario === 'cluster') (report.cluster ??= {})[server] = await runLoadScenario(target, plan.cluster);
        if (scenario === 'clusterBaseline') (report.clusterBaseline ??= {})[server] = await runLoadScenario(target, plan.clusterBaseline);
        if (scenario === 'idle') (report.idle ??= {})[server] = await runIdleScenario(target, plan.idle);
        if (scenario === 'disconnect') (report.disconnect ??= {})[server] = await runDisconnectScenario(target, plan.disconnect);
        if (scenario === 'statements') (report.statements ??= {})[server] = await runStatementScenario(target, plan.statements);
        if (scenario === 'search') report.search = { parley: await runSearchScenario(plan.search) };
        log(`${scenario} · ${server} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        report.failures.push({ scenario, server, error: message });
        log(`${scenario} · ${server} FAILED: ${message}`);
      }
    }
  }
  report.durationSec = Math.round((Date.now() - started) / 1000);
  return report;
}

function withProfiling(target: ChatTarget, profileDir: string): ChatTarget {
  return { name: target.name, start: (deployment) => target.start({ ...deployment, profileDir: `${profileDir}/${target.name}` }) };
}

function gitState(): BenchReport['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}
