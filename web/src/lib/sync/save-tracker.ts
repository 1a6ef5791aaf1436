/**
 * Counts local changes that the server has not yet confirmed as durably stored.
 *
 * Every local transaction is counted. A save request carries a sequence number and remembers
 * how many changes had been counted when it was sent; when the server echoes that number,
 * everything counted up to then is saved. Requests of a connection that closed are dropped
 * (their answers can no longer come), and the changes they covered stay unsaved until a request
 * on a later connection is answered. Plain logic, no Yjs and no I/O, so it is easy to test.
 */
export class SaveTracker {
  private counted: number;
  private confirmed = 0;
  private nextSeq = 1;
  /** seq -> value of `counted` when the request was sent. */
  private readonly inFlight = new Map<number, number>();

  /** `restored`: changes left unsaved by an earlier session (from localStorage). */
  constructor(restored = 0) {
    this.counted = Math.max(0, restored);
  }

  get unsaved(): number {
    return Math.max(0, this.counted - this.confirmed);
  }

  /** One local transaction happened. */
  countChange(): void {
    this.counted += 1;
  }

  /** Returns the seq of a new save request. */
  request(): number {
    const seq = this.nextSeq++;
    this.inFlight.set(seq, this.counted);
    return seq;
  }

  /** The server confirmed `seq`; returns false when it was not a request of ours. */
  confirm(seq: number): boolean {
    const countedAtRequest = this.inFlight.get(seq);
    if (countedAtRequest === undefined) return false;
    for (const key of [...this.inFlight.keys()]) if (key <= seq) this.inFlight.delete(key);
    this.confirmed = Math.max(this.confirmed, countedAtRequest);
    return true;
  }

  /** The connection closed: its pending requests will never be answered. */
  dropPending(): void {
    this.inFlight.clear();
  }
}
