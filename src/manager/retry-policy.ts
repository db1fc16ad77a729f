/** How long to wait between failed attempts: exponential back-off with jitter. */
export interface RetryPolicy {
  /** Wait after the first failure, in ms; each further failure doubles it. @default 1000 */
  initialDelayMs?: number | undefined;
  /** Longest wait, in ms. @default 60000 */
  maxDelayMs?: number | undefined;
}

export const defaultRetryPolicy: Required<RetryPolicy> = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 60_000 });

/**
 * The wait before attempt `failures + 1`: `initialDelayMs · 2^(failures-1)`, capped at
 * `maxDelayMs`, then drawn from its upper half ("equal jitter"), so that clients that failed
 * together do not come back together.
 */
export function backoffDelayMs(failures: number, policy: Required<RetryPolicy>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** `delayMs` moved by up to ±`spread` of itself (0.1 = ±10%), so periodic work of many mappings drifts apart. */
export function jittered(delayMs: number, spread: number, random: () => number): number {
  return Math.round(delayMs * (1 - spread + 2 * spread * random()));
}
