import fc from 'fast-check';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { createTestDeps, signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

// What a refusal may be; INTERNAL_SERVER_ERROR (a crash path) is never acceptable for any input.
const CLIENT_ERROR_CODES = new Set(['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS']);

/** Inputs shaped like the real ones, with every field free to be anything. */
function inputFor(threadId: string) {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constant('\u0000'));
  const loose = fc.oneof(text, fc.anything(), fc.integer(), fc.constant(threadId));
  return fc.oneof(
    fc.anything(),
    fc.record({ threadId: loose, body: fc.oneof(text, fc.anything()), clientId: fc.option(loose, { nil: undefined }) }, { requiredKeys: [] }),
    fc.record({ threadId: loose, beforeSeq: fc.oneof(fc.integer(), fc.double(), loose), limit: fc.oneof(fc.integer(), loose) }, { requiredKeys: [] }),
    fc.record({ username: loose, password: loose }, { requiredKeys: [] }),
    fc.record({ usernames: fc.oneof(fc.array(loose, { maxLength: 60 }), loose), title: loose }, { requiredKeys: [] }),
    fc.record({ threadId: loose, seq: fc.oneof(fc.integer(), fc.double(), loose) }, { requiredKeys: [] }),
  );
}

const PROCEDURES = [
  'message.send',
  'message.list',
  'thread.getOrCreate',
  'thread.createGroup',
  'thread.markRead',
  'auth.signUp',
  'auth.logIn',
] as const;

for (const provider of ['sqlite', 'postgresql'] as const) {
  describe(`random input to the router on ${provider}`, () => {
    let deps: TestDeps;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      if (provider === 'postgresql') {
        const database = await createTestPostgresDatabase();
        drop = database.drop;
        deps = await createTestDeps({ databaseUrl: database.url });
      } else {
        deps = await createTestDeps();
      }
    });
    afterAll(async () => {
      await deps.close();
      await drop?.();
    });

    it('is refused with a client error or accepted, never an internal error, and loses nothing', async () => {
      const alice = await signedInCaller(deps, 'alice');
      await signedInCaller(deps, 'bob');
      const thread = await alice.thread.getOrCreate({ username: 'bob' });
      const first = await alice.message.send({ threadId: thread.id, body: 'accepted before the fuzzing' });
      const unexpected: unknown[] = [];

      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...PROCEDURES), inputFor(thread.id), async (path, input) => {
          const [router, procedure] = path.split('.') as [keyof typeof alice, string];
          const call = (alice[router] as unknown as Record<string, (input: unknown) => Promise<unknown>>)[procedure]!;
          try {
            await call(input);
          } catch (error) {
            if (!(error instanceof TRPCError) || !CLIENT_ERROR_CODES.has(error.code)) unexpected.push({ path, input, error });
          }
        }),
        { numRuns: 300 },
      );
      expect(unexpected).toEqual([]);

      const stored = await deps.db.message.findMany({ where: { threadId: thread.id }, orderBy: { seq: 'asc' } });
      expect(stored[0]).toMatchObject({ id: first.id, body: first.body });
      const { lastSeq } = await deps.db.thread.findUniqueOrThrow({ where: { id: thread.id } });
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    });
  });
}
