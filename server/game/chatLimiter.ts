/**
 * Per-sender chat limit: a short burst is fine, a stream is not. Each sender
 * has its own {@link TokenBucket} (the rule the bots pace themselves by too).
 * The caller supplies the time, so the limiter is trivially testable.
 */
import { TokenBucket } from '../../shared/tokenBucket.ts';

export class ChatLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

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
    let bucket = this.buckets.get(senderId);
    if (!bucket) {
      bucket = new TokenBucket(this.burst, this.refillMs);
      this.buckets.set(senderId, bucket);
    }
    return bucket.tryTake(nowMs);
  }

  forget(senderId: string): void {
    this.buckets.delete(senderId);
  }
}
