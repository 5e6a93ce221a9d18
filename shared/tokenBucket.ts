/**
 * A token bucket, the one rule behind the chat rate: the server limits each
 * sender with it, and the bots pace their own chat with a slower copy so they
 * never trip the server's. The caller supplies the time, so it is pure.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number | undefined;

  /**
   * @param burst tokens a full bucket holds (messages that may go back to back)
   * @param refillMs milliseconds to earn one more token
   */
  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
  ) {
    this.tokens = burst;
  }

  /** Spend one token at `nowMs` (ms, any monotonic clock); false, spending nothing, when there is none. */
  tryTake(nowMs: number): boolean {
    const elapsed = this.updatedAtMs === undefined ? 0 : nowMs - this.updatedAtMs;
    this.tokens = Math.min(this.burst, this.tokens + elapsed / this.refillMs);
    this.updatedAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
