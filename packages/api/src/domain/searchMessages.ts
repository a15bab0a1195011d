import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { SessionUser } from '../auth/session.ts';
import type { SearchPosition } from '../db/searchIndexSql.ts';
import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';
import type { UserRef } from './messageView.ts';
import { idSchema } from './schemas.ts';
import { searchSnippet, type SnippetSegment } from './searchSnippet.ts';
import { queryPhrasesOf } from './searchTerms.ts';

/** Hits per page. */
const SEARCH_PAGE_SIZE = 20;

interface SearchHit {
  threadId: string;
  messageId: string;
  seq: number;
  author: UserRef;
  /** ISO-8601. */
  createdAt: string;
  /** An excerpt of the current text around the first match, the matched parts marked. */
  snippet: SnippetSegment[];
}

export interface SearchPage {
  /** Best first: by relevance, then newest. */
  hits: SearchHit[];
  /** Pass as `cursor`, with the same query and threadId, for the next page; null after the last. */
  nextCursor: string | null;
}

interface SearchInput {
  query: string;
  threadId?: string | undefined;
  cursor?: string | undefined;
}

/**
 * Finds live messages, in the threads the user is a member of (or in `threadId` only, NOT_FOUND unless
 * a member), whose text has every part of the query (see queryPhrasesOf). Rate limited per user.
 */
export async function searchMessages(deps: Pick<Deps, 'hotPath' | 'rateLimits'>, user: SessionUser, input: SearchInput): Promise<SearchPage> {
  await deps.rateLimits.consumeSearch(user.id);
  const phrases = queryPhrasesOf(input.query);
  if (phrases.length === 0) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Search for at least one letter or digit' });
  const queryKey = cursorKey(input);
  const after = input.cursor === undefined ? undefined : readCursor(input.cursor, queryKey);
  if (input.threadId !== undefined) await assertThreadMember(deps, input.threadId, user.id);
  const rows = await deps.hotPath.searchMessages({ userId: user.id, phrases, threadId: input.threadId, after, limit: SEARCH_PAGE_SIZE + 1 });
  const page = rows.slice(0, SEARCH_PAGE_SIZE);
  const hits = page.map((row): SearchHit => ({
    threadId: row.threadId,
    messageId: row.messageId,
    seq: Number(row.seq),
    author: { id: row.authorId, username: row.username },
    createdAt: new Date(row.createdAt).toISOString(),
    snippet: searchSnippet(row.body, input.query),
  }));
  const last = page.at(-1);
  const nextCursor =
    rows.length > SEARCH_PAGE_SIZE && last
      ? writeCursor(queryKey, {
          score: Number(last.score),
          docId: last.docId === null ? null : Number(last.docId),
          createdAt: new Date(last.createdAt),
          messageId: last.messageId,
        })
      : null;
  return { hits, nextCursor };
}

// A cursor names its search, so one passed with another query is refused rather than paging something else.
const cursorSchema = z.object({
  k: z.string(),
  s: z.number().finite(),
  d: z.number().int().nullable(),
  c: z.iso.datetime(),
  m: idSchema,
});

function cursorKey(input: SearchInput): string {
  return createHash('sha256')
    .update(JSON.stringify([input.query, input.threadId ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

function writeCursor(key: string, position: SearchPosition): string {
  const payload = { k: key, s: position.score, d: position.docId, c: position.createdAt.toISOString(), m: position.messageId };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function readCursor(cursor: string, key: string): SearchPosition {
  let payload: z.infer<typeof cursorSchema> | null = null;
  try {
    payload = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    payload = null;
  }
  if (!payload || payload.k !== key) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'That cursor belongs to another search: search again without it' });
  }
  return { score: payload.s, docId: payload.d, createdAt: new Date(payload.c), messageId: payload.m };
}
