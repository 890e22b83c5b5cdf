/**
 * One memory budget for the tail caches (./tail-cache.ts) of all the logs of a store, so that the
 * server's memory is bounded by a setting (`--tail-cache-mb`) rather than by how many shards exist.
 *
 * Memory is handed out in fixed-size pages. A tail cache holds the frames of its log's recent groups
 * in a queue of pages; the budget never has more than `floor(budgetBytes / pageBytes)` pages in
 * existence (held by caches or kept free for reuse), so the memory of all tail caches together stays
 * within the budget at all times — not only after some cleanup.
 *
 * Eviction policy: when a cache needs a page and the budget is exhausted, the log appended to least
 * recently (an LRU list of the caches that hold pages, moved to the back on every append) gives up its
 * oldest page, and the page is handed over as it is (no allocation, no free). A cold log is thus
 * emptied page by page before any warmer log loses anything; a log that is alone in the budget recycles
 * its own oldest page. Each cache also has its own cap (the per-log `tailCacheBytes`), so one hot log
 * cannot take the whole budget from the others. Evicting from a cache only drops its oldest groups: what
 * it still holds stays contiguous and ends at its log's end offset, so a read either finds the records
 * or falls back to the files, as before. Reads copy out of the pages synchronously, and eviction only
 * happens inside another cache's synchronous `add`, so no read can observe a page being reused.
 */

/** Default budget of all the tail caches of one store (`--tail-cache-mb 64`). */
export const DEFAULT_TAIL_CACHE_BUDGET_BYTES = 64 * 1024 * 1024;
/** Largest page: small enough that thousands of quiet logs each keep a tail within the default budget. */
export const MAX_TAIL_CACHE_PAGE_BYTES = 16 * 1024;
const MIN_TAIL_CACHE_PAGE_BYTES = 64;
/** Free pages kept for reuse (beyond these, released pages are left to the garbage collector). */
const FREE_PAGES_KEPT = 64;

/**
 * Page size for caches of at most `bytes` each: a power of two, about a quarter of that, from 64 B to
 * {@link MAX_TAIL_CACHE_PAGE_BYTES}.
 */
export function tailCachePageBytes(bytes: number): number {
  let page = MIN_TAIL_CACHE_PAGE_BYTES;
  while (page < MAX_TAIL_CACHE_PAGE_BYTES && page * 2 <= bytes / 4) page *= 2;
  return page;
}

/** What the budget needs from a cache that holds pages (implemented by TailCache). */
export interface TailCacheBudgetMember {
  /** LRU links, owned by the budget. */
  lruPrev: TailCacheBudgetMember | undefined;
  lruNext: TailCacheBudgetMember | undefined;
  lruLinked: boolean;
  /** Drop the oldest page (and every group that starts in it) and return it; the cache holds ≥ 1 page. */
  evictOldestPage(): Buffer;
}

export class TailCacheBudget {
  readonly budgetBytes: number;
  readonly pageBytes: number;
  /** Pages that may exist at once. */
  readonly maxPages: number;
  /** Pages in existence: held by caches or free. */
  private allocatedPages = 0;
  private heldPages = 0;
  private readonly free: Buffer[] = [];
  /** Caches holding pages, least recently appended to first. */
  private lruHead: TailCacheBudgetMember | undefined;
  private lruTail: TailCacheBudgetMember | undefined;

  /** `budgetBytes` 0 turns every cache of this budget off. */
  constructor(budgetBytes: number, pageBytes: number = tailCachePageBytes(budgetBytes)) {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0) throw new RangeError(`tail cache budget must be a non-negative integer (got ${budgetBytes})`);
    if (!Number.isSafeInteger(pageBytes) || pageBytes < 1 || (pageBytes & (pageBytes - 1)) !== 0) {
      throw new RangeError(`tail cache page size must be a power of two (got ${pageBytes})`);
    }
    this.budgetBytes = budgetBytes;
    this.pageBytes = pageBytes;
    this.maxPages = Math.floor(budgetBytes / pageBytes);
  }

  /** Bytes of pages that exist (held by caches, or free for reuse): never more than {@link budgetBytes}. */
  get allocatedBytes(): number {
    return this.allocatedPages * this.pageBytes;
  }

  /** Bytes of pages held by caches. */
  get heldBytes(): number {
    return this.heldPages * this.pageBytes;
  }

  /**
   * A page for `requester`: a free one, a new one while the budget allows, or else the oldest page of
   * the cache appended to least recently (which may be `requester` itself when it is the only holder).
   * The requester links itself with {@link touch} once it holds the page.
   */
  acquire(): Buffer | undefined {
    const free = this.free.pop();
    if (free !== undefined) {
      this.heldPages++;
      return free;
    }
    if (this.allocatedPages < this.maxPages) {
      this.allocatedPages++;
      this.heldPages++;
      return Buffer.allocUnsafeSlow(this.pageBytes);
    }
    const victim = this.lruHead;
    // Unreachable while the accounting holds: every allocated page is free or held by a linked cache.
    if (victim === undefined) return undefined;
    return victim.evictOldestPage(); // handed over: still allocated, still held
  }

  /** A page a cache no longer holds (cleared, disposed). */
  release(page: Buffer): void {
    this.heldPages--;
    if (this.free.length < FREE_PAGES_KEPT) this.free.push(page);
    else this.allocatedPages--;
  }

  /** `member` was just appended to: make it the most recently used holder. */
  touch(member: TailCacheBudgetMember): void {
    if (member.lruLinked) {
      if (this.lruTail === member) return;
      this.unlink(member);
    }
    member.lruPrev = this.lruTail;
    member.lruNext = undefined;
    if (this.lruTail !== undefined) this.lruTail.lruNext = member;
    else this.lruHead = member;
    this.lruTail = member;
    member.lruLinked = true;
  }

  /** `member` holds no pages any more. */
  unlink(member: TailCacheBudgetMember): void {
    if (!member.lruLinked) return;
    if (member.lruPrev !== undefined) member.lruPrev.lruNext = member.lruNext;
    else this.lruHead = member.lruNext;
    if (member.lruNext !== undefined) member.lruNext.lruPrev = member.lruPrev;
    else this.lruTail = member.lruPrev;
    member.lruPrev = undefined;
    member.lruNext = undefined;
    member.lruLinked = false;
  }
}
