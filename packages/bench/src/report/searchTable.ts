import type { BenchReport } from './benchReport.ts';

const ms = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));

/** Scenario (f): message.search latency on the seeded embedded database, overall and by kind of query. */
export function searchTable(report: BenchReport): string[] {
  const r = report.search?.parley;
  if (!r) return [];
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `(f) message.search on the embedded database: ${n(r.messages)} messages in ${n(r.threads)} threads, the searcher a member of ` +
      `threads holding ${n(r.visibleMessages)} of them; ${n(r.queries)} searches one at a time over WebSocket, timed at the client. ` +
      `The server indexed the seeded messages in ${r.backfillSec.toFixed(1)} s after its start; the database is ${r.databaseMb.toFixed(0)} MB.`,
    '',
    '| (f) Query | Searches | Hits on the first page | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|--:|--:|--:|--:|--:|--:|',
    `| all | ${r.queries} | – | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p95)} | ${ms(r.latencyMs.p99)} | ${ms(r.latencyMs.max)} |`,
    ...r.byKind.map(
      (k) =>
        `| ${k.kind} | ${k.queries} | ${k.hitsOnFirstPage} | ${ms(k.latencyMs.p50)} | ${ms(k.latencyMs.p95)} | ${ms(k.latencyMs.p99)} | ${ms(k.latencyMs.max)} |`,
    ),
  ];
}
