// Hints that say what happened: a spent time budget, a mapping the router dropped, replies whose
// LOCATION was refused, no route for the search, a wrong --interface.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { TestContext } from "node:test";
import { NoGatewayError, SocketError, TimeoutError } from "../../src/index.js";
import { noMapperError } from "../../src/discovery/port-mapper-attempts.js";
import { checkInterface } from "../../src/cli/connect.js";
import { hintFor } from "../../src/cli/error-report.js";
import { ExitCode, exitCodeFor } from "../../src/cli/exit-codes.js";
import type { HostNetwork } from "../../src/net/host-network.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { porthole, portholeJson } from "./cli-runner.js";

test("a spent time budget says to raise --timeout, not to check the URL", async (t) => {
  const slow = await virtualGateway(t, { profiles: ["slow"] });
  const { code, json } = await portholeJson(["ip", "--gateway", slow.descriptionUrl, "--timeout", "500"]);
  assert.equal(code, 1);
  assert.equal(json.error.code, "PORTHOLE_TIMEOUT");
  assert.equal(json.error.message, "porthole ip timed out after 500 ms");
  const plain = await porthole(["ip", "--gateway", slow.descriptionUrl, "--timeout", "500"]);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /hint: raise --timeout: it is the time budget of the whole command, and 500 ms were not enough/);
  assert.doesNotMatch(plain.stderr, /check/);
});

test("a mapping the router accepts and then drops (714 on the read-back) says so, not \"no such mapping\"", async (t) => {
  const dropping = await virtualGateway(t, { profiles: ["drops-mappings"] });
  const { code, json } = await portholeJson(["map", "8080", "--gateway", dropping.descriptionUrl]);
  assert.equal(code, 1);
  assert.equal(json.error.code, "PORTHOLE_MAPPING_DROPPED");
  const plain = await porthole(["map", "8080", "--gateway", dropping.descriptionUrl]);
  assert.match(plain.stderr, /hint: the router accepted the mapping, then dropped it/);
  assert.doesNotMatch(plain.stderr, /no such mapping/);
});

/** A device on loopback that answers every search with a LOCATION on another network, which discovery refuses to follow. */
async function foreignLocationResponder(t: TestContext): Promise<string> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (_message, peer) => {
    const reply =
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
      "USN: uuid:elsewhere::upnp:rootdevice\r\nLOCATION: http://192.0.2.44:5000/rootDesc.xml\r\nEXT:\r\n\r\n";
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => socket.close());
  return `127.0.0.1:${socket.address().port}`;
}

test("replies whose LOCATION is refused are counted and explained, not \"no UPnP device answered\"", async (t) => {
  const target = await foreignLocationResponder(t);
  for (const command of ["ip", "discover"]) {
    const { code, json } = await portholeJson([command, "--ssdp-target", target, "--timeout", "1000"]);
    assert.equal(code, 3, command);
    assert.match(json.error.message, /^no usable search reply: (\d+ search replies were|1 search reply was) ignored, for LOCATION http:\/\/192\.0\.2\.44:5000\/rootDesc\.xml: LOCATION host 192\.0\.2\.44 is neither the replying host/, command);
    const plain = await porthole([command, "--ssdp-target", target, "--timeout", "1000"]);
    assert.match(plain.stderr, /hint: porthole follows a LOCATION only when .* give its description URL with --gateway URL/, command);
    assert.doesNotMatch(plain.stderr, /no UPnP device answered/, command);
  }
});

test("a search with no route (ENETUNREACH) is exit 3 with a hint to name the gateway", () => {
  const cause = Object.assign(new Error("send ENETUNREACH ff02::c:1900"), { code: "ENETUNREACH" });
  const error = new SocketError("cannot send an M-SEARCH to [ff02::c]:1900: ENETUNREACH", cause);
  assert.equal(exitCodeFor(error), ExitCode.noGateway);
  assert.match(hintFor(error, {}) ?? "", /no route for the search.*--gateway URL/);
  // Asked by several protocols (auto), the search without a route is among the answers: the same hint, exit 3.
  const gathered = noMapperError([
    { protocol: "pcp", error: new NoGatewayError("this host has no IPv4 default gateway to ask", { nothingAnswered: true }) },
    { protocol: "upnp", error },
  ]);
  assert.equal(gathered.nothingAnswered, true);
  assert.equal(exitCodeFor(gathered), ExitCode.noGateway);
  assert.match(hintFor(gathered, { protocol: "auto" }) ?? "", /no route for the search.*--gateway URL/);
  // Any other socket failure stays a failure of the command.
  const other = new SocketError("cannot bind UDP port 1900: EADDRINUSE", Object.assign(new Error("bind EADDRINUSE"), { code: "EADDRINUSE" }));
  assert.equal(exitCodeFor(other), ExitCode.failed);
  assert.equal(exitCodeFor(new TimeoutError("porthole ip", 10)), ExitCode.failed);
});

const host: HostNetwork = {
  interfaces: () => ({
    lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" }],
    eth0: [
      { address: "192.168.1.20", netmask: "255.255.255.0", family: "IPv4", mac: "02:00:00:00:00:01", internal: false, cidr: "192.168.1.20/24" },
      { address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:00:00:00:00:01", internal: false, cidr: "fe80::1/64", scopeid: 2 },
    ],
    wg0: [{ address: "fd00::5", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "00:00:00:00:00:00", internal: false, cidr: "fd00::5/64", scopeid: 3 }],
  }),
  ipv4RouteTable: () => undefined,
  ipv6AddressTable: () => undefined,
  ipv6RouteTable: () => undefined,
};

test("--interface must name an interface of this host, or one of its addresses, of the searched family", () => {
  assert.equal(checkInterface("eth0", false, host), "eth0");
  assert.equal(checkInterface("192.168.1.20", false, host), "192.168.1.20");
  assert.equal(checkInterface("wg0", true, host), "wg0");
  assert.equal(checkInterface("fe80::1", true, host), "fe80::1");
  assert.equal(checkInterface("3", true, host), "3");
  assert.throws(() => checkInterface("nosuch", false, host), /--interface "nosuch" is not an interface of this host with an IPv4 address; it has: lo \(127\.0\.0\.1\), eth0 \(192\.168\.1\.20\)$/);
  // wg0 has no IPv4 address: an IPv4 search cannot leave from it.
  assert.throws(() => checkInterface("wg0", false, host), /it has: lo .*eth0/);
  assert.throws(() => checkInterface("192.168.1.99", false, host), /not an interface of this host/);
});

test("--interface nosuch is a usage error (exit 2) naming this host's interfaces, before any traffic", async (t) => {
  let hits = 0;
  const udp = dgram.createSocket("udp4");
  udp.on("message", () => hits++);
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  t.after(() => udp.close());
  const result = await porthole(["discover", "--interface", "nosuch", "--ssdp-target", `127.0.0.1:${udp.address().port}`]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^porthole: error: --interface "nosuch" is not an interface of this host with an IPv4 address; it has: .*lo \(127\.0\.0\.1\)/m);
  assert.equal(hits, 0);
});
