import { createClient, type Client } from '@libsql/client';
import { toMessageView } from '@parley/api/domain/messageView';
import type { PeerMessage, PeerUser } from './protocol.ts';
import { isSecretValid, newId, newSessionToken, parseSessionToken, usernameKey, type PeerStore } from './peerStore.ts';

// Parley's connection settings (SQLITE_PRAGMAS in packages/api/src/db/createDatabase.ts), so both servers
// promise the same durability; synchronous = NORMAL alone makes a commit many times faster (figure:
// docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
const PRAGMAS = ['PRAGMA busy_timeout = 5000', 'PRAGMA foreign_keys = ON', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL'];

/** The peer's store on an embedded SQLite file through @libsql/client, the driver Parley's adapter uses. */
export async function createSqlitePeerStore(url: string): Promise<PeerStore> {
  const db: Client = createClient({ url });
  for (const sql of PRAGMAS) await db.execute(sql);

  return {
    async authenticate(token) {
      const parsed = parseSessionToken(token);
      if (!parsed) return null;
      const { rows } = await db.execute({
        sql: 'SELECT s."secretHash", u."id", u."username" FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = ?',
        args: [parsed.id],
      });
      const row = rows[0];
      if (!row || !isSecretValid(parsed.secret, new Uint8Array(row.secretHash as ArrayBuffer))) return null;
      return { id: String(row.id), username: String(row.username) };
    },

    async signUp(username) {
      const user = { id: newId(), username };
      const session = newSessionToken();
      const now = new Date().toISOString();
      await db.batch(
        [
          {
            sql: 'INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash", "createdAt") VALUES (?, ?, ?, ?, ?)',
            args: [user.id, username, usernameKey(username), '-', now],
          },
          {
            sql: 'INSERT INTO "Session" ("id", "secretHash", "userId", "createdAt", "lastUsedAt") VALUES (?, ?, ?, ?, ?)',
            args: [session.id, session.secretHash, user.id, now, now],
          },
        ],
        'write',
      );
      return { user, token: session.token };
    },

    async createGroup(creator, usernames) {
      const keys = [...new Set(usernames.map(usernameKey))].filter((k) => k !== usernameKey(creator.username));
      const { rows } = await db.execute({
        sql: `SELECT "id" FROM "User" WHERE "usernameKey" IN (${keys.map(() => '?').join(', ')})`,
        args: keys,
      });
      if (rows.length !== keys.length) throw new Error('Some of those users do not exist');
      const id = newId();
      const now = new Date().toISOString();
      const memberIds = [creator.id, ...rows.map((r) => String(r.id))];
      await db.batch(
        [
          { sql: 'INSERT INTO "Thread" ("id", "kind", "lastSeq", "createdAt") VALUES (?, ?, 0, ?)', args: [id, 'group', now] },
          ...memberIds.map((userId) => ({
            sql: 'INSERT INTO "ThreadMember" ("threadId", "userId", "joinedAt", "lastReadSeq") VALUES (?, ?, ?, 0)',
            args: [id, userId, now],
          })),
        ],
        'write',
      );
      return { id };
    },

    async isMember(threadId, userId) {
      const { rows } = await db.execute({
        sql: 'SELECT "userId" FROM "ThreadMember" WHERE "threadId" = ? AND "userId" = ?',
        args: [threadId, userId],
      });
      return rows.length > 0;
    },

    async storeMessage(author: PeerUser, input): Promise<PeerMessage> {
      const id = newId();
      const now = new Date();
      const createdAt = now.toISOString();
      // One write transaction (BEGIN IMMEDIATE): the seq bump's row write orders concurrent senders.
      const [bumped] = await db.batch(
        [
          {
            sql: 'UPDATE "Thread" SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = ? WHERE "id" = ? RETURNING "lastSeq"',
            args: [createdAt, input.threadId],
          },
          {
            sql: `INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt")
                  VALUES (?, ?, (SELECT "lastSeq" FROM "Thread" WHERE "id" = ?), ?, ?, ?, ?)`,
            args: [id, input.threadId, input.threadId, author.id, input.body, input.clientId, createdAt],
          },
          {
            sql: `UPDATE "ThreadMember" SET "lastReadSeq" = (SELECT "lastSeq" FROM "Thread" WHERE "id" = ?)
                  WHERE "threadId" = ? AND "userId" = ?`,
            args: [input.threadId, input.threadId, author.id],
          },
        ],
        'write',
      );
      const seq = Number(bumped?.rows[0]?.lastSeq);
      return toMessageView({ id, threadId: input.threadId, seq, author, body: input.body, clientId: input.clientId, createdAt: now });
    },

    async close() {
      db.close();
    },
  };
}
