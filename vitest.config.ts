import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'apps/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Fails the run at once, one line per missing service, instead of a score of connection errors.
    globalSetup: ['tests/setup/checkPrerequisites.ts'],
    testTimeout: 30000,
    hookTimeout: 30000,
  },
});
