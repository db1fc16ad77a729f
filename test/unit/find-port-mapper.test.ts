import assert from "node:assert/strict";
import { test } from "node:test";
import { findPortMapper } from "../../src/discovery/find-port-mapper.js";
import { probePortMappers } from "../../src/discovery/probe-port-mappers.js";
import { InvalidArgumentError, NoGatewayError, TimeoutError } from "../../src/errors/errors.js";
import { systemHostNetwork, type HostNetwork } from "../../src/net/host-network.js";
import { decodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { startFakePmpGateway } from "./support/fake-pmp-gateway.js";
import { startUdpResponder, unusedUdpPort } from "./support/udp-responder.js";
import { searchOnly, virtualGateway } from "./support/virtual-gateway-fixture.js";

/** Where the datagram protocols go in these tests: a loopback port, with quick resends. */
function portControl(port: number) {
  const client = { gatewayPort: port, initialRetransmitMs: 20 };
  return { gatewayAddress: "127.0.0.1", natPmp: client, pcp: client };
}

/** A NAT-PMP-only server: PCP requests get the version-0 refusal of RFC 6887 §9. */
async function natPmpOnly(t: Parameters<typeof startUdpResponder>[0], answerPcp: "refuse" | "ignore") {
  return startUdpResponder(t, (bytes) => {
    if (bytes[0] !== 0) return answerPcp === "refuse" ? encodeNatPmpResponse({ kind: "error", opcode: bytes[1]! & 0x7f, resultCode: 1, epochSeconds: 5 }) : undefined;
    const request = decodeNatPmpRequest(bytes);
    return request.kind === "external-address" ? encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 5, externalAddress: "11.0.0.5" }) : undefined;
  });
}

test("auto: a gateway that speaks all three gives PCP, without waiting for the SSDP search to end", async (t) => {
  const pmp = await startFakePmpGateway(t);
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const mapper = await findPortMapper({ ...portControl(pmp.port), upnp: searchOnly(vg) });
  assert.equal(mapper.method, "pcp");
  assert.equal(mapper.gatewayAddress, "127.0.0.1");
});

test("auto: NAT-PMP when PCP is refused with a NAT-PMP version reply (RFC 6887 §9)", async (t) => {
  const server = await natPmpOnly(t, "refuse");
  const mapper = await findPortMapper({ ...portControl(server.port), protocol: "auto", upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }], listenMs: 300 } });
  assert.equal(mapper.method, "natpmp");
});

test("auto: NAT-PMP once the grace for a silent PCP is over", async (t) => {
  const server = await natPmpOnly(t, "ignore");
  const mapper = await findPortMapper({ ...portControl(server.port), preferenceGraceMs: 100, upnp: { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: await unusedUdpPort() }], listenMs: 5000 } });
  assert.equal(mapper.method, "natpmp");
});

test("auto: UPnP when nothing listens on the port-control port", async (t) => {
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const mapper = await findPortMapper({ ...portControl(await unusedUdpPort()), upnp: searchOnly(vg) });
  assert.equal(mapper.method, "upnp");
});

test("auto: a UPnP gateway that is not connected does not count, and the error names each protocol", async (t) => {
  const vg = await virtualGateway(t, { connectionStatus: "Disconnected" });
  await assert.rejects(findPortMapper({ ...portControl(await unusedUdpPort()), upnp: searchOnly(vg) }), (error: unknown) => {
    assert.ok(error instanceof NoGatewayError);
    assert.match(error.message, /PCP: .*; NAT-PMP: .*; UPnP: .*not connected/);
    assert.equal(error.nothingAnswered, false);
    return true;
  });
});

test("an explicit protocol asks only that one: nothing is sent to port 5351 for UPnP, no search for NAT-PMP", async (t) => {
  const pmp = await startFakePmpGateway(t);
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  assert.equal((await findPortMapper({ ...portControl(pmp.port), protocol: "upnp", upnp: searchOnly(vg) })).method, "upnp");
  assert.equal(pmp.received.length, 0);
  const searches = vg.ssdpSearches;
  assert.equal((await findPortMapper({ ...portControl(pmp.port), protocol: "natpmp", upnp: searchOnly(vg) })).method, "natpmp");
  assert.equal(vg.ssdpSearches, searches);
});

test("an explicit protocol that fails: NoGatewayError saying what that protocol answered, as auto's does", async () => {
  const closed = await unusedUdpPort();
  await assert.rejects(findPortMapper({ ...portControl(closed), protocol: "pcp" }), (error: unknown) => {
    assert.ok(error instanceof NoGatewayError, String(error));
    assert.match(error.message, /^no gateway maps ports here: PCP: .*nothing listens on 127\.0\.0\.1 port \d+ \(ICMP port unreachable\)$/);
    assert.equal(error.nothingAnswered, true);
    return true;
  });
});

test("the host is read once for every protocol: one route table and one interface list for NAT-PMP, PCP and the SSDP search", async (t) => {
  const pmp = await startFakePmpGateway(t);
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const reads = { interfaces: 0, routes: 0 };
  const hostNetwork: HostNetwork = {
    interfaces: () => (reads.interfaces++, systemHostNetwork.interfaces()),
    // The default route leads to 127.0.0.1 (0100007F, little-endian) on lo.
    ipv4RouteTable: () => (reads.routes++, "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nlo\t00000000\t0100007F\t0003\t0\t0\t0\t00000000\n"),
    ipv6AddressTable: () => undefined,
    ipv6RouteTable: () => undefined,
  };
  const { gatewayAddress: _, ...datagramClients } = portControl(pmp.port);
  // An address for the interface: NAT-PMP and PCP look up its name, the SSDP search its networks.
  const mapper = await findPortMapper({ ...datagramClients, hostNetwork, upnp: { ...searchOnly(vg), multicastInterface: "127.0.0.1" } });
  assert.equal(mapper.method, "pcp");
  assert.equal(mapper.gatewayAddress, "127.0.0.1");
  assert.deepEqual(reads, { interfaces: 1, routes: 1 });
});

test("the whole search runs within timeoutMs; bad options are refused before any traffic", async (t) => {
  const silent = await startUdpResponder(t);
  await assert.rejects(findPortMapper({ ...portControl(silent.port), protocol: "pcp", timeoutMs: 150 }), (e: unknown) => e instanceof TimeoutError && e.timeoutMs === 150);
  await assert.rejects(findPortMapper({ protocol: "natpmp", family: 6 }), InvalidArgumentError);
  await assert.rejects(findPortMapper({ protocol: "sctp" as "upnp" }), InvalidArgumentError);
  await assert.rejects(findPortMapper({ family: 5 as 4 }), InvalidArgumentError);
});

test("probePortMappers reports every protocol, usable or not, in order of preference", async (t) => {
  const server = await natPmpOnly(t, "refuse");
  const vg = await virtualGateway(t, { externalAddress: "11.0.0.1" });
  const probes = await probePortMappers({ ...portControl(server.port), upnp: searchOnly(vg) });
  assert.deepEqual(probes.map((p) => [p.protocol, p.usable]), [["pcp", false], ["natpmp", true], ["upnp", true]]);
  const pcp = probes[0]!;
  assert.ok(!pcp.usable && (pcp.error as { natPmpFallback?: boolean }).natPmpFallback === true);
});
