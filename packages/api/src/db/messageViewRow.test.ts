import { describe, expect, it } from 'vitest';
import { toMessageView } from '../domain/messageView.ts';
import { messageViewColumns, rowToMessageView } from './messageViewRow.ts';

const stored = {
  id: 'm1',
  threadId: 't1',
  seq: 3,
  author: { id: 'u1', username: 'ada' },
  body: 'hi',
  clientId: 'c1',
  createdAt: new Date('2026-11-25T12:00:00.000Z'),
};
const flat = { id: 'm1', threadId: 't1', seq: 3, authorId: 'u1', username: 'ada', body: 'hi', clientId: 'c1', editedAt: null, deletedAt: null };

describe('the hot path message row', () => {
  it('reads back as the same view as a Prisma row, from SQLite text or a pg Date', () => {
    expect(rowToMessageView({ ...flat, createdAt: '2026-11-25T12:00:00.000+00:00' })).toEqual(toMessageView(stored));
    expect(rowToMessageView({ ...flat, createdAt: stored.createdAt })).toEqual(toMessageView(stored));
  });

  it('reads a quoted parent as a reply preview, deleted parents without text', () => {
    const view = rowToMessageView({
      ...flat,
      createdAt: stored.createdAt,
      replyId: 'm0',
      replySeq: 1,
      replyBody: '',
      replyAuthorId: 'u2',
      replyAuthorName: 'bo',
      replyEditedAt: null,
      replyDeletedAt: '2026-11-25T12:01:00.000+00:00',
    });
    expect(view.replyTo).toEqual({
      id: 'm0',
      seq: 1,
      author: { id: 'u2', username: 'bo' },
      snippet: '',
      editedAt: null,
      deletedAt: '2026-11-25T12:01:00.000Z',
    });
  });

  it('selects every row column under its own name, and timestamps through the provider expression', () => {
    const columns = messageViewColumns({ provider: 'sqlite', timestamp: (column) => `X(${column})`, nullTimestamp: 'NULL', forUpdate: '' });
    for (const name of Object.keys(flat).filter((n) => !n.endsWith('At'))) expect(columns).toMatch(new RegExp(`\\."${name}" AS "${name}"`));
    for (const name of ['createdAt', 'editedAt', 'deletedAt']) expect(columns).toContain(`X(m."${name}") AS "${name}"`);
  });
});
