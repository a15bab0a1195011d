import { TEST_PREREQUISITES, findMissingPrerequisites } from './prerequisites.ts';

// vitest globalSetup: without PostgreSQL, Redis or Chromium dozens of tests would fail one by one with
// connection errors; stop before any test runs and say what to start instead.
export default async function checkPrerequisites(): Promise<void> {
  const missing = await findMissingPrerequisites(TEST_PREREQUISITES);
  if (missing.length > 0) {
    const error = new Error(`The test suite cannot run on this machine yet:\n${missing.join('\n')}`);
    error.stack = error.message; // the lines say what to do; a stack trace into this file would not
    throw error;
  }
}
