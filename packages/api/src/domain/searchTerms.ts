// Message search's one tokeniser: it makes the terms a message is indexed under and the phrases a query
// looks for, so the two always agree. Hangul, Han, Hiragana and Katakana runs are indexed as overlapping
// character bigrams (Lucene's CJKAnalyzer): Korean glues particles to nouns ("회의는", "회의를") and most
// words are two syllables, so the bigram "회의" is in both; every character of such a run is also indexed
// on its own, in a column of its own, so that a one-syllable query finds something. Everything else is
// ordinary words of letters and digits. Built at run time: the `v` flag is newer than the TypeScript
// target, though Node 20 has it.

/** Letters (and their marks) of the scripts written without spaces between words. */
const CJK = String.raw`[[\p{scx=Hang}\p{scx=Hani}\p{scx=Hira}\p{scx=Kana}]&&[\p{L}\p{M}\p{Nl}]]`;
const RUNS = new RegExp(String.raw`(${CJK}+)|([[\p{L}\p{N}\p{M}]--${CJK}]+)`, 'gv');
const LATIN_WORD = /^[\p{sc=Latn}\p{N}\p{M}]+$/u;
const NON_ASCII = /\P{ASCII}/u;
const COMBINING = /\p{Mn}/gu;

/** A word shorter than this matches as a prefix only when it ends the query: "a" or "10" would match almost everything. */
const MIN_PREFIX_LENGTH = 3;

/** What a message is indexed under: space-separated tokens, in text order. */
export interface IndexTerms {
  /** Words, bigrams of CJK runs and the lone characters of one-character runs: what phrases match. */
  words: string;
  /** Every character of CJK runs of two or more characters, for one-character queries. */
  unigrams: string;
}

/** One part of a query: tokens that must appear next to each other in `words`, the last one as a prefix when `isPrefix`. */
export interface SearchPhrase {
  tokens: readonly string[];
  isPrefix: boolean;
}

interface Run {
  isCjk: boolean;
  text: string;
  /** Offsets in the text the runs were read from. */
  start: number;
  end: number;
  /** Follows the previous run with nothing in between ("10시" is one chunk of two runs). */
  isJoined: boolean;
}

/** NFKC and lower case: full-width letters, ligatures and circled digits read as the plain ones. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Letter-and-digit and CJK runs of `text`, in order. */
export function searchRuns(text: string): Run[] {
  const runs: Run[] = [];
  let previousEnd = -1;
  for (const match of text.matchAll(RUNS)) {
    const start = match.index;
    const end = start + match[0].length;
    runs.push({ isCjk: match[1] !== undefined, text: match[0], start, end, isJoined: start === previousEnd });
    previousEnd = end;
  }
  return runs;
}

/** A Latin word without its accents ("café" → "cafe"); other scripts' marks carry meaning and stay. */
export function foldWord(word: string): string {
  if (!NON_ASCII.test(word) || !LATIN_WORD.test(word)) return word;
  return word.normalize('NFD').replace(COMBINING, '').normalize('NFC');
}

/** The index terms of a message's text; null when it has nothing to find (only punctuation, or empty). */
export function indexTermsOf(text: string): IndexTerms | null {
  const words: string[] = [];
  const unigrams: string[] = [];
  for (const run of searchRuns(normalizeForSearch(text))) {
    if (!run.isCjk) {
      words.push(foldWord(run.text));
      continue;
    }
    const chars = [...run.text];
    if (chars.length === 1) words.push(run.text);
    else {
      words.push(...bigrams(chars));
      unigrams.push(...chars);
    }
  }
  return words.length === 0 ? null : { words: words.join(' '), unigrams: unigrams.join(' ') };
}

/**
 * What a query looks for, all of it (AND): each chunk of letters, digits and CJK characters written
 * without a space is one phrase. A lone CJK character is looked up among the unigrams. A word ending a
 * chunk matches as a prefix ("meet" finds "meetings") if it has at least MIN_PREFIX_LENGTH characters
 * or ends the query; so does a one-character CJK run ending a chunk, so that "10시" finds "10시에".
 * Empty when the query has no letters or digits.
 */
export function queryPhrasesOf(query: string): SearchPhrase[] {
  const chunks: Run[][] = [];
  for (const run of searchRuns(normalizeForSearch(query))) {
    const last = chunks.at(-1);
    if (run.isJoined && last) last.push(run);
    else chunks.push([run]);
  }
  const phrases = chunks.map((chunk, i): SearchPhrase => {
    const tokens = chunk.flatMap((run) => (run.isCjk ? cjkTokens([...run.text]) : [foldWord(run.text)]));
    const end = chunk.at(-1)!;
    const endLength = [...end.text].length;
    if (chunk.length === 1 && end.isCjk && endLength === 1) return { tokens, isPrefix: false }; // a unigram
    const isPrefix = end.isCjk ? endLength === 1 : endLength >= MIN_PREFIX_LENGTH || i === chunks.length - 1;
    return { tokens, isPrefix };
  });
  const seen = new Set<string>();
  return phrases.filter((phrase) => {
    const key = `${phrase.tokens.join(' ')}${phrase.isPrefix ? '*' : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cjkTokens(chars: string[]): string[] {
  return chars.length === 1 ? chars : bigrams(chars);
}

function bigrams(chars: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}
