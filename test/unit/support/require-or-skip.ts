import assert from "node:assert/strict";
import type { TestContext } from "node:test";

/**
 * For a test that needs something of the machine (a tool, the IPv6 loopback): true when it is
 * there. Otherwise the test is skipped with one line on a developer's machine, and fails on CI
 * (CI=true), where everything a test needs must be provided rather than silently missed.
 */
export function requireOrSkip(t: TestContext, available: boolean, what: string): boolean {
  if (available) return true;
  if (process.env["CI"] === "true") assert.fail(`${what} is missing: CI must provide it`);
  t.skip(`${what} is not available on this machine`);
  return false;
}
