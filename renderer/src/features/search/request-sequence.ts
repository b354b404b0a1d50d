/**
 * @file Ordering answers that may come back out of order: each request takes a number, and an answer
 * is used only when its request is the newest (a new search) or newer than any answer already used (a
 * page of the same search refreshing the header). Runs in the renderer; pure, unit-tested.
 */
export class RequestSequence {
  private issued = 0;
  private accepted = 0;

  /** Numbers the next request. */
  next(): number {
    return ++this.issued;
  }

  /** Whether `n` is the newest request issued: answers to older ones are stale. */
  isLatest(n: number): boolean {
    return n === this.issued;
  }

  /** True (once) for an answer newer than every answer accepted so far; false for one overtaken. */
  accept(n: number): boolean {
    if (n <= this.accepted || n > this.issued) return false;
    this.accepted = n;
    return true;
  }
}
