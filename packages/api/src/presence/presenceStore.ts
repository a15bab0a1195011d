import type { PresenceNotice } from '../bus/eventBus.ts';

/** A user's presence as a query returns it: online, with the version of their last change. */
export type UserPresence = PresenceNotice;

/**
 * Open authenticated sockets per user across every server process: who is online, and the per-user
 * socket limit. In Redis when there is one (shared by the cluster), else in this process. Every method
 * returns the online/offline changes it caused, for the caller to announce.
 */
export interface PresenceStore {
  /**
   * Counts one more socket of `userId` unless they already have `maxSockets` in the cluster.
   * `change` is set when this socket brought them online.
   */
  tryConnect(userId: string, maxSockets: number): Promise<{ isAdmitted: boolean; change: PresenceNotice | null }>;
  /** Counts one socket fewer; the change is set when it was their last one. */
  disconnect(userId: string): Promise<PresenceNotice | null>;
  /** Current presence of these users (offline with lastSeenAt null for ones never seen). */
  lookup(userIds: string[]): Promise<UserPresence[]>;
  /**
   * Starts the background work (heartbeats, noticing dead processes); changes it finds, such as the users
   * of a killed process going offline, go to `onChanges`.
   */
  start(onChanges: (changes: PresenceNotice[]) => void): Promise<void>;
  /** Takes this process's sockets out of the count; returns the changes that caused (users going offline). */
  close(): Promise<PresenceNotice[]>;
}
