import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface StatementCounts {
  /** Statements executed: simple-protocol queries plus extended-protocol Executes. */
  statements: number;
  /** By first keyword of the statement text (SELECT, INSERT, UPDATE, BEGIN, COMMIT, …). */
  byKind: Record<string, number>;
}

export interface PostgresStatementCounter {
  port: number;
  snapshot(): StatementCounts;
  close(): Promise<void>;
}

/**
 * A pass-through proxy in front of PostgreSQL that reads the frontend side of the wire protocol and counts
 * what clients execute, so the bench can say how many statements one message costs each server without
 * touching the database server's configuration. Parse ('P') carries an extended query's text, Execute
 * ('E') runs it; a simple Query ('Q') carries and runs its text at once.
 */
export async function startPostgresStatementCounter(target = { host: '127.0.0.1', port: 5432 }): Promise<PostgresStatementCounter> {
  const counts: StatementCounts = { statements: 0, byKind: {} };
  const sockets = new Set<Socket>();
  const count = (kind: string) => {
    counts.statements++;
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
  };

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.pipe(client);

    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    // Per connection: the last parsed statement's kind, which its Executes run (pg uses unnamed statements).
    let preparedKind = 'UNKNOWN';
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!started) {
          // Startup and SSLRequest have no type byte: int32 length, then the payload.
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code !== 80877103) started = true; // 80877103 = SSLRequest, a real startup follows
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const payload = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === 'Q') count(kindOf(payload.toString('utf8', 0, payload.indexOf(0))));
        else if (type === 'P') {
          const nameEnd = payload.indexOf(0);
          preparedKind = kindOf(payload.toString('utf8', nameEnd + 1, payload.indexOf(0, nameEnd + 1)));
        } else if (type === 'E') count(preparedKind);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    snapshot: () => ({ statements: counts.statements, byKind: { ...counts.byKind } }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The statement's first keyword; a WITH statement counts as one, whatever its parts do. */
function kindOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1];
  return word ? word.toUpperCase() : 'UNKNOWN';
}

/** What happened between two snapshots. */
export function countsBetween(before: StatementCounts, after: StatementCounts): StatementCounts {
  const byKind: Record<string, number> = {};
  for (const [kind, n] of Object.entries(after.byKind)) {
    const delta = n - (before.byKind[kind] ?? 0);
    if (delta) byKind[kind] = delta;
  }
  return { statements: after.statements - before.statements, byKind };
}
