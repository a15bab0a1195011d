// Compares two V8 heap snapshots (node --heapsnapshot-signal=SIGUSR2) of one process: what grew between
// them, by node type and constructor, heaviest first. Usage: diffHeapSnapshots <before> <after> [top=30] [per=N]
// With per=N the sizes are also shown divided by N (e.g. per socket or per subscription).
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export type HeapTotals = Map<string, { count: number; bytes: number }>;

/** Self size and count per "type:name" (objects by constructor, closures by function name, strings, arrays…). */
export function heapTotals(snapshot: HeapSnapshot): HeapTotals {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const totals: HeapTotals = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const rawName = snapshot.strings[snapshot.nodes[i + nameAt]!] ?? '';
    // Strings and numbers are named by their content: group them by type only.
    const name = type === 'string' || type === 'number' || type === 'concatenated string' || type === 'sliced string' ? '' : rawName.slice(0, 60);
    const key = `${type}:${name}`;
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.nodes[i + sizeAt]!;
    totals.set(key, entry);
  }
  return totals;
}

export function diffHeapTotals(before: HeapTotals, after: HeapTotals) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key) => ({
      key,
      count: (after.get(key)?.count ?? 0) - (before.get(key)?.count ?? 0),
      bytes: (after.get(key)?.bytes ?? 0) - (before.get(key)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const [beforeFile, afterFile, topArg, perArg] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    console.error('usage: diffHeapSnapshots <before.heapsnapshot> <after.heapsnapshot> [top] [per=N]');
    process.exit(2);
  }
  const read = (f: string) => heapTotals(JSON.parse(readFileSync(f, 'utf8')) as HeapSnapshot);
  const diff = diffHeapTotals(read(beforeFile), read(afterFile));
  const per = Number(perArg?.replace('per=', '') ?? 0);
  const total = diff.reduce((sum, d) => sum + d.bytes, 0);
  console.log(`heap growth: ${(total / 1024).toFixed(0)} KB${per ? ` (${(total / 1024 / per).toFixed(2)} KB per 1 of ${per})` : ''}`);
  for (const d of diff.slice(0, Number(topArg ?? 30))) {
    const perText = per ? `  ${(d.bytes / per).toFixed(0).padStart(6)} B/1  ${(d.count / per).toFixed(1).padStart(6)}/1` : '';
    console.log(`${(d.bytes / 1024).toFixed(0).padStart(8)} KB ${String(d.count).padStart(8)} ×${perText}  ${d.key}`);
  }
}
