import { AppError } from './app-error.ts';
import type { Ctx } from './context.ts';

/** A sustained rate and how many calls may come at once before it applies. */
export type Rate = { perSecond: number; burst: number };

/**
 * A token bucket: it holds up to `burst` tokens and refills at `perSecond`; each call spends one.
 * Time is the monotonic clock, so a wall-clock change neither floods nor starves anyone.
 */
export class TokenBucket {
  #rate: Rate;
  #tokens: number;
  #at: number;

  constructor(rate: Rate, now = performance.now()) {
    this.#rate = rate;
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Spends a token: 0 when there was one, else the milliseconds until there will be (nothing is spent). */
  take(now = performance.now()): number {
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate.perSecond);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#rate.perSecond) * 1000);
  }

  /** Refilled to the brim: forgetting it changes nothing. */
  full(now = performance.now()): boolean {
    return this.#tokens + ((now - this.#at) / 1000) * this.#rate.perSecond >= this.#rate.burst;
  }
}

/**
 * One bucket per key (a user, say), in this process's memory. Full buckets are dropped once a minute,
 * so memory follows the people sending right now, not everyone who ever did.
 */
export class RateLimiter {
  #rate: Rate;
  #buckets = new Map<string, TokenBucket>();
  #prunedAt = performance.now();

  constructor(rate: Rate) {
    this.#rate = rate;
  }

  take(key: string): number {
    const now = performance.now();
    if (now - this.#prunedAt > 60_000) {
      for (const [k, bucket] of this.#buckets) if (bucket.full(now)) this.#buckets.delete(k);
      this.#prunedAt = now;
    }
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(this.#rate, now)));
    return bucket.take(now);
  }
}

/** `429 RATE_LIMITED`; the HTTP layer turns `retryAfterSeconds` into a `Retry-After` header. */
export function rateLimited(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('RATE_LIMITED', 429, { params: { seconds }, details: { retryAfterSeconds: seconds } });
}

/** Spends one of the acting user's tokens, or throws RATE_LIMITED. */
export function spendUserToken(ctx: Ctx, limiter: RateLimiter): void {
  if (ctx.actor.kind !== 'user') return;
  const waitMs = limiter.take(`${ctx.workspace.id}:${ctx.actor.userId}`);
  if (waitMs > 0) throw rateLimited(waitMs);
}
