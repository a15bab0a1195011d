// The Socket.IO peer's wire contract, shared by its server and the load generator's client side.
// Payloads mirror Parley's procedures one for one, so both servers do the same work per call.
import type { MessageView } from '@parley/api';

/** A stored message as the peer broadcasts it: Parley's MessageView itself, so both send the same bytes. */
export type PeerMessage = MessageView;

export interface PeerUser {
  id: string;
  username: string;
}

/** Every acknowledgement carries either a value or an error message, as a tRPC response does. */
export type PeerAck<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ClientToServerEvents {
  'thread:createGroup': (input: { usernames: string[] }, ack: (result: PeerAck<{ id: string }>) => void) => void;
  'thread:join': (input: { threadId: string }, ack: (result: PeerAck<{ lastSeq: number }>) => void) => void;
  'message:send': (input: { threadId: string; body: string; clientId?: string }, ack: (result: PeerAck<PeerMessage>) => void) => void;
}

export interface ServerToClientEvents {
  message: (message: PeerMessage) => void;
}

/** Room names for threads; one helper so server processes agree through the Redis adapter. */
export function threadRoom(threadId: string): string {
  return `thread:${threadId}`;
}

/** POST /signup with { username } answers { user, token } (no password: the peer only needs a session). */
export const SIGN_UP_PATH = '/signup';
