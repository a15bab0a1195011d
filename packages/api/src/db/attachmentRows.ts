import type { AttachmentView } from '../domain/messageView.ts';
import { placeholders, type SqlRow } from './sqlScript.ts';

/** The Attachment columns a view needs, read by every path that shows a message's files. */
export const ATTACHMENT_VIEW_COLUMNS = `a."id", a."messageId", a."name", a."size", a."mime", a."kind", a."width", a."height", a."thumbWidth", a."thumbHeight"`;

/** The live files of these messages, in their order. Params: the message ids. */
export function attachmentsOfSql(count: number): string {
  return `
  SELECT ${ATTACHMENT_VIEW_COLUMNS} FROM "Attachment" a
  WHERE a."messageId" IN (${placeholders(count)}) AND a."deletedAt" IS NULL
  ORDER BY a."messageId", a."position"`;
}

export function attachmentView(row: SqlRow): AttachmentView {
  const isImage = row.kind === 'image';
  return {
    id: String(row.id),
    name: String(row.name),
    size: Number(row.size),
    type: String(row.mime),
    kind: isImage ? 'image' : 'file',
    image: isImage
      ? { width: Number(row.width), height: Number(row.height), thumbnailWidth: Number(row.thumbWidth), thumbnailHeight: Number(row.thumbHeight) }
      : null,
  };
}

export function attachmentsById(rows: readonly SqlRow[]): Map<string, AttachmentView[]> {
  const byId = new Map<string, AttachmentView[]>();
  for (const row of rows) {
    const list = byId.get(String(row.messageId)) ?? [];
    list.push(attachmentView(row));
    byId.set(String(row.messageId), list);
  }
  return byId;
}

/** The messages among these rows whose files must be read: only those that have some and are not deleted. */
export function idsNeedingAttachments(
  rows: ReadonlyArray<{ id: string; attachmentCount?: number | null; deletedAt: unknown; kind?: string }>,
): string[] {
  return rows
    .filter((row) => (row.kind ?? 'message') === 'message' && Number(row.attachmentCount ?? 0) > 0 && row.deletedAt === null)
    .map((row) => row.id);
}
