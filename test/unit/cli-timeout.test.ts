// --timeout is the time budget of the whole command: a deadline over everything it sends, ending
// in a TimeoutError (exit 1); Ctrl-C stays "interrupted" (130).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { clientSettings } from "../../src/cli/connect.js";
import type { CommandContext } from "../../src/cli/command-context.js";
import { parseCommandLine } from "../../src/cli/command-line.js";
import { Terminal } from "../../src/cli/terminal.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { portholeJson } from "./cli-runner.js";

function context(args: readonly string[], timeoutMs: number | undefined): CommandContext {
  const streams = { stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
  const signal = new AbortController().signal;
  return { line: parseCommandLine(args), terminal: new Terminal(streams, { json: false, verbose: false }), signal, timeoutMs, env: {}, facts: {} };
}

test("each step of a slow gateway fits in the budget, their sum does not: the command times out", async (t) => {
  // 1 s before every reply: the description, then the status questions (in parallel), 2 s in all.
  const slow = await virtualGateway(t, { profiles: ["slow"] });
  const { code, json } = await portholeJson(["ip", "--gateway", slow.descriptionUrl, "--timeout", "1500"]);
  assert.equal(code, 1);
  assert.equal(json.error.code, "PORTHOLE_TIMEOUT");
  assert.equal(json.error.message, "porthole ip timed out after 1500 ms");
});

test("library calls get no time limit of their own; discovery listens 2000 ms, or half the budget", () => {
  const long = clientSettings(context(["list"], 30_000));
  assert.equal(long.search.listenMs, 2000);
  for (const limit of [long.search.timeoutMs, long.search.probeTimeoutMs, long.search.descriptionTimeoutMs, long.search.controlTimeoutMs, long.call.timeoutMs, long.call.requestTimeoutMs, long.probe.timeoutMs]) {
    assert.equal(limit, 2 ** 31 - 1);
  }
  assert.equal(clientSettings(context(["list"], 3000)).search.listenMs, 1500);
  assert.equal(clientSettings(context(["list"], 1)).search.listenMs, 0);
});

test("--timeout takes 1 to 86400000 ms, and gateway and demo do not take it", async () => {
  for (const args of [["ip", "--timeout", "0"], ["ip", "--timeout", "86400001"], ["gateway", "--timeout", "100"], ["demo", "--timeout", "100"]]) {
    const { code } = await portholeJson(args);
    assert.equal(code, 2, args.join(" "));
  }
});
