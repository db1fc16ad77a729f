import assert from "node:assert/strict";

/**
 * miniupnpd reports the lease left, not the lease granted: by the time a test reads it back it may
 * have ticked down by a second or two.
 */
const leaseSlackSeconds = 5;

/** Asserts that `actual` is what is left of a lease of `granted` seconds granted moments ago. */
export function assertLeaseLeft(actual: number | undefined, granted: number, what = "lease"): void {
  assert.ok(
    actual !== undefined && actual <= granted && actual >= granted - leaseSlackSeconds,
    `${what}: ${actual} s left, expected just under ${granted} s`,
  );
}
