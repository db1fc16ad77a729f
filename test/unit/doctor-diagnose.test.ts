// The diagnosis against the virtual gateway on loopback: what it finds for a healthy router, for
// each protocol on its own, and for the routers that fail in the known ways. Every request goes to
// 127.0.0.1; the machine's own setup is a fake host, so the findings do not depend on this machine.
import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { test, type TestContext } from "node:test";
import { diagnose, type DiagnoseOptions } from "../../src/doctor/diagnose.js";
import type { HostEnvironment } from "../../src/doctor/host-environment.js";
import type { VirtualGateway, VirtualGatewayOptions } from "../../src/index.js";
import { mapLifetimeOf, startRelay, watchDeletes } from "./support/port-control-fixture.js";
import { unusedUdpPort } from "./support/udp-responder.js";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";

const lo: NetworkInterfaceInfo = { address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: false, cidr: "127.0.0.1/8" };
/** A plain LAN host whose default route leads to 127.0.0.1, where the virtual gateway runs. */
const fakeHost: HostEnvironment = {
  network: {
    interfaces: () => ({ lo: [lo] }),
    ipv4RouteTable: () => "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nlo\t00000000\t0100007F\t0003\t0\t0\t100\t00000000\t0\t0\t0",
    ipv6AddressTable: () => undefined,
    ipv6RouteTable: () => undefined,
  },
  readFile: () => undefined,
  fileExists: () => false,
  kernelRelease: () => "6.1.0",
  env: {},
};

async function diagnoseWith(t: TestContext, gatewayOptions: VirtualGatewayOptions, extra: DiagnoseOptions = {}): Promise<{ gateway: VirtualGateway; diagnosis: Awaited<ReturnType<typeof diagnose>> }> {
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44", ...gatewayOptions });
  const upnpOn = gateway.protocols.upnp;
  const portControlOn = gateway.protocols.natPmp || gateway.protocols.pcp;
  const diagnosis = await diagnose({
    environment: fakeHost,
    gatewayAddress: "127.0.0.1",
    ssdpPort: upnpOn ? gateway.ssdpAddress.port : await unusedUdpPort(),
    portControlPort: portControlOn ? gateway.portControlAddress.port : await unusedUdpPort(),
    upnp: { multicast: false, unicastTargets: upnpOn ? [gateway.ssdpAddress] : [{ address: "127.0.0.1", port: await unusedUdpPort() }] },
    // The external address is made up: nothing may be sent to it from this machine.
    checkHairpin: false,
    ...extra,
  });
  return { gateway, diagnosis };
}

const ids = (diagnosis: { findings: ReadonlyArray<{ id: string }> }): string[] => diagnosis.findings.map((finding) => finding.id);

test("a router that speaks everything: ports can be opened via PCP, the test mapping is made and removed, nothing to fix", async (t) => {
  const { gateway, diagnosis } = await diagnoseWith(t, {});
  assert.equal(diagnosis.summary, "ports can be opened via PCP");
  assert.equal(diagnosis.canOpenPorts, true);
  assert.equal(diagnosis.method, "pcp");
  assert.deepEqual(diagnosis.facts.protocols, { upnp: "answers", pcp: "answers", natpmp: "answers" });
  assert.equal(diagnosis.facts.externalAddress, "11.22.33.44");
  assert.equal(diagnosis.facts.testMapping.state, "mapped");
  assert.ok(diagnosis.facts.testMapping.internalPort! >= 1024);
  assert.deepEqual(diagnosis.findings, []);
  assert.deepEqual(gateway.mappings, [], "the test mapping is removed");
});

test("UPnP only: ports via UPnP; NAT-PMP/PCP refused is noted, not a problem", async (t) => {
  const { gateway, diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false });
  assert.equal(diagnosis.summary, "ports can be opened via UPnP");
  assert.deepEqual(ids(diagnosis), ["pmp-pcp-refused"]);
  assert.equal(diagnosis.facts.protocols.pcp, "refused");
  assert.deepEqual(gateway.mappings, []);
});

test("UPnP off: ports via PCP, and UPnP refused is said with how to turn it on", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { upnp: false });
  assert.equal(diagnosis.summary, "ports can be opened via PCP");
  assert.deepEqual(ids(diagnosis), ["upnp-refused"]);
  assert.match(diagnosis.findings[0]!.fix!, /Enable UPnP/);
});

test("NAT-PMP only: NAT-PMP is used when PCP is refused with NAT-PMP's version answer", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { upnp: false, profiles: ["pmp-without-pcp"] });
  assert.equal(diagnosis.summary, "ports can be opened via NAT-PMP");
  assert.equal(diagnosis.facts.protocols.pcp, "answers");
});

test("nothing answers at all: no gateway, with both silences said", async () => {
  const diagnosis = await diagnose({
    environment: fakeHost,
    gatewayAddress: "127.0.0.1",
    ssdpPort: await unusedUdpPort(),
    portControlPort: await unusedUdpPort(),
    upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }] },
    checkHairpin: false,
  });
  assert.equal(diagnosis.gatewayFound, false);
  assert.equal(diagnosis.canOpenPorts, false);
  assert.equal(diagnosis.summary, "no gateway found: UPnP is off and nothing answers NAT-PMP/PCP");
  assert.deepEqual(ids(diagnosis), ["upnp-refused", "pmp-pcp-refused"]);
});

test("a machine whose only default route is its own PPP link: the summary says there is no router to ask, not that there is no route", async () => {
  const pppRoute = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0";
  const diagnosis = await diagnose({
    environment: { ...fakeHost, network: { ...fakeHost.network, ipv4RouteTable: () => pppRoute } },
    upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }] },
    checkHairpin: false,
  });
  assert.deepEqual(diagnosis.facts.defaultRoute, { interfaceName: "ppp0", gateway: undefined });
  assert.equal(diagnosis.facts.gatewayAddress, undefined);
  // The machine's own findings come first (this machine's multicast route may add one after them).
  assert.deepEqual([diagnosis.findings[0]?.id, diagnosis.findings[0]?.severity], ["direct-internet-link", "problem"]);
  assert.ok(!ids(diagnosis).includes("no-default-route"));
  assert.match(diagnosis.summary, /^no gateway found: this machine is itself the end of its internet link \(ppp0\)/);
});

test("a router that drops mappings: accepted and then missing", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false, profiles: ["drops-mappings"] });
  assert.equal(diagnosis.canOpenPorts, false);
  assert.ok(ids(diagnosis).includes("test-mapping-dropped"), ids(diagnosis).join());
  assert.match(diagnosis.summary, /^ports cannot be opened via UPnP: the router accepted a test mapping/);
});

test("a disconnected gateway: found, not connected, cannot map", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false, connectionStatus: "Disconnected" });
  assert.equal(diagnosis.gatewayFound, true);
  assert.equal(diagnosis.canOpenPorts, false);
  assert.ok(ids(diagnosis).includes("gateway-not-connected"));
  assert.match(diagnosis.summary, /^ports cannot be opened: the UPnP gateway is not connected/);
});

test("carrier-grade NAT: the mapping works on the router but is not reachable, and the summary says why", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false, externalAddress: "100.64.3.4" });
  assert.equal(diagnosis.facts.testMapping.state, "mapped");
  assert.equal(diagnosis.canOpenPorts, false);
  assert.deepEqual(ids(diagnosis), ["pmp-pcp-refused", "external-address-cgnat"]);
  assert.match(diagnosis.summary, /carrier-grade NAT, external address 100\.64\.3\.4/);
});

test("a private WAN address (double NAT): every protocol refuses with its code, each explained", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { profiles: ["private-wan"], externalAddress: "10.0.0.2" });
  assert.equal(diagnosis.canOpenPorts, false);
  assert.ok(ids(diagnosis).includes("test-mapping-refused"), ids(diagnosis).join());
  const refused = diagnosis.findings.find((finding) => finding.id === "test-mapping-refused")!;
  assert.match(refused.fix!, /behind another NAT/);
});

test("a router that fails GetStatusInfo still maps: no problem reported", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false, profiles: ["status-fails"] });
  assert.equal(diagnosis.summary, "ports can be opened via UPnP");
});

test("the whole diagnosis stays within its budget against a gateway that never answers control requests", async (t) => {
  const { diagnosis } = await diagnoseWith(t, { natPmp: false, pcp: false, quirks: { responseDelayMs: 60_000 } }, { timeoutMs: 1500 });
  assert.equal(diagnosis.canOpenPorts, false);
});

test("a slow router: the steps after the searches get only what is left of the budget, and the test mapping is still removed", async (t) => {
  // Every reply comes a second late: PCP answers the search at about 1 s and grants the test
  // mapping at about 2 s, so the budget ends half-way through the read-back, whose answer would
  // come at 3 s. The removal then has only its short grace; the router still acts on it at once.
  const timeoutMs = 2500;
  const gateway = await virtualGateway(t, { externalAddress: "11.22.33.44", upnp: false, profiles: ["slow"] });
  const started = performance.now();
  const diagnosis = await diagnose({
    environment: fakeHost,
    gatewayAddress: "127.0.0.1",
    ssdpPort: await unusedUdpPort(),
    portControlPort: gateway.portControlAddress.port,
    // A short listen: the searches end when PCP has answered, not later.
    upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }], listenMs: 100 },
    checkHairpin: false,
    timeoutMs,
  });
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < timeoutMs + 500, `diagnose() took ${Math.round(elapsedMs)} ms of a ${timeoutMs} ms budget`);
  assert.deepEqual(gateway.mappings, [], "the test mapping is removed");
  // PCP cannot read a mapping back: a read-back cut short is as unknown as one answered.
  assert.equal(diagnosis.summary, "ports can be opened via PCP");
  assert.equal(diagnosis.facts.externalAddress, "11.22.33.44");
  assert.equal(diagnosis.facts.testMapping.state, "mapped");
  // The removal ran out of time before the router confirmed it: said, not passed over.
  assert.equal(diagnosis.facts.testMapping.removed, false);
  assert.deepEqual(ids(diagnosis), ["upnp-refused", "test-mapping-not-removed"]);
});

test("a test mapping whose answer never comes: it times out, and the address left unasked is unknown, not missing", async (t) => {
  // The gateway acts on every MAP but its answers are lost on the way back, so the test mapping
  // takes the whole budget and none is left to ask the address: the router is not to blame.
  const deletes = watchDeletes({ externalAddress: "11.22.33.44", upnp: false });
  const gateway = await virtualGateway(t, deletes.options);
  const relay = await startRelay(t, gateway, (bytes) => (mapLifetimeOf(bytes) === undefined ? "pass" : "drop-answer"));
  const diagnosis = await diagnose({
    environment: fakeHost,
    gatewayAddress: "127.0.0.1",
    ssdpPort: await unusedUdpPort(),
    portControlPort: relay.port,
    upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }], listenMs: 100 },
    checkHairpin: false,
    timeoutMs: 1500,
  });
  assert.equal(diagnosis.method, "pcp");
  assert.equal(diagnosis.facts.testMapping.state, "failed");
  assert.equal(diagnosis.facts.externalAddress, undefined);
  assert.deepEqual(ids(diagnosis), ["upnp-refused", "test-mapping-failed", "external-address-unknown"]);
  assert.equal(diagnosis.findings.find((finding) => finding.id === "external-address-unknown")!.severity, "info");
  await deletes.carriedOut(1);
  assert.deepEqual(gateway.mappings, [], "the MAP that timed out is deleted again");
});
