// The username alphabet (schemas.ts), after an `@` that does not follow a word character: `ada@example.com` mentions nobody.
const MENTION = /(?<![\p{L}\p{N}_.@-])@([A-Za-z0-9_.-]{3,32})(?![A-Za-z0-9_-])/gu;
/** How many distinct names one body may try: each is a lookup, and a body of 4,000 characters could hold a thousand. */
const MAX_CANDIDATES = 50;

/**
 * The distinct usernames written as `@name` in a body, in order of first use. The server resolves them
 * against the thread's members when it stores the text; nothing a client says about mentions is trusted.
 */
export function mentionCandidates(body: string): string[] {
  if (!body.includes('@')) return [];
  const names = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    // A trailing dot ends a sentence, not the name.
    const name = match[1]!.replace(/\.+$/, '');
    if (name.length >= 3) names.add(name);
    if (names.size === MAX_CANDIDATES) break;
  }
  return [...names];
}
