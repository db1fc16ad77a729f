// PcpPortMapper: the one mapping interface over PCP, against a small PCP gateway on loopback:
// nonces kept and recoverable, the lifetime granted, PREFER_FAILURE, the external address alone.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { derivedNonces, InvalidArgumentError, PcpError, PcpPortMapper, PortUnavailableError, TimeoutError, type GatewayEvent, type PcpPortMapperOptions } from "../../src/index.js";
import { decodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { encodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { type PcpRequest } from "../../src/pcp/pcp-messages.js";
import { EventQueue } from "./support/event-queue.js";
import { fakeGatewaySetUp, type FakePmpGatewayOptions } from "./support/fake-pmp-gateway.js";
import { startUdpResponder } from "./support/udp-responder.js";

async function setUp(t: TestContext, gatewayOptions: FakePmpGatewayOptions = {}, mapperOptions: PcpPortMapperOptions = {}) {
  const setUp = await fakeGatewaySetUp(t, gatewayOptions);
  return { ...setUp, mapper: new PcpPortMapper("127.0.0.1", { ...setUp.options, ...mapperOptions }) };
}

const mapRequests = (gateway: { received: Array<{ bytes: Buffer }> }) =>
  gateway.received.map((r) => decodePcpRequest(r.bytes)).filter((r): r is Extract<PcpRequest, { kind: "map" }> => r.kind === "map");

test("map: one MAP whose reply gives the external address and the lifetime granted (clamped as miniupnpd does)", async (t) => {
  const { gateway, mapper, clock } = await setUp(t, { pcpLifetimeRange: [120, 86400] });
  const mapping = await mapper.map({ protocol: "tcp", internalPort: 8080, leaseSeconds: 10 });
  assert.equal(mapping.method, "pcp");
  assert.equal(mapping.protocol, "TCP");
  assert.equal(mapping.externalAddress, "203.0.113.7");
  assert.equal(mapping.externalPort, 8080);
  assert.equal(mapping.internalClient, "127.0.0.1");
  assert.equal(mapping.leaseSeconds, 120, "granted, not asked");
  assert.equal(mapping.goodUntil, clock.now + 120_000);
  const [sent] = mapRequests(gateway);
  assert.equal(gateway.received.length, 1);
  assert.equal(sent!.lifetimeSeconds, 10);
  assert.equal(sent!.clientAddress, "127.0.0.1");
  assert.deepEqual({ ...sent!.map, nonce: undefined }, { nonce: undefined, protocol: 6, internalPort: 8080, externalPort: 8080, externalAddress: "0.0.0.0" });
  assert.deepEqual(sent!.options, []);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 9000, leaseSeconds: 0 })).leaseSeconds, 86400, "a lease of 0 asks the longest, the gateway clamps");
});

test("each mapping has its own random nonce, kept for its renewal and its release", async (t) => {
  const { gateway, mapper } = await setUp(t);
  const a = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  await mapper.map({ protocol: "UDP", internalPort: 7001 });
  const renewed = await a.renew();
  await renewed.release();
  const nonces = mapRequests(gateway).map((r) => Buffer.from(r.map.nonce).toString("hex"));
  assert.equal(nonces.length, 4);
  assert.notEqual(nonces[0], nonces[1]);
  assert.equal(nonces[2], nonces[0], "renewal");
  assert.equal(nonces[3], nonces[0], "release");
  assert.equal(mapRequests(gateway)[3]!.lifetimeSeconds, 0);
  assert.deepEqual(gateway.table.map((m) => m.internalPort), [7001]);
});

test("with random nonces, another mapper cannot remove the mapping: the gateway says NOT_AUTHORIZED", async (t) => {
  const { gateway, mapper, options } = await setUp(t);
  await mapper.map({ protocol: "UDP", internalPort: 7000 });
  const later = new PcpPortMapper("127.0.0.1", options);
  await assert.rejects(later.unmap({ protocol: "UDP", internalPort: 7000, externalPort: 7000 }), (error: unknown) => error instanceof PcpError && error.resultName === "NOT_AUTHORIZED");
  assert.equal(gateway.table.length, 1);
});

test("a MAP whose reply was lost keeps its nonce: the delete after the time-out, the retry and the release carry it on a gateway that checks nonces", async (t) => {
  let lose = true;
  const { gateway, mapper } = await setUp(t, { strictNonces: true, loseReplies: () => lose });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000 }, { timeoutMs: 100 }), TimeoutError);
  assert.equal(mapRequests(gateway).at(-1)!.lifetimeSeconds, 0, "a delete followed");
  assert.equal(gateway.table.length, 0, "made, though the reply was lost, and deleted again with the nonce it was made with");
  lose = false;
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  await mapping.release();
  assert.equal(new Set(mapRequests(gateway).map((r) => Buffer.from(r.map.nonce).toString("hex"))).size, 1);
  assert.equal(gateway.table.length, 0);
});

test("with derived nonces (nonceFor), a later mapper holding the same secret removes the mapping", async (t) => {
  const { gateway, mapper, options } = await setUp(t, {}, { nonceFor: derivedNonces("local secret") });
  await mapper.map({ protocol: "UDP", internalPort: 7000 });
  const stranger = new PcpPortMapper("127.0.0.1", { ...options, nonceFor: derivedNonces("another secret") });
  await assert.rejects(stranger.unmap({ protocol: "UDP", internalPort: 7000, externalPort: 7000 }), PcpError);
  const later = new PcpPortMapper("127.0.0.1", { ...options, nonceFor: derivedNonces("local secret") });
  await later.unmap({ protocol: "udp", internalPort: 7000, externalPort: 7000 });
  assert.deepEqual(gateway.table, []);
});

test("derivedNonces: 12 bytes, the same for the same secret and mapping, different for any other", () => {
  const identity = { internalAddress: "192.0.2.2", internalPort: 7000, protocol: "UDP" } as const;
  const nonce = derivedNonces("s")(identity);
  assert.equal(nonce.length, 12);
  assert.deepEqual(derivedNonces("s")(identity), nonce);
  assert.deepEqual(derivedNonces(new TextEncoder().encode("s"))(identity), nonce);
  const others = [
    derivedNonces("t")(identity),
    derivedNonces("s")({ ...identity, internalAddress: "192.0.2.3" }),
    derivedNonces("s")({ ...identity, internalPort: 7001 }),
    derivedNonces("s")({ ...identity, protocol: "TCP" }),
  ];
  for (const other of others) assert.notDeepEqual(other, nonce);
  assert.throws(() => derivedNonces(""), InvalidArgumentError);
});

test("anyPort false sends PREFER_FAILURE; a gateway honouring it refuses with CANNOT_PROVIDE_EXTERNAL (11)", async (t) => {
  const { gateway, mapper } = await setUp(t, { busyPorts: [7000], honourPreferFailure: true });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000, anyPort: false }), (error: unknown) => error instanceof PcpError && error.resultCode === 11);
  assert.deepEqual(mapRequests(gateway)[0]!.options, [{ code: 2, data: new Uint8Array(0) }]);
  assert.deepEqual(gateway.table, []);
});

test("anyPort false on a gateway that ignores PREFER_FAILURE for a busy port (miniupnpd): the other port is released, PortUnavailableError", async (t) => {
  const { gateway, mapper } = await setUp(t, { busyPorts: [7000] });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000, anyPort: false }), (error: unknown) => error instanceof PortUnavailableError && error.offeredPort === 7001 && error.protocol === "pcp");
  assert.deepEqual(gateway.table, []);
  const [create, release] = mapRequests(gateway);
  assert.deepEqual(release!.map.nonce, create!.map.nonce);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7000 })).externalPort, 7001, "anyPort by default");
});

test("getExternalAddress maps a port of a socket it holds for a moment (RFC 6887 §11.6) and deletes it at once", async (t) => {
  const { gateway, mapper } = await setUp(t);
  assert.equal(await mapper.getExternalAddress(), "203.0.113.7");
  const [probe, removal] = mapRequests(gateway);
  assert.equal(probe!.lifetimeSeconds, 60);
  assert.equal(probe!.map.protocol, 17);
  assert.ok(probe!.map.internalPort >= 1024);
  assert.equal(removal!.lifetimeSeconds, 0);
  assert.deepEqual(removal!.map.nonce, probe!.map.nonce);
  assert.deepEqual(gateway.table, []);
});

test("getExternalAddress when the gateway refuses (NO_RESOURCES, as behind another NAT): the PcpError says why", async (t) => {
  const { mapper } = await setUp(t, { refuseWith: 8 });
  await assert.rejects(mapper.getExternalAddress(), (error: unknown) => error instanceof PcpError && error.resultName === "NO_RESOURCES" && error.lifetimeSeconds === 30);
});

test("check: ANNOUNCE for the epoch, state unknown (a MAP would renew), a restart reported once per mapping", async (t) => {
  const { gateway, mapper, clock } = await setUp(t);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  clock.now += 20_000;
  gateway.epochSeconds += 20;
  const before = gateway.received.length;
  assert.deepEqual(await mapper.check(mapping), { state: "unknown", gatewayRestarted: false, externalAddress: undefined });
  assert.equal(decodePcpRequest(gateway.received[before]!.bytes).kind, "announce");
  assert.equal(gateway.received.length, before + 1, "one ANNOUNCE, no MAP");
  gateway.epochSeconds = 0;
  assert.equal((await mapper.check(mapping)).gatewayRestarted, true);
  assert.equal((await mapper.check(mapping)).gatewayRestarted, false);
});

test("a gateway that speaks NAT-PMP only: every call rejects with PcpError natPmpFallback (RFC 6887 §9)", async (t) => {
  const pmpOnly = await startUdpResponder(t, (bytes) => encodeNatPmpResponse({ kind: "error", opcode: bytes[1]! & 0x7f, resultCode: 1, epochSeconds: 3 }));
  const mapper = new PcpPortMapper("127.0.0.1", { gatewayPort: pmpOnly.port });
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7000 }), (error: unknown) => error instanceof PcpError && error.natPmpFallback && error.serverVersion === 0);
  await assert.rejects(mapper.getExternalAddress(), (error: unknown) => error instanceof PcpError && error.natPmpFallback);
  assert.equal((await mapper.check({ method: "pcp" } as never)).state, "unknown");
});

test("watch: a PCP ANNOUNCE with a lower epoch is a restart; a NAT-PMP address announcement of a new address is one too", async (t) => {
  const { gateway, mapper, clock, announcementPort } = await setUp(t);
  const mapping = await mapper.map({ protocol: "UDP", internalPort: 7000 });
  const events = new EventQueue<GatewayEvent>();
  const controller = new AbortController();
  t.after(() => controller.abort());
  await mapper.watch(events.push, { signal: controller.signal });
  const to = { address: "127.0.0.1", port: announcementPort };
  const announce = (epochSeconds: number) => encodePcpResponse({ kind: "announce", version: 2, resultCode: 0, lifetimeSeconds: 0, epochSeconds, options: [] });
  clock.now += 5_000;
  await gateway.announce(announce(105), to);
  await gateway.announce(encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 105, externalAddress: "203.0.113.7" }), to);
  await gateway.announce(encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 105, externalAddress: "198.51.100.20" }), to);
  assert.deepEqual(await events.next(), { type: "external-address", address: "198.51.100.20" });
  await gateway.announce(announce(1), to);
  assert.deepEqual(await events.next(), { type: "restarted", reason: "PCP ANNOUNCE with epoch 1 s, lower than expected: the gateway lost its mappings" });
  assert.equal((await mapper.check(mapping)).gatewayRestarted, true, "check tells the mapping what watch heard");
});

test("an IPv6 gateway: MAP asks for any IPv6 address (a pinhole), from our IPv6 address", async (t) => {
  const gateway6 = await startUdpResponder6(t);
  const mapper = new PcpPortMapper("::1", { gatewayPort: gateway6.port, initialRetransmitMs: 20 });
  const mapping = await mapper.map({ protocol: "TCP", internalPort: 443 });
  assert.equal(mapping.externalAddress, "2001:db8:1::2");
  assert.equal(mapping.internalClient, "::1");
  assert.deepEqual(gateway6.requests[0]!.map.externalAddress, "::");
  assert.equal(gateway6.requests[0]!.clientAddress, "::1");
});

/** A PCP server on ::1 that answers every MAP as a pinhole of 2001:db8:1::2 (loopback is no external address). */
async function startUdpResponder6(t: TestContext) {
  const { default: dgram } = await import("node:dgram");
  const socket = dgram.createSocket("udp6");
  const requests: Array<Extract<PcpRequest, { kind: "map" }>> = [];
  socket.on("message", (bytes, from) => {
    const request = decodePcpRequest(bytes);
    if (request.kind !== "map") return;
    requests.push(request);
    const reply = encodePcpResponse({ kind: "map", version: 2, resultCode: 0, lifetimeSeconds: 3600, epochSeconds: 1, map: { ...request.map, externalAddress: "2001:db8:1::2" }, options: [] });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "::1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, requests };
}
