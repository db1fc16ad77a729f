// A stdout or stderr that cannot be written: a reader that went away (`| head -1`) ends the
// command quietly with 141, as git and ls end (SIGPIPE); any other write error (`> /dev/full`) is
// one line on stderr and exit 1. Never a stack trace. Real child processes, real pipes and files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { cliPath, finished, firstJsonDocument, startPorthole } from "./cli-runner.js";

const stackTrace = /\n\s+at |node:internal|Emitted 'error' event|Unhandled/;

test("demo | head -1: the reader goes after the first line, porthole stops quietly with 141", async () => {
  const child = startPorthole(["demo"]);
  const done = finished(child);
  // head -1: read the first line, then close the pipe.
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  child.stdout!.destroy();
  const result = await done;
  assert.equal(result.code, 141, result.stderr);
  assert.equal(result.stderr, "");
});

test("a stdout closed before the first line (| true): demo and gateway stop quietly with 141", async () => {
  for (const args of [["demo"], ["gateway"], ["gateway", "--json"]]) {
    const child = startPorthole(args);
    child.stdout!.destroy();
    const result = await finished(child);
    assert.equal(result.code, 141, `${args.join(" ")}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, stackTrace, args.join(" "));
    assert.doesNotMatch(result.stderr, /EPIPE|error/i, args.join(" "));
  }
});

test("gateway 2>&1 | head: once its log has no reader the gateway stops quietly with 141 and closes its sockets", async (t) => {
  const child = startPorthole(["gateway", "--json"]);
  const done = finished(child);
  const info = await firstJsonDocument(child);
  child.stderr!.destroy();
  // The next log line (this request) meets the closed pipe.
  await fetch(info.descriptionUrl).catch(() => undefined);
  const result = await done;
  assert.equal(result.code, 141);
  await assert.rejects(fetch(info.descriptionUrl, { signal: AbortSignal.timeout(5000) }), TypeError);
  t.diagnostic(`gateway exit ${result.code}`);
});

/** Runs porthole with stdout on a file (here /dev/full, where every write fails with ENOSPC). */
function withStdoutOn(path: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(path, "w");
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", fd, "pipe"], env: { ...process.env, NO_COLOR: undefined } });
  closeSync(fd);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

test("list > /dev/full and ip --json > /dev/full: one line on stderr naming ENOSPC, exit 1", { skip: !existsSync("/dev/full") && process.env["CI"] !== "true" ? "no /dev/full on this system" : false }, async (t) => {
  // A public external address: no double-NAT note on stderr besides the one line.
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44" });
  for (const args of [["list"], ["ip", "--json"], ["--version"], ["demo"]]) {
    const result = await withStdoutOn("/dev/full", [...args, ...(args[0] === "--version" || args[0] === "demo" ? [] : ["--gateway", gateway.descriptionUrl])]);
    assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr, "porthole: error: cannot write to stdout: ENOSPC: no space left on device, write\n", `${args.join(" ")}: ${JSON.stringify(result.stderr)}`);
  }
});
