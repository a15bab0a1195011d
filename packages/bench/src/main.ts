// `pnpm bench`: Parley and the Socket.IO peer under the same scenarios, side by side.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, UsageError } from './benchPlan.ts';
import { summarizeStepProfiles } from './profile/profileSteps.ts';
import { renderMarkdownReport } from './report/markdownReport.ts';
import { writeResults } from './report/writeResults.ts';
import { repoRoot } from './repoRoot.ts';
import { runBench } from './runBench.ts';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseBenchArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const { plan, profile } = parsed;
  const command = ['pnpm bench', ...argv.filter((a) => a !== '--')].join(' ');
  if (profile) plan.profileDir = `${resultsDir}/profiles/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log(`${command}: ${plan.size} run of ${plan.scenarios.join(', ')} against ${plan.servers.join(' and ')}`);

  const report = await runBench(plan, { command, log });
  const written = await writeResults(report, resultsDir);
  console.log(`\n${renderMarkdownReport(report)}\n`);
  const shown = (p: string) => relative(repoRoot, p);
  console.log(
    `Results: ${shown(written.json)} (also ${shown(written.latestJson)}), chart: ${shown(written.chart)}, table: ${shown(written.markdown)}`,
  );
  if (plan.profileDir) {
    const summaryFile = `${plan.profileDir}/summary.md`;
    writeFileSync(summaryFile, summarizeStepProfiles(report, plan.profileDir));
    console.log(`CPU profiles: ${shown(plan.profileDir)}; the busiest step of each server, summarised: ${shown(summaryFile)}`);
  }
  return report.failures.length ? 1 : 0;
}

// Exit explicitly: a client library timer left behind must not keep a finished run alive.
process.exit(await main());
