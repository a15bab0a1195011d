/** How much of a parent's text a reply quotes, in code points: the server's rule (packages/api messageView.ts), repeated because the client takes only types from the server. */
const REPLY_SNIPPET_LENGTH = 120;

/** The quoted start of a message: whitespace runs as one space, cut with an ellipsis. */
export function replySnippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length <= REPLY_SNIPPET_LENGTH ? flat : `${points.slice(0, REPLY_SNIPPET_LENGTH).join('')}…`;
}
