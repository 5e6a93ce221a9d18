/**
 * Per-sender token bucket for chat: a short burst is fine, a stream is not.
 * The caller supplies the time, so the limiter is trivially testable.
 */
export class ChatLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAtMs: number }>();

  /**
   * @param burst messages a sender may send back to back
   * @param refillMs milliseconds to earn one more message
   */
  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
  ) {}

  /** Spend one message for `senderId` at `nowMs`; false when the sender is over the limit. */
  tryTake(senderId: string, nowMs: number): boolean {
    const bucket = this.buckets.get(senderId) ?? { tokens: this.burst, updatedAtMs: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (nowMs - bucket.updatedAtMs) / this.refillMs);
    bucket.updatedAtMs = nowMs;
    this.buckets.set(senderId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  forget(senderId: string): void {
    this.buckets.delete(senderId);
  }
}
