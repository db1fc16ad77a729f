// Every client command of the CLI, run as a child process against a virtual gateway on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { TestContext } from "node:test";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { finished, porthole, portholeJson, startPorthole } from "./cli-runner.js";
import type { VirtualGateway } from "../../src/index.js";

const via = (gateway: VirtualGateway): string[] => ["--gateway", gateway.descriptionUrl];
const searchFor = (gateway: VirtualGateway): string[] => ["--ssdp-target", `${gateway.ssdpAddress.address}:${gateway.ssdpAddress.port}`];

test("discover finds the gateway by unicast SSDP and prints the documented JSON shape", async (t) => {
  const gateway = await virtualGateway(t);
  const { code, json } = await portholeJson(["discover", ...searchFor(gateway), "--timeout", "500"]);
  assert.equal(code, 0);
  assert.deepEqual(json, {
    gateways: [
      {
        protocol: "upnp",
        location: gateway.descriptionUrl,
        friendlyName: "porthole virtual gateway",
        controlUrl: gateway.descriptionUrl.replace("/rootDesc.xml", "/ctl/IPConn"),
        serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2",
        status: "Connected",
        externalAddress: "203.0.113.7",
        localAddress: "127.0.0.1",
        // 203.0.113.7 is a documentation address, not a public one.
        doubleNat: true,
        gatewayAddress: "127.0.0.1",
      },
    ],
  });
  assert.ok(gateway.ssdpSearches > 0);
});

test("discover in text names the service, status and addresses, and warns about double NAT", async (t) => {
  const gateway = await virtualGateway(t, { profiles: ["double-nat"] });
  const result = await porthole(["discover", ...via(gateway)]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /WANIPConnection:2/);
  assert.match(result.stdout, /status\s+Connected/);
  assert.match(result.stdout, /external address\s+10\.0\.0\.2/);
  assert.match(result.stdout, /double NAT/);
});

test("ip prints the external address alone, or as { externalAddress }", async (t) => {
  const gateway = await virtualGateway(t);
  const plain = await porthole(["ip", ...via(gateway)]);
  assert.equal(plain.code, 0);
  assert.equal(plain.stdout, "203.0.113.7\n");
  const { code, json } = await portholeJson(["ip", ...searchFor(gateway)]);
  assert.equal(code, 0);
  assert.deepEqual(json, { externalAddress: "203.0.113.7", method: "upnp" });
});

test("ip fails with exit 1 when the gateway reports no external address", async (t) => {
  const gateway = await virtualGateway(t);
  gateway.setExternalAddress("");
  const { code, json } = await portholeJson(["ip", ...via(gateway)]);
  assert.equal(code, 1);
  assert.equal(json.error.resultName, "ACTION_FAILED");
});

test("map uses the finite default lease and prints the documented JSON shape", async (t) => {
  const gateway = await virtualGateway(t);
  const { code, json } = await portholeJson(["map", "8080", ...via(gateway), "--description", "web"]);
  assert.equal(code, 0);
  assert.deepEqual(json, {
    mappings: [
      { protocol: "TCP", externalPort: 8080, internalPort: 8080, internalClient: "127.0.0.1", lease: 3600, description: "web", externalAddress: "203.0.113.7", method: "upnp" },
    ],
  });
  assert.deepEqual(
    gateway.mappings.map((m) => [m.protocol, m.externalPort, m.internalPort, m.internalClient, m.leaseSeconds]),
    [["TCP", 8080, 8080, "127.0.0.1", 3600]],
  );
});

test("map takes --internal-port, --proto in any case, --lease 0 and --internal-client", async (t) => {
  const gateway = await virtualGateway(t, { igdVersion: 1 });
  const result = await porthole(["map", "9000", "--internal-port", "9001", "--proto", "UDP", "--lease", "0", "--internal-client", "127.0.0.5", ...via(gateway)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /UDP 203\.0\.113\.7:9000 → 127\.0\.0\.5:9001/);
  assert.match(result.stdout, /lease permanent/);
  assert.deepEqual(
    gateway.mappings.map((m) => [m.protocol, m.externalPort, m.internalPort, m.internalClient, m.leaseSeconds]),
    [["UDP", 9000, 9001, "127.0.0.5", 0]],
  );
});

test("map --proto both maps TCP and UDP", async (t) => {
  const gateway = await virtualGateway(t);
  const { code, json } = await portholeJson(["map", "7000", "--proto", "both", ...via(gateway)]);
  assert.equal(code, 0);
  assert.deepEqual(json.mappings.map((m: { protocol: string }) => m.protocol), ["TCP", "UDP"]);
  assert.deepEqual(gateway.mappings.map((m) => m.protocol).sort(), ["TCP", "UDP"]);
});

test("map --proto both removes the TCP mapping again when UDP is refused", async (t) => {
  const gateway = await virtualGateway(t);
  const taken = await porthole(["map", "7000", "--proto", "udp", "--internal-client", "127.0.0.9", ...via(gateway)]);
  assert.equal(taken.code, 0);
  const { code, json } = await portholeJson(["map", "7000", "--proto", "both", ...via(gateway)]);
  assert.equal(code, 1);
  assert.equal(json.error.upnpCode, 718);
  assert.deepEqual(
    gateway.mappings.map((m) => [m.protocol, m.internalClient]),
    [["UDP", "127.0.0.9"]],
  );
  assert.ok(gateway.requests.some((r) => r.action === "DeletePortMapping"));
});

test("a conflict (718) exits 1 with the error document, and the hint names the holder and --any-port", async (t) => {
  const gateway = await virtualGateway(t);
  await porthole(["map", "8080", "--internal-client", "127.0.0.9", "--description", "game", ...via(gateway)]);
  const { code, json } = await portholeJson(["map", "8080", ...via(gateway)]);
  assert.equal(code, 1);
  assert.deepEqual(Object.keys(json), ["error"]);
  assert.deepEqual(Object.keys(json.error), ["code", "result", "resultName", "upnpCode", "protocol", "protocolCode", "message"]);
  assert.equal(json.error.protocol, "upnp");
  assert.equal(json.error.protocolCode, 718);
  assert.equal(json.error.resultName, "CONFLICT_WITH_OTHER_MAPPING");
  assert.equal(json.error.result, 13);
  assert.equal(json.error.upnpCode, 718);

  const plain = await porthole(["map", "8080", ...via(gateway)]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, "");
  assert.match(plain.stderr, /CONFLICT_WITH_OTHER_MAPPING, UPnP error 718/);
  assert.match(plain.stderr, /mapped to 127\.0\.0\.9:8080 \("game"\)/);
  assert.match(plain.stderr, /--any-port/);
});

test("map --any-port takes another port when the one asked for is taken", async (t) => {
  const gateway = await virtualGateway(t);
  await porthole(["map", "8080", "--internal-client", "127.0.0.9", ...via(gateway)]);
  const { code, json } = await portholeJson(["map", "8080", "--any-port", ...via(gateway)]);
  assert.equal(code, 0);
  assert.notEqual(json.mappings[0].externalPort, 8080);
  assert.ok(gateway.mappings.some((m) => m.externalPort === json.mappings[0].externalPort && m.internalClient === "127.0.0.1"));
});

test("606 gets the access-control hint; 501 with a private external address gets the double-NAT hint", async (t) => {
  const secure = await virtualGateway(t, { profiles: ["secure-mode"] });
  const refused = await porthole(["map", "8080", "--internal-client", "127.0.0.9", ...via(secure)]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /UPnP error 606/);
  assert.match(refused.stderr, /access control/);

  const nested = await virtualGateway(t, { igdVersion: 1, profiles: ["double-nat"], quirks: { tableLimit: 0 } });
  const failed = await porthole(["map", "8080", ...via(nested)]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /UPnP error 501/);
  assert.match(failed.stderr, /hint: .*10\.0\.0\.2.*double NAT/);
});

test("list prints the documented JSON shape and an aligned table", async (t) => {
  const gateway = await virtualGateway(t);
  await porthole(["map", "8080", "--description", "web", ...via(gateway)]);
  await porthole(["map", "27015", "--proto", "udp", "--lease", "0", "--description", "game server", ...via(gateway)]);
  const { code, json } = await portholeJson(["list", ...via(gateway)]);
  assert.equal(code, 0);
  const leases: number[] = json.mappings.map((m: { lease: number }) => m.lease);
  assert.ok(leases[0]! > 0 && leases[0]! <= 3600);
  assert.ok(leases[1]! > 3600 && leases[1]! <= 604800);
  assert.deepEqual(json, {
    mappings: [
      { protocol: "TCP", externalPort: 8080, internalClient: "127.0.0.1", internalPort: 8080, description: "web", lease: leases[0], enabled: true, remoteHost: "", method: "upnp", externalAddress: "203.0.113.7" },
      // IGD:2 turns a permanent lease into a week.
      { protocol: "UDP", externalPort: 27015, internalClient: "127.0.0.1", internalPort: 27015, description: "game server", lease: leases[1], enabled: true, remoteHost: "", method: "upnp", externalAddress: "203.0.113.7" },
    ],
    truncated: false,
  });

  const table = await porthole(["list", ...via(gateway)]);
  assert.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^PROTO\s+EXTERNAL\s+INTERNAL\s+LEASE\s+ENABLED\s+REMOTE\s+DESCRIPTION$/);
  // Aligned: every row's INTERNAL column starts where the header's does.
  const column = lines[0]!.indexOf("INTERNAL ");
  assert.equal(lines[1]!.indexOf("127.0.0.1:8080"), column);
  assert.equal(lines[2]!.indexOf("127.0.0.1:27015"), column);
  assert.match(lines[2]!, /game server$/);
});

test("unmap removes the mapping and prints { removed, results }; a missing one exits 1 with 714", async (t) => {
  const gateway = await virtualGateway(t);
  await porthole(["map", "8080", "--proto", "both", ...via(gateway)]);
  const { code, json } = await portholeJson(["unmap", "8080", "--proto", "Both", ...via(gateway)]);
  assert.equal(code, 0);
  assert.deepEqual(json, {
    removed: [
      { protocol: "TCP", externalPort: 8080, internalPort: null, method: "upnp" },
      { protocol: "UDP", externalPort: 8080, internalPort: null, method: "upnp" },
    ],
    results: [
      { protocol: "TCP", externalPort: 8080, internalPort: null, method: "upnp", removed: true, error: null },
      { protocol: "UDP", externalPort: 8080, internalPort: null, method: "upnp", removed: true, error: null },
    ],
  });
  assert.equal(gateway.mappings.length, 0);

  const again = await porthole(["unmap", "8080", ...via(gateway)]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /UPnP error 714/);
  assert.match(again.stderr, /porthole list/);
});

/** A UDP socket on loopback that receives searches and never answers. */
async function silentUdpTarget(t: TestContext): Promise<{ socket: dgram.Socket; port: number }> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => socket.close());
  return { socket, port: socket.address().port };
}

test("no gateway answering exits 3 with NO_DEVICES and a hint", async (t) => {
  const { port } = await silentUdpTarget(t);
  for (const command of ["discover", "ip", "list"]) {
    const { code, json } = await portholeJson([command, "--ssdp-target", `127.0.0.1:${port}`, "--timeout", "300"]);
    assert.equal(code, 3, command);
    assert.equal(json.error.resultName, "NO_DEVICES", command);
  }
  const plain = await porthole(["ip", "--ssdp-target", `127.0.0.1:${port}`, "--timeout", "300"]);
  assert.equal(plain.code, 3);
  assert.match(plain.stderr, /hint: .*multicast/);
});

test("--gateway with a URL where nothing answers exits 3", async (t) => {
  const gateway = await virtualGateway(t);
  const url = gateway.descriptionUrl;
  await gateway.close();
  const { code, json } = await portholeJson(["ip", "--gateway", url]);
  assert.equal(code, 3);
  assert.equal(json.error.resultName, "NO_GATEWAY");
  const plain = await porthole(["discover", "--gateway", url]);
  assert.equal(plain.code, 3);
  assert.match(plain.stderr, /hint: nothing usable at http:\/\/127\.0\.0\.1:\d+\/rootDesc\.xml: check the URL/);
});

test("--verbose traces SSDP and HTTP/SOAP exchanges on stderr and leaves stdout as it was", async (t) => {
  const gateway = await virtualGateway(t);
  const result = await porthole(["ip", ...searchFor(gateway), "--verbose"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "203.0.113.7\n");
  assert.match(result.stderr, /ssdp → 127\.0\.0\.1:\d+ {2}M-SEARCH urn:schemas-upnp-org:device:InternetGatewayDevice:1/);
  assert.match(result.stderr, /ssdp ← 127\.0\.0\.1:\d+ .*LOCATION http:\/\/127\.0\.0\.1/);
  assert.match(result.stderr, /http → GET http:\/\/127\.0\.0\.1:\d+\/rootDesc\.xml/);
  assert.match(result.stderr, /http → POST .*SOAPAction: "urn:schemas-upnp-org:service:WANIPConnection:2#GetExternalIPAddress"/);
  assert.match(result.stderr, /http ← 200 for POST http:\/\/127\.0\.0\.1:\d+\/ctl\/IPConn #GetExternalIPAddress .*\n.*\n.*<NewExternalIPAddress>203\.0\.113\.7<\/NewExternalIPAddress>/);
});

test("gateway quirks the library works around do not show: permanent-only and ppp-only", async (t) => {
  const permanent = await virtualGateway(t, { profiles: ["permanent-only"] });
  const { code, json } = await portholeJson(["map", "8080", ...via(permanent)]);
  assert.equal(code, 0);
  assert.equal(json.mappings[0].lease, 604800);

  const ppp = await virtualGateway(t, { profiles: ["ppp-only"] });
  const discovered = await portholeJson(["discover", ...searchFor(ppp), "--timeout", "500"]);
  assert.equal(discovered.code, 0);
  assert.equal(discovered.json.gateways[0].serviceType, "urn:schemas-upnp-org:service:WANPPPConnection:1");
});

test("Ctrl-C during discovery stops the search and exits 130", async (t) => {
  const target = await silentUdpTarget(t);
  const child = startPorthole(["discover", "--ssdp-target", `127.0.0.1:${target.port}`, "--timeout", "20000"]);
  const done = finished(child);
  // Interrupt once the search is under way: its first M-SEARCH has arrived.
  await new Promise<void>((resolve) => target.socket.once("message", () => resolve()));
  child.kill("SIGINT");
  const result = await done;
  assert.equal(result.code, 130);
  assert.match(result.stderr, /interrupted/);
});

test("unmap --proto both tries UDP after TCP fails (714), reports each, and exits 1", async (t) => {
  const gateway = await virtualGateway(t);
  await porthole(["map", "8080", "--proto", "udp", ...via(gateway)]);
  const plain = await porthole(["unmap", "8080", "--proto", "both", ...via(gateway)]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, "removed UDP port 8080 via UPnP\n");
  assert.match(plain.stderr, /^porthole: error: TCP port 8080: DeletePortMapping failed: UPnP error 714/m);
  assert.equal(gateway.mappings.length, 0);

  await porthole(["map", "8080", "--proto", "udp", ...via(gateway)]);
  const { code, json } = await portholeJson(["unmap", "8080", "--proto", "both", ...via(gateway)]);
  assert.equal(code, 1);
  assert.deepEqual(json.removed, [{ protocol: "UDP", externalPort: 8080, internalPort: null, method: "upnp" }]);
  assert.deepEqual(
    json.results.map((r: { protocol: string; removed: boolean; error: { upnpCode: number } | null }) => [r.protocol, r.removed, r.error?.upnpCode ?? null]),
    [["TCP", false, 714], ["UDP", true, null]],
  );
  assert.match(json.results[0].error.message, /^TCP port 8080: DeletePortMapping failed/);
  assert.equal(json.error.upnpCode, 714);
  assert.match(json.error.message, /^TCP port 8080: /);
  assert.equal(gateway.mappings.length, 0);
});

test("list --max-entries N stops at N and says the list was cut off, in text and JSON", async (t) => {
  const gateway = await virtualGateway(t);
  for (const port of [7001, 7002, 7003]) await porthole(["map", String(port), ...via(gateway)]);
  const cut = await portholeJson(["list", "--max-entries", "2", ...via(gateway)]);
  assert.equal(cut.code, 0);
  assert.equal(cut.json.mappings.length, 2);
  assert.equal(cut.json.truncated, true);
  const whole = await portholeJson(["list", "--max-entries", "4", ...via(gateway)]);
  assert.equal(whole.json.mappings.length, 3);
  assert.equal(whole.json.truncated, false);

  const text = await porthole(["list", "--max-entries", "2", ...via(gateway)]);
  assert.equal(text.code, 0);
  assert.equal(text.stdout.trimEnd().split("\n").length, 3);
  assert.match(text.stderr, /the list stops at 2 entries: the gateway may hold more \(raise --max-entries/);
  assert.doesNotMatch((await porthole(["list", "--max-entries", "4", ...via(gateway)])).stderr, /stops at/);
  for (const bad of ["0", "65537", "-1", "all"]) {
    assert.equal((await portholeJson(["list", "--max-entries", bad, ...via(gateway)])).code, 2, bad);
  }
});

test("ip exits 1 when the gateway reports no external address; a gateway whose WAN address is no usable one (0.0.0.0, loopback, link-local, not an IP) is no gateway: exit 3", async (t) => {
  const gateway = await virtualGateway(t);
  gateway.setExternalAddress("");
  const { code, json } = await portholeJson(["ip", ...via(gateway)]);
  assert.equal(code, 1);
  assert.equal(json.error.code, "PORTHOLE_NO_EXTERNAL_ADDRESS");
  const plain = await porthole(["ip", ...via(gateway)]);
  assert.equal(plain.stdout, "");
  assert.match(plain.stderr, /^porthole: error: the gateway reports no usable external address/m);
  for (const address of ["0.0.0.0", "127.0.0.1", "169.254.10.20", "not-an-ip-addr"]) {
    gateway.setExternalAddress(address);
    const unusable = await portholeJson(["ip", ...via(gateway)]);
    assert.equal(unusable.code, 3, address);
    assert.equal(unusable.json.error.code, "PORTHOLE_NO_GATEWAY", address);
    assert.ok(unusable.json.error.message.includes(`is not connected (external address ${address})`), unusable.json.error.message);
  }
  // A private address is usable (behind another NAT): printed, with the note on stderr.
  gateway.setExternalAddress("10.0.0.2");
  const nested = await porthole(["ip", ...via(gateway)]);
  assert.equal(nested.code, 0);
  assert.equal(nested.stdout, "10.0.0.2\n");
  assert.match(nested.stderr, /double NAT/);
});
