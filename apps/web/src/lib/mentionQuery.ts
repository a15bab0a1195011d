/** The `@name` being typed at the caret: where its `@` is and the letters typed after it. */
export interface MentionQuery {
  start: number;
  query: string;
}

const NAME_CHARS = /^[A-Za-z0-9_.-]*$/;
const MAX_SUGGESTIONS = 8;

/** The mention being typed just before `caret`, or null when the caret is not in one. */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  const query = before.slice(at + 1);
  if (!NAME_CHARS.test(query) || query.length > 32) return null;
  // After a letter or digit it is an address ("anna@example"), not a mention.
  if (at > 0 && /[A-Za-z0-9_.-]/.test(before[at - 1] ?? '')) return null;
  return { start: at, query };
}

/** Members whose name starts with the query (case-insensitive), me left out, in the order given. */
export function suggestMembers<M extends { id: string; username: string }>(members: M[], query: string, meId: string): M[] {
  const prefix = query.toLowerCase();
  return members.filter((m) => m.id !== meId && m.username.toLowerCase().startsWith(prefix)).slice(0, MAX_SUGGESTIONS);
}

/** `text` with the query at `mention` replaced by `@username ` and where the caret goes after it. */
export function completeMention(text: string, caret: number, mention: MentionQuery, username: string): { text: string; caret: number } {
  const inserted = `@${username} `;
  const rest = text.slice(caret).replace(/^[A-Za-z0-9_.-]*\s?/, '');
  return { text: text.slice(0, mention.start) + inserted + rest, caret: mention.start + inserted.length };
}
