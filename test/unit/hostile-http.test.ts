// Devices that misbehave at the HTTP level, on loopback: each case must end in a typed error
// within its time budget, and the process that made the call must exit by itself afterwards
// (no socket or timer left behind, no unhandled rejection). Each call runs in its own process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runHostileClient } from "./hostile-child.js";
import { misbehaviours, startHostileServer, type MisbehaviourName } from "./hostile-servers.js";

/** The call's own budget: short, so that the hanging cases end quickly. */
const budgetMs = 1500;
/** Far longer than any case needs: only a process that hangs reaches it. */
const watchdogMs = budgetMs + 15_000;

const expected: Record<MisbehaviourName, { error: string; status?: number }> = {
  neverAnswer: { error: "TimeoutError" },
  trickle: { error: "TimeoutError" },
  // Cut off after the head: the status that arrived is kept.
  closeMidBody: { error: "HttpError", status: 200 },
  closeMidChunk: { error: "HttpError", status: 200 },
  reset: { error: "HttpError" },
  resetMidBody: { error: "HttpError", status: 200 },
  garbage: { error: "HttpError" },
  html500: { error: "HttpError", status: 500 },
  endlessBody: { error: "InvalidResponseError" },
  endlessChunks: { error: "InvalidResponseError" },
  endlessHeaders: { error: "HttpError" },
  fiftyMegabytes: { error: "InvalidResponseError" },
  fiftyMegabytesChunked: { error: "InvalidResponseError" },
};

for (const operation of ["description", "soap"] as const) {
  for (const [name, misbehave] of Object.entries(misbehaviours)) {
    const want = expected[name as MisbehaviourName];
    test(`${operation} from a device that does "${name}": ${want.error}, and the process exits by itself`, async (t) => {
      const server = await startHostileServer(t, misbehave);
      const result = await runHostileClient([operation, server.url(), String(budgetMs)], watchdogMs);
      assert.equal(result.exitedByItself, true, "the process was still running long after the call's budget");
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(result.outcome?.outcome, "error");
      assert.equal(result.outcome?.name, want.error, result.outcome?.message);
      assert.equal(result.outcome?.porthole, true);
      assert.equal(result.outcome?.status, want.status);
      assert.equal(result.outcome?.timeoutMs, want.error === "TimeoutError" ? budgetMs : undefined);
    });
  }
}
