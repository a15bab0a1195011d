import type { AttachmentView } from '@parley/client';

/** A message I sent that the server has not confirmed yet, as kept across reloads. */
export interface OutboxEntry {
  clientId: string;
  /** Whose send it is: only that person's sign-in sends it. */
  userId: string;
  threadId: string;
  body: string;
  replyToId: string | null;
  /** The files it carries, uploaded before the send (their ids go to message.send). */
  attachments: AttachmentView[];
  /** ISO-8601 of the send: what the pending row shows. */
  createdAt: string;
  /** Increases with every send on this browser: the order the thread must get them in. */
  order: number;
}

/** Where unsent messages wait: IndexedDB in a browser, memory where it is missing (tests, some private modes). */
export interface Outbox {
  /** `userId`'s entries, oldest first. */
  list(userId: string): Promise<OutboxEntry[]>;
  put(entry: OutboxEntry): Promise<void>;
  remove(clientId: string): Promise<void>;
  /** Forgets everything `userId` left unsent (on log out: a shared computer keeps nothing of theirs). */
  clear(userId: string): Promise<void>;
}

/** Oldest first. */
export function sortBySendOrder(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return [...entries].sort((a, b) => a.order - b.order || a.createdAt.localeCompare(b.createdAt));
}

let lastOrder = 0;

/**
 * The order number for a send made now. The clock keeps numbers increasing across reloads; the counter
 * keeps two sends in the same millisecond apart. `after` is the highest number already stored.
 */
export function nextOrder(now: number, after = 0): number {
  lastOrder = Math.max(now, lastOrder + 1, after + 1);
  return lastOrder;
}

const DB_NAME = 'parley';
const STORE = 'outbox';

/** The browser's outbox: one IndexedDB store keyed by clientId, with an index by user. */
export function openOutbox(): Outbox {
  if (typeof indexedDB === 'undefined') return createMemoryOutbox();
  let db: Promise<IDBDatabase> | null = null;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'clientId' }).createIndex('userId', 'userId');
      request.onsuccess = () => {
        // A newer version of the app in another tab can upgrade the database only once this one lets go.
        request.result.onversionchange = () => request.result.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    }));
  // Write transactions on one store run in the order they are created, so a remove made after a put wins.
  const run = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const transaction = (await open()).transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    return new Promise<T>((resolve, reject) => {
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  };
  return {
    async list(userId) {
      const entries = await run<OutboxEntry[]>('readonly', (store) => store.index('userId').getAll(userId));
      return sortBySendOrder(entries);
    },
    async put(entry) {
      await run('readwrite', (store) => store.put(entry));
    },
    async remove(clientId) {
      await run('readwrite', (store) => store.delete(clientId));
    },
    async clear(userId) {
      for (const entry of await this.list(userId)) await this.remove(entry.clientId);
    },
  };
}

export function createMemoryOutbox(): Outbox {
  const entries = new Map<string, OutboxEntry>();
  return {
    async list(userId) {
      return sortBySendOrder([...entries.values()].filter((entry) => entry.userId === userId));
    },
    async put(entry) {
      entries.set(entry.clientId, structuredClone(entry));
    },
    async remove(clientId) {
      entries.delete(clientId);
    },
    async clear(userId) {
      for (const entry of entries.values()) if (entry.userId === userId) entries.delete(entry.clientId);
    },
  };
}
