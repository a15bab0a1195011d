import { toMessageView } from '@parley/api/domain/messageView';
import pg from 'pg';
import type { PeerMessage } from './protocol.ts';
import { isSecretValid, newId, newSessionToken, parseSessionToken, usernameKey, type PeerStore } from './peerStore.ts';

/** The peer's store on PostgreSQL through `pg`, with Parley's default pool size and its statement sequence. */
export async function createPostgresPeerStore(url: string, poolSize = 10): Promise<PeerStore> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async authenticate(token) {
      const parsed = parseSessionToken(token);
      if (!parsed) return null;
      const { rows } = await pool.query<{ secretHash: Buffer; id: string; username: string }>(
        'SELECT s."secretHash", u."id", u."username" FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = $1',
        [parsed.id],
      );
      const row = rows[0];
      if (!row || !isSecretValid(parsed.secret, row.secretHash)) return null;
      return { id: row.id, username: row.username };
    },

    async signUp(username) {
      const user = { id: newId(), username };
      const session = newSessionToken();
      const now = new Date();
      await inTransaction(async (client) => {
        await client.query('INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash", "createdAt") VALUES ($1, $2, $3, $4, $5)', [
          user.id,
          username,
          usernameKey(username),
          '-',
          now,
        ]);
        await client.query('INSERT INTO "Session" ("id", "secretHash", "userId", "createdAt", "lastUsedAt") VALUES ($1, $2, $3, $4, $4)', [
          session.id,
          session.secretHash,
          user.id,
          now,
        ]);
      });
      return { user, token: session.token };
    },

    async createGroup(creator, usernames) {
      const keys = [...new Set(usernames.map(usernameKey))].filter((k) => k !== usernameKey(creator.username));
      const { rows } = await pool.query<{ id: string }>('SELECT "id" FROM "User" WHERE "usernameKey" = ANY($1)', [keys]);
      if (rows.length !== keys.length) throw new Error('Some of those users do not exist');
      const id = newId();
      const now = new Date();
      await inTransaction(async (client) => {
        await client.query('INSERT INTO "Thread" ("id", "kind", "lastSeq", "createdAt") VALUES ($1, $2, 0, $3)', [id, 'group', now]);
        await client.query('INSERT INTO "ThreadMember" ("threadId", "userId", "joinedAt", "lastReadSeq") SELECT $1, unnest($2::text[]), $3, 0', [
          id,
          [creator.id, ...rows.map((r) => r.id)],
          now,
        ]);
      });
      return { id };
    },

    async isMember(threadId, userId) {
      const { rowCount } = await pool.query('SELECT 1 FROM "ThreadMember" WHERE "threadId" = $1 AND "userId" = $2', [threadId, userId]);
      return (rowCount ?? 0) > 0;
    },

    async storeMessage(author, input): Promise<PeerMessage> {
      const id = newId();
      const now = new Date();
      // One transaction per message: BEGIN, bump (its row lock orders senders), insert, read marker, COMMIT.
      const seq = await inTransaction(async (client) => {
        const { rows } = await client.query<{ lastSeq: number }>(
          'UPDATE "Thread" SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = $2 WHERE "id" = $1 RETURNING "lastSeq"',
          [input.threadId, now],
        );
        const seq = rows[0]?.lastSeq;
        if (seq === undefined) throw new Error('No such thread');
        await client.query(
          'INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt") VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [id, input.threadId, seq, author.id, input.body, input.clientId, now],
        );
        await client.query('UPDATE "ThreadMember" SET "lastReadSeq" = $3 WHERE "threadId" = $1 AND "userId" = $2', [input.threadId, author.id, seq]);
        return seq;
      });
      return toMessageView({ id, threadId: input.threadId, seq, author, body: input.body, clientId: input.clientId, createdAt: now });
    },

    async close() {
      await pool.end();
    },
  };
}
