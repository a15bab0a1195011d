import pg from 'pg';
import { expect, vi } from 'vitest';
import type { ThreadRecorder } from './threadRecorder.ts';
import type { AcceptedMessage } from './threadSender.ts';

/** One entry of a thread's stored log: a message, or a change (edit, delete, reaction) of the message `id`. */
export interface StoredMessage {
  id: string;
  seq: number;
  clientId: string | null;
}

/** A thread's stored log in seq order, read straight from PostgreSQL (not through the server under test). */
async function readStoredMessages(databaseUrl: string, threadId: string): Promise<StoredMessage[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<StoredMessage>(
      `SELECT id, seq, "clientId" FROM "Message" WHERE "threadId" = $1
       UNION ALL SELECT "messageId" AS id, seq, NULL AS "clientId" FROM "ThreadEvent" WHERE "threadId" = $1
       ORDER BY seq`,
      [threadId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

export interface DeliveryCheckInput {
  stored: StoredMessage[];
  accepted: AcceptedMessage[];
  /** Each subscribed from seq 0, so each owes every stored message. */
  recorders: ThreadRecorder[];
}

/**
 * What breaks "every accepted change (message, edit, delete, reaction) was delivered to every subscriber
 * exactly once, in seq order",
 * one line per kind of problem; empty when the promise held. A stored message nobody saw accepted (its
 * call failed after the commit) must be delivered too: a subscriber's stream has no gaps.
 */
export function findDeliveryProblems({ stored, accepted, recorders }: DeliveryCheckInput): string[] {
  const problems: string[] = [];
  const storedBySeq = new Map(stored.map((m) => [m.seq, m]));

  const seqGaps = stored.filter((m, i) => m.seq !== i + 1).map((m) => m.seq);
  if (seqGaps.length) problems.push(`stored seqs are not 1..${stored.length}: first off at ${sample(seqGaps)}`);

  const notStored = accepted.filter((a) => storedBySeq.get(a.seq)?.id !== a.id);
  if (notStored.length) {
    problems.push(`${notStored.length} accepted changes are not stored as returned: ${sample(notStored.map((a) => `${a.clientId}@${a.seq}`))}`);
  }
  const byClientId = new Map<string, AcceptedMessage>();
  for (const a of accepted) {
    const earlier = byClientId.get(a.clientId);
    if (earlier && earlier.id !== a.id) problems.push(`clientId ${a.clientId} was accepted twice as different messages`);
    byClientId.set(a.clientId, a);
  }

  for (const recorder of recorders) {
    const seqs = recorder.deliveries.map((d) => d.seq);
    const seen = new Map<number, number>();
    for (const seq of seqs) seen.set(seq, (seen.get(seq) ?? 0) + 1);
    const missing = stored.filter((m) => !seen.has(m.seq)).map((m) => m.seq);
    const duplicated = [...seen].filter(([, times]) => times > 1).map(([seq]) => seq);
    const outOfOrder = seqs.filter((seq, i) => i > 0 && seq <= seqs[i - 1]!);
    const unknown = seqs.filter((seq) => !storedBySeq.has(seq));
    const wrongId = recorder.deliveries.filter((d) => storedBySeq.has(d.seq) && storedBySeq.get(d.seq)!.id !== d.id).map((d) => d.seq);
    const missingAccepted = accepted.filter((a) => !seen.has(a.seq)).length;
    const name = `subscriber ${recorder.label}`;
    if (missing.length) problems.push(`${name} misses ${missing.length} seqs (${missingAccepted} of them accepted): ${sample(missing)}`);
    if (duplicated.length) problems.push(`${name} got ${duplicated.length} seqs more than once: ${sample(duplicated)}`);
    if (outOfOrder.length) problems.push(`${name} got ${outOfOrder.length} deliveries out of order, at seqs ${sample(outOfOrder)}`);
    if (unknown.length) problems.push(`${name} got ${unknown.length} seqs that are not stored: ${sample(unknown)}`);
    if (wrongId.length) problems.push(`${name} got other messages than the stored ones at seqs ${sample(wrongId)}`);
    if (recorder.errors.length) problems.push(`${name}'s subscription ended with an error: ${String(recorder.errors[0])}`);
  }
  return problems;
}

/**
 * Waits (up to `timeoutMs`) for every subscriber to reach the thread's last stored seq, lets late
 * duplicates arrive, then asserts the delivery promise. Call it once the senders have stopped.
 */
export async function expectEveryAcceptedMessageDeliveredOnceInOrder(input: {
  databaseUrl: string;
  threadId: string;
  accepted: AcceptedMessage[];
  recorders: ThreadRecorder[];
  timeoutMs?: number;
}): Promise<{ stored: StoredMessage[] }> {
  const stored = await readStoredMessages(input.databaseUrl, input.threadId);
  const lastSeq = stored.at(-1)?.seq ?? 0;
  const caughtUp = () => input.recorders.every((r) => r.deliveries.length >= stored.length && r.lastSeq() >= lastSeq);
  await vi
    .waitFor(
      () => {
        if (!caughtUp()) throw new Error('not caught up');
      },
      { timeout: input.timeoutMs ?? 15_000, interval: 50 },
    )
    .catch(() => {
      // The assertion below says what is missing.
    });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(findDeliveryProblems({ stored, accepted: input.accepted, recorders: input.recorders })).toEqual([]);
  return { stored };
}

function sample(values: Array<string | number>): string {
  return values.length > 8 ? `${values.slice(0, 8).join(', ')}, …` : values.join(', ');
}
