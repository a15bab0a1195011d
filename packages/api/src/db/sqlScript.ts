import type { DbProvider } from './db.ts';

/**
 * A unit of hot-path work written once for both providers: a generator that yields statements and is
 * handed back their rows. SQLite runs it synchronously inside its write lock (no await may split a
 * transaction on that connection); PostgreSQL runs it with a round trip per statement on one pooled
 * client. Statements use `?` placeholders and the provider's spelling of a timestamp column (`Dialect`).
 */
export type SqlScript<T> = Generator<SqlStatement, T, SqlRow[]>;

export interface SqlStatement {
  sql: string;
  /** Dates are converted by the runner to the provider's DateTime form (the one Prisma reads back). */
  params: readonly unknown[];
}

export type SqlRow = Record<string, unknown>;

export interface Dialect {
  provider: DbProvider;
  /** A DateTime column read as something `new Date()` parses as UTC. */
  timestamp(column: string): string;
  /** A NULL of the type `timestamp()` gives, for one side of a UNION. */
  nullTimestamp: string;
  /** Row locks for a SELECT that decides a write: SQLite's one writer already excludes every other. */
  forUpdate: string;
}

export const sqliteDialect: Dialect = { provider: 'sqlite', timestamp: (column) => column, nullTimestamp: 'NULL', forUpdate: '' };
// Prisma stores DateTime as UTC in "timestamp without time zone"; AT TIME ZONE 'UTC' keeps node-postgres
// from taking it as local time.
export const postgresDialect: Dialect = {
  provider: 'postgresql',
  timestamp: (column) => `${column} AT TIME ZONE 'UTC'`,
  nullTimestamp: 'CAST(NULL AS timestamptz)',
  forUpdate: ' FOR UPDATE',
};

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `?, ?, …` for an IN list of `count` values (never empty: callers skip the statement instead). */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Runs a script to its end with a synchronous executor (SQLite). */
export function runScriptSync<T>(script: SqlScript<T>, execute: (statement: SqlStatement) => SqlRow[]): T {
  let step = script.next();
  while (!step.done) step = script.next(execute(step.value));
  return step.value;
}

/** Runs a script to its end with an asynchronous executor (PostgreSQL). */
export async function runScript<T>(script: SqlScript<T>, execute: (statement: SqlStatement) => Promise<SqlRow[]>): Promise<T> {
  let step = script.next();
  while (!step.done) step = script.next(await execute(step.value));
  return step.value;
}
