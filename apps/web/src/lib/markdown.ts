import MarkdownIt, { type StateCore, type Token } from 'markdown-it';
import { mentionSegments } from './mentionSegments.ts';

type Mention = { id: string; username: string };
type RenderEnv = { mentions: Mention[]; meId: string };
type MarkedMention = { id: string; isMe: boolean; text: string };

// An allowlist, not the default blocklist: only the subset a chat message needs is switched on, so a
// markdown-it upgrade that adds a rule cannot widen what a message may render. Raw HTML, images,
// headings, tables, rules, indented code, strikethrough and reference definitions stay off and show
// as the text that was typed.
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false });
md.enable(['blockquote', 'fence', 'list', 'newline', 'escape', 'entity', 'backticks', 'emphasis', 'link', 'autolink', 'linkify']);

const SAFE_LINK = /^(https?|mailto):/i;
// markdown-it's own check blocks a few schemes; ours admits only these three, so `javascript:`,
// `data:`, `vbscript:`, `file:` and relative links fall back to text.
md.validateLink = (url) => SAFE_LINK.test(url.trim());

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx];
  if (token) {
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener noreferrer nofollow');
  }
  return self.renderToken(tokens, idx, options);
};

md.renderer.rules.mention = (tokens, idx) => {
  const mention = tokens[idx]?.meta as MarkedMention | undefined;
  if (!mention) return '';
  const { escapeHtml } = md.utils;
  const span = `<span class="mention${mention.isMe ? ' is-me' : ''}" data-user-id="${escapeHtml(mention.id)}">${escapeHtml(mention.text)}</span>`;
  return mention.isMe ? `${span}<span class="visually-hidden"> (mentions you)</span>` : span;
};

// Mentions are marked in plain text only: a code span or block shows what was typed, and a link's
// text is the link (an autolinked URL such as https://x.example/@anna must not turn into a mention).
md.core.ruler.push('mention', (state: StateCore) => {
  const env = state.env as RenderEnv;
  if (!env.mentions.length) return;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    let linkDepth = 0;
    block.children = block.children.flatMap((token) => {
      if (token.type === 'link_open') linkDepth++;
      else if (token.type === 'link_close') linkDepth--;
      if (token.type !== 'text' || linkDepth > 0) return [token];
      return splitMentions(state, token, env);
    });
  }
});

function splitMentions(state: StateCore, token: Token, env: RenderEnv): Token[] {
  const segments = mentionSegments(token.content, env.mentions, env.meId);
  if (segments.length === 1 && !segments[0]?.mention) return [token];
  return segments.map((segment) => {
    const piece = new state.Token(segment.mention ? 'mention' : 'text', '', 0);
    piece.content = segment.text;
    if (segment.mention) piece.meta = { id: segment.mention.id, isMe: segment.mention.isMe, text: segment.text } satisfies MarkedMention;
    return piece;
  });
}

/**
 * A message body as HTML: the Markdown subset above, with the server-resolved `mentions` marked
 * (`meId`'s own as `is-me`). Every character of `body` is escaped; nothing in the result can run.
 */
export function renderMarkdown(body: string, mentions: Mention[], meId: string): string {
  const env: RenderEnv = { mentions, meId };
  // No trailing newline, so a one-paragraph body's textContent is exactly what was typed.
  return md.render(body, env).replace(/\n$/, '');
}

const FENCE_LINE = /^ {0,3}```/;

/** Whether `caret` sits inside a ``` code fence that is still open (an odd number of fence lines before it). */
export function isInsideOpenFence(text: string, caret: number): boolean {
  const fenceLines = text
    .slice(0, caret)
    .split('\n')
    .filter((line) => FENCE_LINE.test(line));
  return fenceLines.length % 2 === 1;
}
