import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from '../report/benchReport.ts';
import type { ServerName } from '../targets/chatTarget.ts';
import { formatProfileSummary, summarizeCpuProfile, type CpuProfile } from './summarizeCpuProfile.ts';

/**
 * For a --profile run: each server's CPU profile cut to the busiest traffic step of scenarios (a) and (b)
 * and to the opening of the idle sockets (c), so the summary shows steady work, not start-up and setup.
 */
export function summarizeStepProfiles(report: BenchReport, profileDir: string, top = 25): string {
  const sections: string[] = [];
  const windows: Array<{ title: string; server: ServerName; processes: number; window: [number, number] }> = [];
  for (const [scenario, pair] of [
    ['(a)', report.embedded],
    ['(b)', report.cluster],
  ] as const) {
    for (const server of ['parley', 'socket.io'] as ServerName[]) {
      const step = pair?.[server]?.steps.at(-1);
      if (!step) continue;
      windows.push({
        title: `${scenario} ${server}, step ${step.tag} (${step.ratePerSender} msg/s per sender)`,
        server,
        processes: pair?.[server]?.processes ?? 1,
        window: step.monotonicWindowUs,
      });
    }
  }
  for (const server of ['parley', 'socket.io'] as ServerName[]) {
    const idle = report.idle?.[server];
    if (idle) windows.push({ title: `(c) ${server}, opening ${idle.sockets} sockets`, server, processes: 1, window: idle.openingWindowUs });
  }
  const profiles = new Map<ServerName, CpuProfile[]>();
  const profilesOf = (server: ServerName): CpuProfile[] => {
    if (!profiles.has(server)) {
      const dir = join(profileDir, server);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
      profiles.set(
        server,
        files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile),
      );
    }
    return profiles.get(server)!;
  };
  for (const { title, server, processes, window } of windows) {
    // Several processes (and each one's loader thread) wrote profiles; those covering the window with the
    // most busy samples in it are the server processes' main threads.
    const summaries = profilesOf(server)
      .filter((p) => p.startTime <= window[0] && p.endTime >= window[1])
      .map((p) => summarizeCpuProfile(p, top, window))
      .sort((a, b) => b.busyMs - a.busyMs)
      .slice(0, processes);
    summaries.forEach((summary, i) => sections.push(`## ${title}, process ${i + 1}\n\n${formatProfileSummary(summary)}`));
  }
  return sections.join('\n\n');
}
