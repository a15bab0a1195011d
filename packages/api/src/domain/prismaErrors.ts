/** Prisma's unique-constraint violation (P2002), whichever generated client threw it. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

// P1001/P1002/P1008/P1017: unreachable, timed out or closed; P2024: no pool connection in time;
// P2028: a transaction could not start in time.
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|timeout exceeded when trying to connect|Query read timeout|Can't reach database|Client has encountered a connection error|database is locked/i;
// Prisma driver-adapter errors carry their kind in `cause.kind`.
const UNAVAILABLE_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);

/** Whether an error means the database did not answer (as opposed to refusing the query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { code, message, cause, kind } = e as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    e = cause;
  }
  return false;
}

/** A constraint refused the write: the transaction rolled back and nothing of it was stored. */
export function isConstraintViolation(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '23505' || code === '23503') return true; // PostgreSQL unique / foreign key
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT') ? true : typeof message === 'string' && /constraint failed/i.test(message);
}
