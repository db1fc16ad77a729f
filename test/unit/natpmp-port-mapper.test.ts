// NatPmpPortMapper: the one mapping interface over NAT-PMP, against a small NAT-PMP gateway on
// loopback; announcements are sent to a loopback port, never to a multicast group.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError, NatPmpError, NatPmpPortMapper, NoExternalAddressError, PortUnavailableError, TimeoutError, type GatewayEvent, type NatPmpPortMapperOptions } from "../../src/index.js";
import { decodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { encodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { EventQueue } from "./support/event-queue.js";
import { fakeGatewaySetUp, type FakePmpGatewayOptions } from "./support/fake-pmp-gateway.js";
import { openUdpSockets, startUdpResponder } from "./support/udp-responder.js";

async function setUp(t: TestContext, gatewayOptions: FakePmpGatewayOptions = {}, mapperOptions: NatPmpPortMapperOptions = {}) {
  const setUp = await fakeGatewaySetUp(t, gatewayOptions);
  return { ...setUp, mapper: new NatPmpPortMapper("127.0.0.1", { ...setUp.options, ...mapperOptions }) };
}

const sentRequests = (gateway: { received: Array<{ bytes: Buffer }> }) => gateway.received.map((r) => decodeNatPmpRequest(r.bytes));

test("map: a Mapping with what was granted, the external address asked beside it, and the lease times on the mapper's clock", async (t) => {
  const { gateway, mapper, clock } = await setUp(t);
  const mapping = await mapper.map({ protocol: "udp", internalPort: 7777, leaseSeconds: 600 });
  assert.equal(mapping.method, "natpmp");
  assert.equal(mapping.protocol, "UDP");
  assert.equal(mapping.externalAddress, "203.0.113.7");
  assert.equal(mapping.externalPort, 7777);
  assert.equal(mapping.internalClient, "127.0.0.1");
  assert.equal(mapping.internalPort, 7777);
  assert.equal(mapping.leaseSeconds, 600);
  assert.equal(mapping.grantedAt, clock.now);
  assert.equal(mapping.goodUntil, clock.now + 600_000);
  assert.equal(mapping.renewAfter, clock.now + 300_000);
  assert.deepEqual(
    sentRequests(gateway).sort((a, b) => a.kind.localeCompare(b.kind)),
    [{ kind: "external-address" }, { kind: "map", protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 600 }],
  );
  assert.deepEqual(gateway.table, [{ protocol: "UDP", internalPort: 7777, externalPort: 7777, lifetimeSeconds: 600 }]);
});

test("an address the gateway gave in this epoch less than a minute ago stands beside a new mapping: MAP alone; a new epoch or a minute makes it asked again", async (t) => {
  const { gateway, mapper, clock } = await setUp(t);
  await mapper.client.getExternalAddress();
  const kinds = () => sentRequests(gateway).map((request) => (request.kind === "map" ? `map ${request.internalPort}` : request.kind));
  const first = await mapper.map({ protocol: "UDP", internalPort: 7001 });
  assert.equal(first.externalAddress, "203.0.113.7");
  assert.deepEqual(kinds(), ["external-address", "map 7001"]);

  // A reboot with a new address: the MAP reply's epoch went back, so the address is asked after it.
  gateway.externalAddress = "198.51.100.9";
  gateway.epochSeconds = 0;
  const second = await mapper.map({ protocol: "UDP", internalPort: 7002 });
  assert.equal(second.externalAddress, "198.51.100.9");
  assert.deepEqual(kinds().slice(2), ["map 7002", "external-address"]);

  // Just under a minute later (the epoch moving on with the clock), still MAP alone...
  clock.now += 59_999;
  gateway.epochSeconds += 60;
  await mapper.map({ protocol: "UDP", internalPort: 7003 });
  assert.deepEqual(kinds().slice(4), ["map 7003"]);
  // ...and a minute after the address was given, both at once again.
  clock.now += 1;
  await mapper.map({ protocol: "UDP", internalPort: 7004 });
  assert.deepEqual(kinds().slice(5).sort(), ["external-address", "map 7004"]);
});

test("the suggested external port is never 0 (tailscale#13785): the internal port, or the one asked", async (t) => {
  const { gateway, mapper } = await setUp(t);
  await mapper.map({ protocol: "TCP", internalPort: 8080 });
  await mapper.map({ protocol: "TCP", internalPort: 8081, externalPort: 18081 });
  const suggested = sentRequests(gateway).flatMap((r) => (r.kind === "map" ? [r.suggestedExternalPort] : []));
  assert.deepEqual(suggested, [8080, 18081]);
});

test("default lease 3600 s; a lease of 0 asks for the longest lifetime, since NAT-PMP's 0 deletes (RFC 6886 §3.4)", async (t) => {
  const { gateway, mapper } = await setUp(t);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 1000 })).leaseSeconds, 3600);
  const permanent = await mapper.map({ protocol: "UDP", internalPort: 1001, leaseSeconds: 0 });
  assert.equal(permanent.leaseSeconds, 0xffffffff);
  assert.deepEqual(
    sentRequests(gateway).flatMap((r) => (r.kind === "map" ? [r.lifetimeSeconds] : [])),
    [3600, 0xffffffff],
  );
});

test("a busy port: another one is granted (anyPort default), or with anyPort false it is released again and PortUnavailableError says which", async (t) => {
  const { gateway, mapper } = await setUp(t, { busyPorts: [7777] });
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7777 })).externalPort, 7778);
  await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 7777, anyPort: false }), (error: unknown) => {
    assert.ok(error instanceof PortUnavailableError);
    assert.equal(error.code, "PORTHOLE_PORT_UNAVAILABLE");
    assert.equal(error.protocol, "natpmp");
    assert.equal(error.wantedPort, 7777);
    assert.equal(error.offeredPort, 7778);
    return true;
  });
  assert.deepEqual(gateway.table.map((m) => `${m.protocol} ${m.externalPort}`), ["UDP 7778"]);
});

test("renew asks for the same external port again and returns a fresh lease; release deletes it (lifetime 0, port 0)", async (t) => {
  const { gateway, mapper, clock } = await setUp(t, { busyPorts: [5000] });
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 5000, leaseSeconds: 120 });
  assert.equal(mapping.externalPort, 5001);
  clock.now += 60_000;
  const renewed = await mapping.renew();
  assert.equal(renewed.externalPort, 5001);
  assert.equal(renewed.grantedAt, mapping.grantedAt + 60_000);
  const renewal = sentRequests(gateway).filter((r) => r.kind === "map")[1];
  assert.deepEqual(renewal, { kind: "map", protocol: "UDP", internalPort: 5000, suggestedExternalPort: 5001, lifetimeSeconds: 120 });
  await renewed.release();
  assert.deepEqual(gateway.table, []);
  assert.deepEqual(sentRequests(gateway).at(-1), { kind: "map", protocol: "UDP", internalPort: 5000, suggestedExternalPort: 0, lifetimeSeconds: 0 });
});

test("unmap by key removes a mapping another mapper made", async (t) => {
  const { gateway, mapper } = await setUp(t);
  await mapper.map({ protocol: "TCP", internalPort: 6000 });
  const other = new NatPmpPortMapper("127.0.0.1", { gatewayPort: gateway.port });
  await other.unmap({ protocol: "tcp", internalPort: 6000, externalPort: 6000 });
  assert.deepEqual(gateway.table, []);
});

test("getExternalAddress: the address; 0.0.0.0 (no address yet) is NoExternalAddressError", async (t) => {
  const { gateway, mapper } = await setUp(t);
  assert.equal(await mapper.getExternalAddress(), "203.0.113.7");
  gateway.externalAddress = "0.0.0.0";
  await assert.rejects(mapper.getExternalAddress(), (error: unknown) => error instanceof NoExternalAddressError && error.reported === "0.0.0.0");
});

test("a refusal (result 3, as behind another NAT) is a NatPmpError from map, and the address request's failure does not hide it", async (t) => {
  const { mapper } = await setUp(t, { refuseWith: 3 });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 3);
});

test("the whole call's budget bounds map and its side request: TimeoutError, and both sockets closed", async (t) => {
  const silent = await startUdpResponder(t);
  const mapper = new NatPmpPortMapper("127.0.0.1", { gatewayPort: silent.port, initialRetransmitMs: 20 });
  const before = await openUdpSockets();
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000 }, { timeoutMs: 150 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 150);
  assert.equal(await openUdpSockets(), before);
});

test("a quick refusal of the mapping ends the call at once, though the address request gets no answer; nothing is left open", async (t) => {
  const gateway = await startUdpResponder(t, (bytes) => {
    const request = decodeNatPmpRequest(bytes);
    return request.kind === "map" ? encodeNatPmpResponse({ kind: "map", protocol: "UDP", resultCode: 2, epochSeconds: 1, internalPort: request.internalPort, externalPort: 0, lifetimeSeconds: 0 }) : undefined;
  });
  const mapper = new NatPmpPortMapper("127.0.0.1", { gatewayPort: gateway.port, initialRetransmitMs: 20 });
  const before = await openUdpSockets();
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000 }, { timeoutMs: 60_000 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 2);
  assert.equal(await openUdpSockets(), before);
});

test("check: state unknown (NAT-PMP cannot read a mapping back), the external address, and a restart once per mapping", async (t) => {
  const { gateway, mapper, clock } = await setUp(t);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  clock.now += 30_000;
  gateway.epochSeconds += 30;
  assert.deepEqual(await mapper.check(mapping), { state: "unknown", gatewayRestarted: false, externalAddress: "203.0.113.7" });
  // The gateway reboots: its epoch starts again near 0.
  clock.now += 30_000;
  gateway.epochSeconds = 2;
  assert.equal((await mapper.check(mapping)).gatewayRestarted, true);
  clock.now += 1_000;
  gateway.epochSeconds = 3;
  assert.equal((await mapper.check(mapping)).gatewayRestarted, false, "told once");
  const after = await mapper.map({ protocol: "UDP", internalPort: 7001 });
  assert.equal((await mapper.check(after)).gatewayRestarted, false, "granted after the restart");
});

test("check: a restart noticed by another call's reply is still reported for the mapping", async (t) => {
  const { gateway, mapper, clock } = await setUp(t);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  clock.now += 100_000;
  gateway.epochSeconds = 1;
  await mapper.getExternalAddress();
  assert.equal((await mapper.check(mapping)).gatewayRestarted, true);
});

test("check without an answer says unknown and no restart; an aborted signal rejects", async (t) => {
  const silent = await startUdpResponder(t);
  const mapper = new NatPmpPortMapper("127.0.0.1", { gatewayPort: silent.port, initialRetransmitMs: 20 });
  const { mapper: other } = await setUp(t);
  const mapping = await other.map({ protocol: "UDP", internalPort: 7000 });
  assert.deepEqual(await mapper.check(mapping, { timeoutMs: 100 }), { state: "unknown", gatewayRestarted: false, externalAddress: undefined });
  await assert.rejects(mapper.check(mapping, { signal: AbortSignal.abort(new Error("stop")) }), /stop/);
});

test("watch: a new address is announced once; a lower epoch is a restart; spoofed, malformed and PCP-success datagrams are no news", async (t) => {
  const { gateway, mapper, clock, announcementPort } = await setUp(t);
  await mapper.map({ protocol: "UDP", internalPort: 7000 });
  const events = new EventQueue<GatewayEvent>();
  const controller = new AbortController();
  t.after(() => controller.abort());
  await mapper.watch(events.push, { signal: controller.signal });
  const to = { address: "127.0.0.1", port: announcementPort };
  const announcement = (epochSeconds: number, externalAddress: string) => encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds, externalAddress });

  const spoofer = await startUdpResponder(t);
  await spoofer.send(announcement(0, "6.6.6.6"), to);
  await gateway.announce(Buffer.from("00800000"), to);
  await gateway.announce(announcement(100, "203.0.113.7"), to);
  await gateway.announce(announcement(100, "198.51.100.9"), to);
  assert.deepEqual(await events.next(), { type: "external-address", address: "198.51.100.9" });

  clock.now += 10_000;
  await gateway.announce(announcement(0, "198.51.100.10"), to);
  assert.deepEqual(await events.next(), { type: "restarted", reason: "NAT-PMP address announcement with epoch 0 s, lower than expected: the gateway lost its mappings" });
  assert.deepEqual(await events.next(), { type: "external-address", address: "198.51.100.10" });
  // miniupnpd says it restarted with a PCP ANNOUNCE alone: its epoch is the same clock.
  clock.now += 100_000;
  await gateway.announce(encodePcpResponse({ kind: "announce", version: 2, resultCode: 0, lifetimeSeconds: 0, epochSeconds: 1, options: [] }), to);
  assert.equal((await events.next()).type, "restarted");
  assert.deepEqual(events.pending, []);
});

test("watch: ends and closes its socket when the signal aborts; an aborted signal rejects at once", async (t) => {
  const { mapper } = await setUp(t);
  const before = await openUdpSockets();
  const controller = new AbortController();
  await mapper.watch(() => undefined, { signal: controller.signal });
  assert.equal(await openUdpSockets(), before + 1);
  controller.abort();
  assert.equal(await openUdpSockets(), before);
  await assert.rejects(mapper.watch(() => undefined, { signal: AbortSignal.abort(new Error("gone")) }), /gone/);
  await assert.rejects(mapper.watch(() => undefined, {} as { signal: AbortSignal }), InvalidArgumentError);
});

test("bad requests are InvalidArgumentErrors before any traffic, with the problem the Redot API reports", async (t) => {
  const { gateway, mapper } = await setUp(t);
  const cases: Array<[unknown, string]> = [
    [{ protocol: "icmp", internalPort: 1 }, "protocol"],
    [{ protocol: "UDP", internalPort: 0 }, "port"],
    [{ protocol: "UDP", internalPort: 65536 }, "port"],
    [{ protocol: "UDP", internalPort: 1, externalPort: 0 }, "port"],
    [{ protocol: "UDP", internalPort: 1, leaseSeconds: -1 }, "lease"],
    [{ protocol: "UDP", internalPort: 1, leaseSeconds: 2 ** 32 }, "lease"],
    [{ protocol: "UDP", internalPort: 1, anyPort: "yes" }, "value"],
  ];
  for (const [request, problem] of cases) {
    await assert.rejects(mapper.map(request as never), (error: unknown) => error instanceof InvalidArgumentError && error.problem === problem, JSON.stringify(request));
  }
  await assert.rejects(mapper.unmap({ protocol: "UDP", internalPort: 1, externalPort: 70000 }), InvalidArgumentError);
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 1 }, { timeoutMs: -5 }), InvalidArgumentError);
  assert.equal(gateway.received.length, 0);
  assert.throws(() => new NatPmpPortMapper("127.0.0.1", { announcementPort: 0 }), InvalidArgumentError);
});
