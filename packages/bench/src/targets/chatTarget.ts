// The load generator drives both servers through this one interface, so every scenario runs the same
// code against Parley and against the Socket.IO peer.

export type ServerName = 'parley' | 'socket.io';

export interface Deployment {
  /** Server processes; more than one needs PostgreSQL and Redis. */
  processes: number;
  database: 'sqlite' | 'postgresql';
  /** When set, servers run with --cpu-prof and write their profiles here. */
  profileDir?: string | undefined;
  /** Servers reach PostgreSQL through this local port (a statement-counting proxy) instead of directly. */
  postgresPort?: number | undefined;
}

export interface BenchUser {
  username: string;
  token: string;
}

export interface RunningTarget {
  name: ServerName;
  /** One base URL (http://host:port) per process. */
  urls: string[];
  pids: number[];
  /** Signs one user up through the server's public API. */
  signUp(username: string, url: string): Promise<BenchUser>;
  /**
   * Many users with sessions at once for the idle-socket scenario, where thousands of API sign-ups
   * (argon2 by design on Parley) would take minutes and measure nothing the scenario is about.
   */
  seedUsers(usernames: string[]): Promise<BenchUser[]>;
  /** Opens one authenticated client; resolves once the server has accepted its credentials. */
  connect(user: BenchUser, url: string): Promise<BenchConnection>;
  stop(): Promise<void>;
}

export interface BenchConnection {
  /** A thread of me and these users; resolves with its id. */
  createGroup(usernames: string[]): Promise<string>;
  /** Receives the thread's messages from its start; resolves once the server accepted the subscription. */
  follow(threadId: string, onMessage: (seq: number, body: string) => void): Promise<void>;
  /** Resolves with the stored message's seq once the server acknowledged it. */
  send(threadId: string, body: string, clientId: string): Promise<number>;
  /** Whether the socket is up now (false while reconnecting). */
  isOpen(): boolean;
  close(): Promise<void>;
}

export interface ChatTarget {
  name: ServerName;
  start(deployment: Deployment): Promise<RunningTarget>;
}
