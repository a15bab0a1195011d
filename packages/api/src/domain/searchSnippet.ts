import { foldWord, normalizeForSearch, searchRuns } from './searchTerms.ts';

/** A piece of a snippet; `match` marks the parts the query found. Clients render it as text: no HTML to trust. */
export interface SnippetSegment {
  text: string;
  match: boolean;
}

/** About how many characters a snippet shows, and how many of them come before its first match. */
const SNIPPET_LENGTH = 120;
const CONTEXT_BEFORE = 30;
/** How far back from the window's start a space may be, to start it at a word. */
const WORD_START_SLACK = 12;

/**
 * A short excerpt of `body` around the first part the query matches, those parts marked: words that
 * begin with a query word, and the query's CJK runs wherever they occur. Whitespace shows as single
 * spaces; "…" says text was left out.
 */
export function searchSnippet(body: string, query: string): SnippetSegment[] {
  const spans = matchSpans(body, query);
  const first = spans[0];
  let start = 0;
  if (first && first.start > CONTEXT_BEFORE) {
    start = first.start - CONTEXT_BEFORE;
    const space = body.lastIndexOf(' ', start);
    if (space >= 0 && start - space <= WORD_START_SLACK) start = space + 1;
  }
  let end = Math.min(body.length, start + SNIPPET_LENGTH);
  start = codePointBoundary(body, start);
  end = codePointBoundary(body, end);

  const segments: SnippetSegment[] = [];
  const push = (text: string, match: boolean) => {
    const shown = text.replace(/\s+/g, ' ');
    if (shown === '') return;
    const last = segments.at(-1);
    if (last && last.match === match) last.text += shown;
    else segments.push({ text: shown, match });
  };
  if (start > 0) push('…', false);
  let at = start;
  for (const span of spans) {
    if (span.end <= at) continue;
    if (span.start >= end) break;
    push(body.slice(at, Math.max(at, span.start)), false);
    at = Math.min(end, span.end);
    push(body.slice(Math.max(span.start, start), at), true);
  }
  push(body.slice(at, end), false);
  if (end < body.length) push('…', false);
  const head = segments[0];
  if (head && !head.match) head.text = head.text.trimStart();
  return segments;
}

interface Span {
  start: number;
  end: number;
}

/** Where the query's words and CJK runs occur in `body`, in order, not overlapping. */
function matchSpans(body: string, query: string): Span[] {
  const words: string[] = [];
  const cjk: string[] = [];
  for (const run of searchRuns(normalizeForSearch(query))) {
    if (run.isCjk) cjk.push(run.text);
    else words.push(foldWord(run.text));
  }
  const spans: Span[] = [];
  for (const run of searchRuns(body)) {
    const normal = normalizeForSearch(run.text);
    if (!run.isCjk) {
      const word = foldWord(normal);
      if (words.some((w) => word.startsWith(w))) spans.push({ start: run.start, end: run.end });
      continue;
    }
    // Offsets in the normalised run are the body's only when normalising kept its length (half-width
    // kana with a voicing mark, say, do not): otherwise the whole run is marked.
    const isAligned = normal.length === run.text.length;
    const found: Span[] = [];
    for (const needle of cjk) {
      for (let i = normal.indexOf(needle); i >= 0; i = normal.indexOf(needle, i + needle.length)) {
        found.push(isAligned ? { start: run.start + i, end: run.start + i + needle.length } : { start: run.start, end: run.end });
      }
    }
    spans.push(...found);
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** Moves an offset off the middle of a surrogate pair. */
function codePointBoundary(text: string, offset: number): number {
  const code = text.charCodeAt(offset);
  return offset > 0 && offset < text.length && code >= 0xdc00 && code <= 0xdfff ? offset - 1 : offset;
}
