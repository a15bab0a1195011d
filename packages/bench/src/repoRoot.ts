import { fileURLToPath } from 'node:url';

/** The workspace root (this file is packages/bench/src/repoRoot.ts). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
