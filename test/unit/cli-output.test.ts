// Output formatting: colour only on a terminal and never with NO_COLOR, the spinner only on a
// terminal, aligned tables, and no escape codes in what a pipe receives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Terminal, colourEnabled, type CliStreams } from "../../src/cli/terminal.js";
import { formatTable } from "../../src/cli/text-table.js";
import { rawOf } from "../../src/cli/terminal-text.js";
import { externalAddressVerdict, formatLease } from "../../src/cli/wording.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { porthole } from "./cli-runner.js";

const escape = "\x1b[";

function fakeStreams(isTTY: boolean, env: NodeJS.ProcessEnv = {}): CliStreams & { written: () => { out: string; err: string } } {
  const stdout = Object.assign(new PassThrough(), { isTTY });
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, env, written: () => ({ out, err }) };
}

test("colour is on only for a terminal without NO_COLOR and with a capable TERM", () => {
  assert.equal(colourEnabled({ isTTY: true }, {}), true);
  assert.equal(colourEnabled({ isTTY: false }, {}), false);
  assert.equal(colourEnabled({}, {}), false);
  assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: "1" }), false);
  // no-color.org: an empty NO_COLOR does not count.
  assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: "" }), true);
  assert.equal(colourEnabled({ isTTY: true }, { TERM: "dumb" }), false);
});

test("a terminal gets escape codes; NO_COLOR or a pipe gets none", () => {
  const write = (streams: CliStreams): void => {
    const terminal = new Terminal(streams, { json: false, verbose: false });
    terminal.print(terminal.out.green("mapped"));
    terminal.warn("careful");
  };
  const tty = fakeStreams(true);
  write(tty);
  assert.ok(tty.written().out.includes(escape));
  assert.ok(tty.written().err.includes(escape));
  for (const streams of [fakeStreams(true, { NO_COLOR: "1" }), fakeStreams(false)]) {
    write(streams);
    assert.equal(streams.written().out, "mapped\n");
    assert.equal(streams.written().err, "note: careful\n");
  }
});

test("the spinner draws on a terminal's stderr only, and erases itself", async () => {
  const tty = fakeStreams(true);
  const value = await new Terminal(tty, { json: false, verbose: false }).withSpinner("Searching", async () => 42);
  assert.equal(value, 42);
  assert.match(tty.written().err, /Searching/);
  assert.ok(tty.written().err.endsWith("\r\x1b[K"));
  assert.equal(tty.written().out, "");

  const pipe = fakeStreams(false);
  await new Terminal(pipe, { json: false, verbose: false }).withSpinner("Searching", async () => 42);
  assert.equal(pipe.written().err, "");
  // A verbose trace shares stderr: no spinner over it.
  const traced = fakeStreams(true);
  await new Terminal(traced, { json: false, verbose: true }).withSpinner("Searching", async () => 42);
  assert.equal(traced.written().err, "");
});

test("the verbose trace is written only with --verbose", () => {
  const quiet = fakeStreams(false);
  new Terminal(quiet, { json: false, verbose: false }).trace("ssdp → 127.0.0.1:1900");
  assert.equal(quiet.written().err, "");
  const loud = fakeStreams(false);
  new Terminal(loud, { json: false, verbose: true }).trace("ssdp → 127.0.0.1:1900");
  assert.equal(loud.written().err, "ssdp → 127.0.0.1:1900\n");
});

test("formatTable pads columns to their widest cell and right-aligns the ones asked", () => {
  const table = rawOf(formatTable(["PROTO", "PORT", "NAME"], [["TCP", "80", "web"], ["UDP", "27015", "a game"]], { alignRight: [1] }));
  assert.equal(table, ["PROTO   PORT  NAME", "TCP       80  web", "UDP    27015  a game"].join("\n"));
});

test("formatLease and externalAddressVerdict read plainly", () => {
  assert.equal(formatLease(0), "permanent");
  assert.equal(formatLease(3600), "1h");
  assert.equal(formatLease(604800), "7d");
  assert.equal(formatLease(3725), "1h 2m 5s");
  assert.deepEqual(externalAddressVerdict("8.8.8.8"), { doubleNat: false, note: undefined });
  assert.match(externalAddressVerdict("192.168.1.20").note ?? "", /private address.*double NAT/);
  assert.match(externalAddressVerdict("100.64.3.4").note ?? "", /carrier-grade NAT/);
  assert.match(externalAddressVerdict("").note ?? "", /no external address/);
});

test("the CLI writes no escape codes to a pipe, with or without NO_COLOR", async (t) => {
  const gateway = await virtualGateway(t);
  for (const env of [{}, { NO_COLOR: "1" }]) {
    for (const args of [["demo"], ["list", "--gateway", gateway.descriptionUrl], ["map", "99999", "--gateway", gateway.descriptionUrl]]) {
      const result = await porthole(args, env);
      assert.ok(!result.stdout.includes(escape), `stdout of ${args.join(" ")}`);
      assert.ok(!result.stderr.includes(escape), `stderr of ${args.join(" ")}`);
    }
  }
});
