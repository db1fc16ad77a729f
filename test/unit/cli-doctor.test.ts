// `porthole doctor` as a child process against the virtual gateway on loopback: its UPnP reached
// by a unicast --ssdp-target, its NAT-PMP/PCP server by --gateway-address, the hairpin datagram
// never sent (--no-hairpin: the external address is made up). This machine's own setup (a
// container, several interfaces) may add findings of its own; the tests look at the rest.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { VirtualGatewayOptions } from "../../src/index.js";
import { porthole, portholeJson } from "./cli-runner.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

/** What the machine itself may add, whatever the gateway: not the subject of these tests. */
const machineFindings = new Set(["docker", "several-interfaces", "wsl2-mirrored", "vpn-default-route", "direct-internet-link", "no-multicast-route"]);

async function doctorArgs(t: TestContext, options: VirtualGatewayOptions): Promise<string[]> {
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44", ...options });
  const ssdpPort = gateway.protocols.upnp ? gateway.ssdpAddress.port : await unusedUdpPort();
  const portControlPort = gateway.protocols.natPmp || gateway.protocols.pcp ? gateway.portControlAddress.port : await unusedUdpPort();
  return ["doctor", "--gateway-address", `127.0.0.1:${portControlPort}`, "--ssdp-target", `127.0.0.1:${ssdpPort}`, "--no-hairpin"];
}

const gatewayFindings = (json: { findings: Array<{ id: string }> }): string[] => json.findings.map((finding) => finding.id).filter((id) => !machineFindings.has(id));

test("a router that speaks everything: exit 0, the Diagnosis document in --json, the summary first in text", async (t) => {
  const args = await doctorArgs(t, {});
  const { code, json } = await portholeJson(args);
  assert.equal(code, 0);
  assert.deepEqual(Object.keys(json), ["summary", "canOpenPorts", "gatewayFound", "method", "facts", "findings"]);
  assert.equal(json.summary, "ports can be opened via PCP");
  assert.equal(json.method, "pcp");
  assert.deepEqual(json.facts.protocols, { upnp: "answers", pcp: "answers", natpmp: "answers" });
  assert.equal(json.facts.gatewayAddress, "127.0.0.1");
  assert.equal(json.facts.externalAddress, "11.22.33.44");
  assert.equal(json.facts.testMapping.state, "mapped");
  assert.deepEqual(gatewayFindings(json), []);

  const text = await porthole(args);
  assert.equal(text.code, 0);
  const lines = text.stdout.split("\n");
  assert.equal(lines[0], "ports can be opened via PCP");
  assert.match(text.stdout, /^ {2}gateway +127\.0\.0\.1$/m);
  assert.match(text.stdout, /^ {2}PCP +answers$/m);
  assert.match(text.stdout, /^ {2}test mapping +UDP \d+ → \d+ mapped, read back and removed$/m);
  // It fits a terminal of the classic width.
  assert.ok(lines.every((line) => line.length <= 78), lines.find((line) => line.length > 78));
});

test("UPnP only: exit 0 via UPnP, and NAT-PMP/PCP refused is a note", async (t) => {
  const { code, json } = await portholeJson(await doctorArgs(t, { natPmp: false, pcp: false }));
  assert.equal(code, 0);
  assert.equal(json.summary, "ports can be opened via UPnP");
  assert.deepEqual(gatewayFindings(json), ["pmp-pcp-refused"]);
});

test("a router behind another NAT: exit 1, and the problem comes first in text with its fix", async (t) => {
  const args = await doctorArgs(t, { profiles: ["double-nat"], externalAddress: "10.0.0.2" });
  const { code, json } = await portholeJson(args);
  assert.equal(code, 1);
  assert.equal(json.canOpenPorts, false);
  assert.equal(json.gatewayFound, true);
  assert.ok(gatewayFindings(json).includes("external-address-private"), gatewayFindings(json).join());
  const text = await porthole(args);
  assert.equal(text.code, 1);
  assert.match(text.stdout.split("\n")[0]!, /^ports cannot be opened via PCP/);
  const problem = text.stdout.indexOf("✗");
  assert.ok(problem > 0 && !text.stdout.slice(0, problem).includes("\n  ! ") && !text.stdout.slice(0, problem).includes("\n  i "), "problems before warnings and notes");
  assert.match(text.stdout, /\[external-address-private\]/);
  assert.match(text.stdout, /^ {4}fix: /m);
});

test("nothing answers at all: exit 3, no gateway found", async () => {
  const args = ["doctor", "--gateway-address", `127.0.0.1:${await unusedUdpPort()}`, "--ssdp-target", `127.0.0.1:${await unusedUdpPort()}`, "--no-hairpin"];
  const { code, json } = await portholeJson(args);
  assert.equal(code, 3);
  assert.equal(json.gatewayFound, false);
  // What is not known is null, never a missing key.
  assert.equal(json.method, null);
  assert.equal(json.facts.externalAddress, null);
  assert.match(json.summary, /^no gateway found/);
  assert.deepEqual(json.facts.protocols, { upnp: "refused", pcp: "refused", natpmp: "refused" });
  assert.equal((await porthole(args)).code, 3);
});

test("doctor takes its own options only, and its --timeout defaults to 3000 ms (said in its help)", async () => {
  for (const args of [["doctor", "--protocol", "pcp"], ["doctor", "--gateway", "http://127.0.0.1:9/x"], ["doctor", "--timeout", "0"]]) {
    assert.equal((await portholeJson(args)).code, 2, args.join(" "));
  }
  const help = await porthole(["doctor", "--help"]);
  assert.match(help.stdout, /--timeout MS +time budget of the whole diagnosis \(default: 3000\)/);
});
