import type { TimelineEntry } from '@parley/client';

type Mention = TimelineEntry['mentions'][number];

/** A run of a message body: plain text, or an `@username` the server resolved as a mention. */
export type BodySegment = { text: string; mention: null } | { text: string; mention: Mention & { isMe: boolean } };

// `@` starts a mention only at the start or after a character that cannot be in a username (so e-mail
// addresses are not mentions); the token is then the longest run of username characters.
const MENTION_TOKEN = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;

/**
 * Splits `body` into text and mention runs. Only names in `mentions` (the server's resolution) are
 * marked, so a client never highlights a name the server did not notify; a token may end in sentence
 * dots ("ask @anna.") that are not part of the name.
 */
export function mentionSegments(body: string, mentions: Mention[], meId: string): BodySegment[] {
  if (!mentions.length) return [{ text: body, mention: null }];
  const byName = new Map(mentions.map((m) => [m.username.toLowerCase(), m]));
  const segments: BodySegment[] = [];
  let textStart = 0;
  for (const match of body.matchAll(MENTION_TOKEN)) {
    const atIndex = match.index + (match[1]?.length ?? 0);
    const found = longestMention(match[2] ?? '', byName);
    if (!found) continue;
    if (atIndex > textStart) segments.push({ text: body.slice(textStart, atIndex), mention: null });
    const end = atIndex + 1 + found.length;
    segments.push({ text: body.slice(atIndex, end), mention: { ...found.mention, isMe: found.mention.id === meId } });
    textStart = end;
  }
  if (textStart < body.length || segments.length === 0) segments.push({ text: body.slice(textStart), mention: null });
  return segments;
}

function longestMention(token: string, byName: Map<string, Mention>): { mention: Mention; length: number } | null {
  for (let name = token; name; name = name.replace(/\.$/, '')) {
    const mention = byName.get(name.toLowerCase());
    if (mention) return { mention, length: name.length };
    if (!name.endsWith('.')) break;
  }
  return null;
}
