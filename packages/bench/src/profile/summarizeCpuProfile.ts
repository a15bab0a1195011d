// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package, heaviest first.
// Usage: pnpm --filter @parley/bench profile <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time less idle: what the thread actually worked. */
  busyMs: number;
  byFunction: Array<{ name: string; ms: number; percent: number }>;
  byPackage: Array<{ name: string; ms: number; percent: number }>;
}

/**
 * Self time per function (name + file:line) and per package (node_modules name, node internals, or app
 * file); with `window` (CLOCK_MONOTONIC µs, as process.hrtime) only the samples taken inside it.
 */
export function summarizeCpuProfile(profile: CpuProfile, top = 30, window?: [number, number]): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    totalUs += delta;
  });
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    const name = `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const group = packageOf(callFrame.url, callFrame.functionName);
    pkg.set(group, (pkg.get(group) ?? 0) + us);
  }
  totalUs ||= 1;
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / totalUs) * 1000) / 10 }));
  const busyMs = Math.round((totalUs - (pkg.get('(idle)') ?? 0)) / 1000);
  return { totalMs: Math.round(totalUs / 1000), busyMs, byFunction: rank(fn), byPackage: rank(pkg) };
}

/** The summary as text, packages first. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const row = (r: { name: string; ms: number; percent: number }) => `${String(r.percent).padStart(6)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`;
  return [
    `sampled: ${summary.totalMs} ms, of which busy: ${summary.busyMs} ms`,
    '',
    'self time by package:',
    ...summary.byPackage.map(row),
    '',
    'self time by function:',
    ...summary.byFunction.map(row),
  ].join('\n');
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const work = url.indexOf('/main/');
  return work >= 0 ? url.slice(work + 6) : url.replace(/^file:\/\//, '');
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(packages|apps)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : shortUrl(url);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const [file, topArg, fromArg, toArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: summarizeCpuProfile <file.cpuprofile> [top] [fromUs toUs]');
    process.exit(2);
  }
  const window: [number, number] | undefined = fromArg && toArg ? [Number(fromArg), Number(toArg)] : undefined;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatProfileSummary(summarizeCpuProfile(profile, Number(topArg ?? 30), window)));
}
