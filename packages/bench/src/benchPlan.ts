import type { DisconnectScenarioOptions } from './scenarios/disconnectScenario.ts';
import type { IdleScenarioOptions } from './scenarios/idleScenario.ts';
import type { LoadScenarioOptions } from './scenarios/loadScenario.ts';
import type { SearchScenarioOptions } from './scenarios/searchScenario.ts';
import type { StatementScenarioOptions } from './scenarios/statementScenario.ts';
import type { ServerName } from './targets/chatTarget.ts';

const SCENARIOS = ['embedded', 'cluster', 'clusterBaseline', 'idle', 'disconnect', 'statements', 'search'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/**
 * The letters the issue uses: (a) embedded, (b) cluster, (c) idle, (d) disconnect; (b1) is (b)'s one-process
 * baseline on the same database, (e) the statement count and (f) message.search on a large database.
 */
const LETTERS: Record<string, ScenarioName> = {
  a: 'embedded',
  b: 'cluster',
  b1: 'clusterBaseline',
  c: 'idle',
  d: 'disconnect',
  e: 'statements',
  f: 'search',
};

export type BenchSize = 'full' | 'quick' | 'tiny';

export interface BenchPlan {
  size: BenchSize;
  scenarios: ScenarioName[];
  servers: ServerName[];
  embedded: LoadScenarioOptions;
  cluster: LoadScenarioOptions;
  /** (b)'s traffic on one process and the same PostgreSQL (in-process bus): what (b) must not deliver less than. */
  clusterBaseline: LoadScenarioOptions;
  idle: IdleScenarioOptions;
  disconnect: DisconnectScenarioOptions;
  statements: StatementScenarioOptions;
  search: SearchScenarioOptions;
  profileDir?: string | undefined;
}

// Bounds per step: a saturated server is reported as such rather than waited for.
const drain = { idleGraceMs: 3000, maxDrainMs: 10_000 };

/** The reference sizes: `full` is the scenario (~6 minutes), `quick` a smoke check (~1 minute), `tiny` the test's. */
export function planFor(size: BenchSize): BenchPlan {
  const shape =
    size === 'full'
      ? {
          threads: 100,
          members: 10,
          rates: [5, 10, 15, 20, 30, 50],
          clusterRates: [10, 20, 50],
          stepMs: 10_000,
          idle: 5000,
          outageRate: 5,
          outageRunMs: 10_000,
          groups: 10,
        }
      : size === 'quick'
        ? { threads: 20, members: 5, rates: [10, 40], clusterRates: [40], stepMs: 2500, idle: 400, outageRate: 10, outageRunMs: 5000, groups: 4 }
        : { threads: 3, members: 3, rates: [10], clusterRates: [10], stepMs: 1500, idle: 20, outageRate: 10, outageRunMs: 4000, groups: 2 };
  // API sign-ups are argon2-bound on Parley (slow by design): a sample measures them, the rest are seeded.
  const concurrency = { apiSignUps: size === 'full' ? 100 : size === 'quick' ? 20 : 1000, signUpConcurrency: 16, connectConcurrency: 64 };
  const load = {
    threads: shape.threads,
    membersPerThread: shape.members,
    stepMs: shape.stepMs,
    ...drain,
    ...concurrency,
    ...(size === 'full' ? {} : { idleGraceMs: 1500 }),
  };
  // (b) runs as long per rate as (a): the report compares them, and a step's deliveries per second count
  // the wait for its last deliveries, which weighs more in a shorter step.
  const cluster: LoadScenarioOptions = {
    ...load,
    deployment: { processes: 2, database: 'postgresql' },
    ratesPerSender: shape.clusterRates,
  };
  return {
    size,
    scenarios: [...SCENARIOS],
    servers: ['parley', 'socket.io'],
    embedded: { ...load, deployment: { processes: 1, database: 'sqlite' }, ratesPerSender: shape.rates },
    cluster,
    clusterBaseline: { ...cluster, deployment: { processes: 1, database: 'postgresql' } },
    idle: { sockets: shape.idle, connectConcurrency: 100, settleMs: size === 'full' ? 2000 : 500, membersPerThread: size === 'tiny' ? 3 : 10 },
    disconnect: {
      threads: shape.threads,
      membersPerThread: shape.members,
      ratePerSender: shape.outageRate,
      durationMs: shape.outageRunMs,
      outageMs: 2000,
      groups: shape.groups,
      reconnectTimeoutMs: 20_000,
      ...drain,
      ...(size === 'full' ? {} : { idleGraceMs: 1500 }),
      ...concurrency,
    },
    statements:
      size === 'full'
        ? { threads: 10, membersPerThread: 10, messagesPerSender: 20 }
        : size === 'quick'
          ? { threads: 4, membersPerThread: 5, messagesPerSender: 10 }
          : { threads: 2, membersPerThread: 3, messagesPerSender: 3 },
    search:
      size === 'full'
        ? { messages: 200_000, threads: 200, users: 50, membersPerThread: 5, searcherThreads: 20, queries: 400, backfillTimeoutMs: 600_000 }
        : size === 'quick'
          ? { messages: 20_000, threads: 40, users: 20, membersPerThread: 5, searcherThreads: 8, queries: 100, backfillTimeoutMs: 120_000 }
          : { messages: 2000, threads: 10, users: 6, membersPerThread: 3, searcherThreads: 3, queries: 30, backfillTimeoutMs: 60_000 },
  };
}

const USAGE = `pnpm bench [--quick] [--only=a,b,c,d,e,f] [--servers=parley,socket.io] [--rates=5,20,50] [--step-ms=10000] [--profile]
  --quick      a much smaller run (~1 minute); also BENCH_QUICK=1
  --only       scenarios by letter or name: a|embedded, b|cluster, b1|clusterBaseline, c|idle, d|disconnect,
               e|statements (database statements per operation, counted on PostgreSQL's wire),
               f|search (message.search on 200,000 seeded messages of the embedded database; Parley only)
  --servers    which servers to run (both by default)
  --rates      messages per second per sender for (a) and (b), e.g. --rates=5,20,50
  --step-ms    how long each of those rates runs
  --profile    run the servers with --cpu-prof; profiles go to packages/bench/results/profiles/<run>/`;

/** Reads the command line (and BENCH_QUICK); throws with the usage on anything unknown. */
export function parseBenchArgs(argv: string[], env: Record<string, string | undefined>): { plan: BenchPlan; profile: boolean } {
  let quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  let only: ScenarioName[] | null = null;
  let servers: ServerName[] | null = null;
  let profile = false;
  let rates: number[] | null = null;
  let stepMs: number | null = null;
  for (const arg of argv) {
    const [key, value = ''] = arg.split('=', 2) as [string, string?];
    if (arg === '--') continue;
    else if (key === '--quick') quick = true;
    else if (key === '--profile') profile = true;
    else if (key === '--only') only = value.split(',').map((v) => toScenario(v.trim()));
    else if (key === '--servers') servers = value.split(',').map((v) => toServer(v.trim()));
    else if (key === '--rates') rates = value.split(',').map((v) => toPositive(v, arg));
    else if (key === '--step-ms') stepMs = toPositive(value, arg);
    else if (key === '--help' || key === '-h') throw new UsageError(USAGE);
    else throw new UsageError(`Unknown option ${arg}\n${USAGE}`);
  }
  const plan = planFor(quick ? 'quick' : 'full');
  if (only) plan.scenarios = SCENARIOS.filter((s) => only.includes(s));
  if (servers) plan.servers = servers;
  if (rates) plan.embedded.ratesPerSender = plan.cluster.ratesPerSender = plan.clusterBaseline.ratesPerSender = rates;
  if (stepMs) plan.embedded.stepMs = plan.cluster.stepMs = plan.clusterBaseline.stepMs = stepMs;
  return { plan, profile };
}

function toPositive(value: string, arg: string): number {
  const n = Number(value.trim());
  if (!(n > 0)) throw new UsageError(`${arg}: expected positive numbers\n${USAGE}`);
  return n;
}

export class UsageError extends Error {}

function toScenario(value: string): ScenarioName {
  const name = LETTERS[value] ?? (SCENARIOS as readonly string[]).find((s) => s === value);
  if (!name) throw new UsageError(`Unknown scenario "${value}"\n${USAGE}`);
  return name as ScenarioName;
}

function toServer(value: string): ServerName {
  if (value === 'parley' || value === 'socket.io') return value;
  if (value === 'socketio') return 'socket.io';
  throw new UsageError(`Unknown server "${value}"\n${USAGE}`);
}
