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
const flat = { id: 'm1', threadId: 't1', seq: 3, authorId: 'u1', username: 'ada', body: 'hi', clientId: 'c1' };

describe('the hot path message row', () => {
  it('reads back as the same view as a Prisma row, from SQLite text or a pg Date', () => {
    expect(rowToMessageView({ ...flat, createdAt: '2026-11-25T12:00:00.000+00:00' })).toEqual(toMessageView(stored));
    expect(rowToMessageView({ ...flat, createdAt: stored.createdAt })).toEqual(toMessageView(stored));
  });

  it('selects every row column under its own name, and createdAt through the provider expression', () => {
    const columns = messageViewColumns('X');
    for (const name of Object.keys(flat)) expect(columns).toMatch(new RegExp(`\\."${name}" AS "${name}"`));
    expect(columns).toMatch(/X AS "createdAt"$/);
  });
});
