export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why a client stopped for good: closed by its owner, or its session ended (logged out, expired, bad token). */
export type CloseReason = 'closed' | 'session-ended';

/**
 * Maps tRPC's wsClient state (`idle`, `connecting`, `pending` = open) onto Parley's. tRPC reports a lost
 * socket as `connecting` again, so whether the socket was ever open tells a first connect from a reconnect.
 */
export function toConnectionState(trpcState: 'idle' | 'connecting' | 'pending', hasOpened: boolean): ConnectionState {
  if (trpcState === 'pending') return 'open';
  if (trpcState === 'idle') return 'closed';
  return hasOpened ? 'reconnecting' : 'connecting';
}
