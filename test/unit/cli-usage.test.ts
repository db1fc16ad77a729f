// Usage errors are caught before any traffic; help, version and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { porthole, portholeJson } from "./cli-runner.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

/** A TCP listener and a UDP socket on loopback that count whatever reaches them. */
async function tripwires(t: TestContext): Promise<{ gatewayUrl: string; ssdpTarget: string; hits: () => number }> {
  let hits = 0;
  const server = net.createServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const udp = dgram.createSocket("udp4");
  udp.on("message", () => hits++);
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  t.after(async () => {
    udp.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as net.AddressInfo;
  return { gatewayUrl: `http://127.0.0.1:${port}/rootDesc.xml`, ssdpTarget: `127.0.0.1:${udp.address().port}`, hits: () => hits };
}

const usageErrors: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ["port too large", ["map", "99999"], "INVALID_PORT"],
  ["port zero", ["map", "0"], "INVALID_PORT"],
  ["port not a number", ["unmap", "http"], "INVALID_PORT"],
  ["negative port", ["map", "-1"], "INVALID_PORT"],
  ["bad internal port", ["map", "80", "--internal-port", "-1"], "INVALID_PORT"],
  ["unknown protocol", ["map", "80", "--proto", "sctp"], "INVALID_PROTOCOL"],
  ["unknown protocol on unmap", ["unmap", "80", "--proto", "icmp"], "INVALID_PROTOCOL"],
  ["negative lease", ["map", "80", "--lease", "-5"], "INVALID_DURATION"],
  ["negative timeout", ["ip", "--timeout", "-5"], "INVALID_ARGS"],
  ["option without its value", ["map", "80", "--lease"], "INVALID_ARGS"],
  ["option followed by another option", ["map", "80", "--description", "--any-port"], "INVALID_ARGS"],
  ["a value given to a switch", ["map", "80", "--any-port=yes"], "INVALID_ARGS"],
  ["description of 257 characters", ["map", "80", "--description", "é".repeat(257)], "INVALID_ARGS"],
  ["fractional lease", ["map", "80", "--lease", "1.5"], "INVALID_DURATION"],
  ["lease beyond ui4", ["map", "80", "--lease", "4294967296"], "INVALID_DURATION"],
  ["internal client not IPv4", ["map", "80", "--internal-client", "host.local"], "INVALID_ARGS"],
  ["bad timeout", ["list", "--timeout", "soon"], "INVALID_ARGS"],
  ["missing port", ["map"], "INVALID_ARGS"],
  ["extra argument", ["ip", "now"], "INVALID_ARGS"],
  ["unknown option", ["list", "--all"], "INVALID_ARGS"],
  ["option of another command", ["list", "--proto", "tcp"], "INVALID_ARGS"],
  ["unknown command", ["open", "80"], "INVALID_ARGS"],
];

for (const [name, args, resultName] of usageErrors) {
  test(`usage error (${name}): exit 2, ${resultName}, and nothing sent`, async (t) => {
    const wires = await tripwires(t);
    for (const target of [["--gateway", wires.gatewayUrl], ["--ssdp-target", wires.ssdpTarget]]) {
      const { code, json } = await portholeJson([...args, ...target]);
      assert.equal(code, 2);
      assert.equal(json.error.resultName, resultName, json.error.message);
      assert.equal(json.error.upnpCode, null);
    }
    assert.equal(wires.hits(), 0);
  });
}

test("a usage error in text names the problem and points at --help, on stderr only", async (t) => {
  const wires = await tripwires(t);
  const result = await porthole(["map", "70000", "--gateway", wires.gatewayUrl]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /<port> must be a port from 1 to 65535, got "70000"/);
  assert.match(result.stderr, /porthole map --help/);
  assert.equal(wires.hits(), 0);
});

test("--gateway must be an http URL and --ssdp-target an address: exit 2 before any traffic", async () => {
  for (const args of [["ip", "--gateway", "192.168.1.1"], ["ip", "--gateway", "https://127.0.0.1/x"], ["ip", "--ssdp-target", "router.local:1900"]]) {
    const { code } = await portholeJson(args);
    assert.equal(code, 2, args.join(" "));
  }
});

test("--help lists the commands and the exit codes; each command has its own help", async () => {
  const overview = await porthole(["--help"]);
  assert.equal(overview.code, 0);
  for (const command of ["discover", "ip", "map <port>", "unmap <port>", "list", "hold <port>...", "doctor", "gateway", "demo"]) {
    assert.match(overview.stdout, new RegExp(`^  ${command}\\s`, "m"));
  }
  assert.match(overview.stdout, /Exit codes:\n {2}0 +success.*\n {2}1 .*refused.*\n(?: {7}.*\n)? {2}2 +usage error.*\n {2}3 +no gateway found.*\n {2}130 +interrupted.*\n {2}141 +the output was closed/);

  const map = await porthole(["map", "--help"]);
  assert.equal(map.code, 0);
  assert.match(map.stdout, /--lease SECONDS .*\(default: 3600\)/);
  assert.match(map.stdout, /--any-port/);
  const gateway = await porthole(["gateway", "--help"]);
  assert.match(gateway.stdout, /permanent-only +refuses any finite lease/);
  assert.match(gateway.stdout, /ppp-only/);
});

test("porthole alone prints the overview on stderr and exits 2", async () => {
  const result = await porthole([]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /Usage: porthole <command>/);
});

test("--version prints the package version", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  const result = await porthole(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${manifest.version}\n`);
});

test("option values that begin with \"-\" get porthole's own one-line message, never node:util's", async (t) => {
  const wires = await tripwires(t);
  const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
    [["map", "80", "--lease", "-1"], /^porthole: error: --lease must be whole seconds from 0 \(permanent\) to 4294967295, got "-1"$/m],
    [["ip", "--timeout", "-5"], /^porthole: error: --timeout must be milliseconds from 1 to 86400000, got "-5"$/m],
    [["map", "-1"], /^porthole: error: <port> must be a port from 1 to 65535, got "-1"$/m],
    [["map", "80", "--lease"], /^porthole: error: --lease needs a value$/m],
    [["map", "80", "--lease", "--verbose"], /^porthole: error: --lease needs a value$/m],
    [["map", "80", "--description", "-x"], /^porthole: error: --description needs a value; to give one that begins with "-", write --description=-x$/m],
  ];
  for (const [args, message] of cases) {
    const result = await porthole([...args, "--gateway", wires.gatewayUrl]);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, message, args.join(" "));
    assert.doesNotMatch(result.stderr, /ambiguous|ERR_PARSE_ARGS|\n\s+at /, args.join(" "));
  }
  assert.equal(wires.hits(), 0);
});

test("--name=value gives an option a value that begins with \"-\"", async (t) => {
  const gateway = await virtualGateway(t);
  const { code, json } = await portholeJson(["map", "8080", "--description=-dash-", "--gateway", gateway.descriptionUrl]);
  assert.equal(code, 0);
  assert.equal(json.mappings[0].description, "-dash-");
});

test("--description is counted in characters: 256 emoji are accepted", async (t) => {
  const gateway = await virtualGateway(t);
  const description = "🚀".repeat(256);
  const { code, json } = await portholeJson(["map", "8080", "--description", description, "--gateway", gateway.descriptionUrl]);
  assert.equal(code, 0, JSON.stringify(json));
  assert.equal(gateway.mappings[0]?.description, description);
});

test("gateway --help gives the recipe for programs built on miniupnpc, and says gateway and demo take no --timeout", async () => {
  const gateway = await porthole(["gateway", "--help"]);
  assert.equal(gateway.code, 0);
  assert.match(gateway.stdout, /porthole gateway --address 10\.0\.0\.1 --multicast-interface 10\.0\.0\.1 \\\n\s+--external-address 11\.22\.33\.44/);
  assert.match(gateway.stdout, /call one with a non-public external address "not connected"/);
  assert.match(gateway.stdout, /Takes no --timeout/);
  assert.match((await porthole(["demo", "--help"])).stdout, /Takes no\n--timeout|Takes no --timeout/);
  assert.match((await porthole(["ip", "--help"])).stdout, /--timeout MS +time budget of the whole command/);
});
