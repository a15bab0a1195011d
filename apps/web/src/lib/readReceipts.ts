import type { ThreadSummary } from '@parley/client';

type Member = ThreadSummary['members'][number];

/** What shows under my last message: "Seen" (direct), "Seen by N" (group) and who, or nothing. */
export interface ReadReceipt {
  label: string;
  /** The readers' names, for the tooltip and screen readers. */
  names: string[];
}

/** Who else has read up to `seq`: a direct thread says "Seen", a group counts; null while nobody has. */
export function readReceipt(kind: ThreadSummary['kind'], members: Member[], meId: string, seq: number): ReadReceipt | null {
  const readers = members.filter((m) => m.id !== meId && m.lastReadSeq >= seq);
  if (!readers.length) return null;
  const names = readers.map((m) => m.username);
  return { label: kind === 'direct' ? 'Seen' : `Seen by ${readers.length}`, names };
}
