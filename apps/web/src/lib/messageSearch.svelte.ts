import type { RouterInputs, RouterOutputs } from '@parley/client';
import { describeError } from './describeError.ts';

export type SearchPage = RouterOutputs['message']['search'];
export type SearchHit = SearchPage['hits'][number];
type SearchInput = RouterInputs['message']['search'];

/** Typing pauses this long before a search goes: one per word typed, not per key. */
const DEBOUNCE_MS = 250;

type Status = 'idle' | 'searching' | 'done' | 'failed';

/**
 * A search as it is typed: `setQuery` on every change; the search runs once typing pauses, and an
 * answer to an older query than the current one is dropped. `loadMore` appends the next page.
 */
export class MessageSearch {
  query = $state('');
  hits = $state.raw<SearchHit[]>([]);
  status = $state<Status>('idle');
  error = $state<string | null>(null);
  nextCursor = $state<string | null>(null);
  isLoadingMore = $state(false);
  readonly #search: (input: SearchInput) => Promise<SearchPage>;
  readonly #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by each new query: answers carry the one they were asked under. */
  #generation = 0;

  constructor(search: (input: SearchInput) => Promise<SearchPage>, debounceMs = DEBOUNCE_MS) {
    this.#search = search;
    this.#debounceMs = debounceMs;
  }

  /** The query for the next search: "" clears the results. */
  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    const generation = ++this.#generation;
    this.error = null;
    if (!query.trim()) {
      this.#reset('idle');
      return;
    }
    this.status = 'searching';
    this.#timer = setTimeout(() => void this.#run(generation, query), this.#debounceMs);
  }

  async loadMore(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor || this.isLoadingMore || this.status !== 'done') return;
    const generation = this.#generation;
    this.isLoadingMore = true;
    try {
      const page = await this.#search({ query: this.query, cursor });
      if (generation !== this.#generation) return;
      this.hits = [...this.hits, ...page.hits];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      if (generation === this.#generation) this.error = describeSearchError(error);
    } finally {
      this.isLoadingMore = false;
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#generation++;
  }

  async #run(generation: number, query: string): Promise<void> {
    try {
      const page = await this.#search({ query });
      if (generation !== this.#generation) return;
      this.hits = page.hits;
      this.nextCursor = page.nextCursor;
      this.status = 'done';
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#reset('failed');
      this.error = describeSearchError(error);
    }
  }

  #reset(status: Status): void {
    this.hits = [];
    this.nextCursor = null;
    this.status = status;
  }
}

/** Why a search failed, in words that say what to do. */
function describeSearchError(error: unknown): string {
  return describeError(error, {
    TOO_MANY_REQUESTS: 'Searching too fast, wait a moment and type again.',
    INTERNAL_SERVER_ERROR: 'Search failed on the server. Try again in a moment.',
  });
}
