import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.ts';

const webDist = join(repoRoot, 'apps/web/dist');
const sources = [
  'apps/web/src',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/svelte.config.js',
  'packages/client/src',
  'apps/web/plugins',
  'apps/web/sw',
];
const lockDir = join(repoRoot, 'apps/web/.dist-build-lock');
const STALE_LOCK_MS = 120_000;

/**
 * Builds the web app unless apps/web/dist is newer than every source it is built from. Browser test
 * files run in parallel workers, so a lock directory makes one of them build while the others wait.
 */
export async function ensureWebBuild(): Promise<string> {
  if (isFresh()) return webDist;
  await withLock(async () => {
    if (isFresh()) return;
    await promisify(execFile)('pnpm', ['--filter', '@parley/web', 'build'], { cwd: repoRoot, timeout: 120_000 });
  });
  return webDist;
}

function isFresh(): boolean {
  const built = mtimeOf(join(webDist, 'index.html'));
  return built > 0 && sources.every((source) => newestMtime(join(repoRoot, source)) < built);
}

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function mtimeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

async function withLock(run: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock left by a killed run would block every later one.
      if (Date.now() - mtimeOf(lockDir) > STALE_LOCK_MS) rmdirSync(lockDir);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await run();
  } finally {
    rmdirSync(lockDir);
  }
}
