import { randomBytes } from 'node:crypto';
import { countsBetween, startPostgresStatementCounter, type StatementCounts } from '../diagnostics/postgresStatementCounter.ts';
import { mapConcurrently } from '../load/mapConcurrently.ts';
import type { ChatTarget, ServerName } from '../targets/chatTarget.ts';

export interface StatementScenarioOptions {
  threads: number;
  membersPerThread: number;
  messagesPerSender: number;
}

/** Statements per operation, by kind; fractional when an operation does not always issue the same ones. */
export interface StatementsPer {
  statements: number;
  byKind: Record<string, number>;
}

export interface StatementScenarioResult {
  server: ServerName;
  perSignUp: StatementsPer;
  perSocketOpened: StatementsPer;
  perThreadCreated: StatementsPer;
  perSubscription: StatementsPer;
  /** Per message sent, each delivered to `membersPerThread - 1` subscribers. */
  perMessage: StatementsPer;
  receiversPerMessage: number;
  delivered: number;
  expectedDeliveries: number;
}

/**
 * Scenario (e), a diagnostic: one process on PostgreSQL behind a statement-counting proxy; each phase
 * (sign-up, socket, thread, subscription, message) is counted on its own.
 */
export async function runStatementScenario(target: ChatTarget, options: StatementScenarioOptions): Promise<StatementScenarioResult> {
  const counter = await startPostgresStatementCounter();
  try {
    const running = await target.start({ processes: 1, database: 'postgresql', postgresPort: counter.port });
    const url = running.urls[0]!;
    const connections: Array<Awaited<ReturnType<typeof running.connect>>> = [];
    try {
      const run = randomBytes(3).toString('hex');
      const { threads, membersPerThread } = options;
      const names = Array.from({ length: threads * membersPerThread }, (_, i) => `q${run}u${i}`);
      const phase = async (work: () => Promise<unknown>, operations: number): Promise<StatementsPer> => {
        const before = counter.snapshot();
        await work();
        return per(countsBetween(before, counter.snapshot()), operations);
      };

      let users: Awaited<ReturnType<typeof running.signUp>>[] = [];
      const perSignUp = await phase(async () => {
        users = await mapConcurrently(names, 8, (name) => running.signUp(name, url));
      }, names.length);
      const perSocketOpened = await phase(async () => {
        connections.push(...(await mapConcurrently(users, 16, (user) => running.connect(user, url))));
      }, users.length);
      let threadIds: string[] = [];
      const perThreadCreated = await phase(async () => {
        threadIds = await mapConcurrently(
          Array.from({ length: threads }, (_, t) => t),
          8,
          (t) => connections[t * membersPerThread]!.createGroup(names.slice(t * membersPerThread + 1, (t + 1) * membersPerThread)),
        );
      }, threads);
      let delivered = 0;
      const receivers = threadIds.flatMap((id, t) => connections.slice(t * membersPerThread + 1, (t + 1) * membersPerThread).map((c) => ({ id, c })));
      const perSubscription = await phase(
        () => mapConcurrently(receivers, 16, ({ id, c }) => c.follow(id, () => void delivered++)),
        receivers.length,
      );
      // One message per thread, delivered everywhere, before counting: the subscriptions' own start-up
      // reads (which run after the subscribe call returned) are then done and not counted as per message.
      await Promise.all(threadIds.map((id, t) => connections[t * membersPerThread]!.send(id, 'warm up', `q-${t}-warm`)));
      const warmDeadline = performance.now() + 10_000;
      while (delivered < receivers.length && performance.now() < warmDeadline) await new Promise((r) => setTimeout(r, 20));
      delivered = 0;
      const messages = threads * options.messagesPerSender;
      const expectedDeliveries = messages * (membersPerThread - 1);
      const perMessage = await phase(async () => {
        await Promise.all(
          threadIds.map(async (id, t) => {
            for (let i = 0; i < options.messagesPerSender; i++)
              await connections[t * membersPerThread]!.send(id, `statement count ${i}`, `q-${t}-${i}`);
          }),
        );
        const deadline = performance.now() + 10_000;
        while (delivered < expectedDeliveries && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      }, messages);
      return {
        server: target.name,
        perSignUp,
        perSocketOpened,
        perThreadCreated,
        perSubscription,
        perMessage,
        receiversPerMessage: membersPerThread - 1,
        delivered,
        expectedDeliveries,
      };
    } finally {
      await Promise.allSettled(connections.map((c) => c.close()));
      await running.stop();
    }
  } finally {
    await counter.close();
  }
}

function per(counts: StatementCounts, operations: number): StatementsPer {
  const r = (n: number) => Math.round((n / operations) * 100) / 100;
  return { statements: r(counts.statements), byKind: Object.fromEntries(Object.entries(counts.byKind).map(([k, n]) => [k, r(n)])) };
}
