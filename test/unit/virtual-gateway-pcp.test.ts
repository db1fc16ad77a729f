// The virtual gateway's PCP server (RFC 6887), modelled on miniupnpd 2.3.1: porthole's own
// PcpPortMapper and PcpClient on loopback, and byte-level requests for what a client never sends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { derivedNonces, PcpClient, PcpError, PcpPortMapper, PortUnavailableError, randomNonce, resultNameOf, TimeoutError } from "../../src/index.js";
import { pcpOptionCodes, type PcpOption, type PcpRequest } from "../../src/pcp/pcp-messages.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { decodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { mapLifetimeOf, portControlSetUp, publicAddress, rawClient, startRelay, watchDeletes } from "./support/port-control-fixture.js";

const isPcpError = (name: string) => (error: unknown) => error instanceof PcpError && error.resultName === name;

/** A MAP from 127.0.0.1 as bytes, with its fields overridable. */
function mapRequest(fields: { clientAddress?: string; protocol?: number; internalPort?: number; externalPort?: number; externalAddress?: string; lifetimeSeconds?: number; options?: PcpOption[] } = {}): { bytes: Uint8Array; request: PcpRequest } {
  const request: PcpRequest = {
    kind: "map",
    lifetimeSeconds: fields.lifetimeSeconds ?? 300,
    clientAddress: fields.clientAddress ?? "127.0.0.1",
    map: { nonce: randomNonce(), protocol: fields.protocol ?? 17, internalPort: fields.internalPort ?? 7000, externalPort: fields.externalPort ?? 7000, externalAddress: fields.externalAddress ?? "0.0.0.0" },
    options: fields.options ?? [],
  };
  return { bytes: encodePcpRequest(request), request };
}

const option = (code: number, length = 0): PcpOption => ({ code, data: new Uint8Array(length) });

test("PCP map: lifetimes clamped to 120..86400 s (miniupnpd), the external address in the reply, the nonce kept in the table's description", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t);
  const mapper = pcp();
  const short = await mapper.map({ protocol: "UDP", internalPort: 7000, leaseSeconds: 10 });
  assert.deepEqual([short.method, short.externalAddress, short.externalPort, short.leaseSeconds], ["pcp", publicAddress, 7000, 120]);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7001, leaseSeconds: 100_000 })).leaseSeconds, 86400);
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7002, leaseSeconds: 0 })).leaseSeconds, 86400, "a lease of 0 asks the longest");
  assert.deepEqual(gateway.mappings.map((m) => m.leaseSeconds), [120, 86400, 86400]);
  assert.match(gateway.mappings[0]!.description, /^PCP MAP [0-9a-f]{24}$/);
});

test("PCP renew keeps the port and the nonce; release with the nonce deletes it", async (t) => {
  const { gateway, pcp, clock } = await portControlSetUp(t);
  const mapping = await pcp().map({ protocol: "TCP", internalPort: 7010, leaseSeconds: 600 });
  const description = gateway.mappings[0]!.description;
  clock.now += 300_000;
  const renewed = await mapping.renew();
  assert.equal(renewed.externalPort, 7010);
  assert.deepEqual(gateway.mappings.map((m) => [m.description, m.expiresAt]), [[description, clock.now + 600_000]]);
  await renewed.release();
  assert.deepEqual(gateway.mappings, []);
});

test("PCP delete with the wrong nonce is NOT_AUTHORIZED and the mapping stays; the right nonce from a later mapper (derivedNonces) removes it", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t);
  const mapping = await pcp({ nonceFor: derivedNonces("gateway test secret") }).map({ protocol: "UDP", internalPort: 7020 });
  await assert.rejects(pcp().unmap(mapping), (error: unknown) => isPcpError("NOT_AUTHORIZED")(error) && resultNameOf(error) === "NOT_AUTHORIZED");
  assert.equal(gateway.mappings.length, 1);
  await pcp({ nonceFor: derivedNonces("gateway test secret") }).unmap(mapping);
  assert.deepEqual(gateway.mappings, []);
});

test("miniupnpd quirk: a renewal with another nonce takes the mapping over, and the first nonce can no longer delete it", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t);
  const mapping = await pcp().map({ protocol: "TCP", internalPort: 7030 });
  const second = pcp();
  assert.equal((await second.map({ protocol: "TCP", internalPort: 7030 })).externalPort, mapping.externalPort);
  assert.equal(gateway.mappings.length, 1);
  await assert.rejects(mapping.release(), isPcpError("NOT_AUTHORIZED"));
  await second.unmap(mapping);
  assert.deepEqual(gateway.mappings, []);
});

test("miniupnpd quirk: a PCP delete of a mapping that is not there is NO_RESOURCES, with a lifetime of 30 s", async (t) => {
  const { pcp } = await portControlSetUp(t);
  const mapping = await pcp().map({ protocol: "UDP", internalPort: 7040 });
  await mapping.release();
  await assert.rejects(mapping.release(), (error: unknown) => isPcpError("NO_RESOURCES")(error) && (error as PcpError).lifetimeSeconds === 30);
});

test("PCP busy port: the next free one; PREFER_FAILURE is ignored for a busy port (the port granted anyway is released again, PortUnavailableError)", async (t) => {
  const { gateway, pcp } = await portControlSetUp(t);
  await pcp({ localAddress: "127.0.0.2" }).map({ protocol: "UDP", internalPort: 7050 });
  const mapper = pcp();
  assert.equal((await mapper.map({ protocol: "UDP", internalPort: 7050 })).externalPort, 7051);
  await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7055, externalPort: 7050, anyPort: false }), (error: unknown) => {
    assert.ok(error instanceof PortUnavailableError, String(error));
    assert.deepEqual([error.wantedPort, error.offeredPort], [7050, 7052]);
    return true;
  });
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7050, 7051], "nothing left behind");
});

test("PREFER_FAILURE is honoured for a port the rules refuse: CANNOT_PROVIDE_EXTERNAL (11); without it the walk goes on to 1024", async (t) => {
  const { pcp } = await portControlSetUp(t, { quirks: { rejectPortsBelow1024: true } });
  await assert.rejects(pcp().map({ protocol: "TCP", internalPort: 7060, externalPort: 80, anyPort: false }), isPcpError("CANNOT_PROVIDE_EXTERNAL"));
  assert.equal((await pcp().map({ protocol: "TCP", internalPort: 7061, externalPort: 80 })).externalPort, 1024);
});

test("a wrong suggested external address is ignored, unless PREFER_FAILURE is set (then 11)", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = new PcpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  const request = { protocol: "UDP", internalPort: 7070, suggestedExternalPort: 7070, suggestedExternalAddress: "1.2.3.4", lifetimeSeconds: 300 } as const;
  assert.equal((await client.map({ ...request, nonce: randomNonce() })).externalAddress, publicAddress);
  await assert.rejects(client.map({ ...request, internalPort: 7071, suggestedExternalPort: 7071, nonce: randomNonce(), preferFailure: true }), isPcpError("CANNOT_PROVIDE_EXTERNAL"));
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7070]);
  const right = { ...request, internalPort: 7071, suggestedExternalPort: 7071, suggestedExternalAddress: publicAddress };
  assert.equal((await client.map({ ...right, nonce: randomNonce(), preferFailure: true })).externalPort, 7071);
});

test("a client address that is not the sender's: ADDRESS_MISMATCH (12), the request's fields copied back, lifetime 0", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const { bytes, request } = mapRequest({ clientAddress: "192.0.2.99" });
  const response = decodePcpResponse(await client.ask(bytes));
  assert.equal(response.resultCode, 12);
  assert.equal(response.lifetimeSeconds, 0);
  assert.ok(response.kind === "map" && request.kind === "map");
  assert.deepEqual(response.map, request.map);
  assert.deepEqual(gateway.mappings, []);
});

test("version 3 gets UNSUPP_VERSION with version 2, the request's bytes after the header copied back (RFC 6887 §9)", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const bytes = Buffer.from(mapRequest().bytes);
  bytes[0] = 3;
  const reply = await client.ask(bytes);
  assert.equal(reply.length, bytes.length);
  assert.deepEqual([reply[0], reply[1], reply[3]], [2, 0x81, 1]);
  assert.deepEqual(reply.subarray(24), bytes.subarray(24));
});

test("protocol 0 with an internal port is MALFORMED_REQUEST (3), as miniupnpd; a protocol other than TCP or UDP is UNSUPP_PROTOCOL (9)", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  assert.equal(decodePcpResponse(await client.ask(mapRequest({ protocol: 0 }).bytes)).resultCode, 3);
  assert.equal(decodePcpResponse(await client.ask(mapRequest({ protocol: 0, internalPort: 0, externalPort: 0 }).bytes)).resultCode, 3);
  assert.equal(decodePcpResponse(await client.ask(mapRequest({ protocol: 132 }).bytes)).resultCode, 9);
  assert.deepEqual(gateway.mappings, []);
});

test("options as miniupnpd reads them: THIRD_PARTY and unknown mandatory options UNSUPP_OPTION (5), optional ones ignored, FILTER accepted, PREFER_FAILURE twice or with nothing suggested MALFORMED_OPTION (6)", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const resultOf = async (options: PcpOption[], fields = {}) => decodePcpResponse(await client.ask(mapRequest({ options, ...fields }).bytes)).resultCode;
  assert.equal(await resultOf([option(pcpOptionCodes.thirdParty, 16)]), 5);
  assert.equal(await resultOf([option(99, 4)]), 5);
  assert.equal(await resultOf([option(pcpOptionCodes.preferFailure), option(pcpOptionCodes.preferFailure)]), 6);
  assert.equal(await resultOf([option(pcpOptionCodes.preferFailure)], { externalPort: 0 }), 6);
  assert.equal(await resultOf([option(200, 8), option(pcpOptionCodes.filter, 20)], { internalPort: 7080, externalPort: 7080 }), 0);
  const options = decodePcpResponse(await client.ask(mapRequest({ options: [option(200, 8)], internalPort: 7080, externalPort: 7080 }).bytes));
  assert.ok(options.kind === "map");
  assert.deepEqual(options.options, [option(200, 8)], "options copied back");
  assert.deepEqual(gateway.mappings.map((m) => m.externalPort), [7080]);
});

test("ANNOUNCE answers with the epoch on the gateway's clock", async (t) => {
  const { gateway, clock } = await portControlSetUp(t);
  const client = new PcpClient("127.0.0.1", { gatewayPort: gateway.portControlAddress.port });
  clock.now += 5_000;
  assert.equal((await client.announce()).epochSeconds, 5);
});

test("PCP getExternalAddress maps a held port for a moment and deletes it at once (RFC 6887 §11.6): the table is empty after", async (t) => {
  const seen: number[] = [];
  const { gateway, pcp } = await portControlSetUp(t, { onActivity: (activity) => activity.type === "pcp" && seen.push(activity.mapping?.lifetimeSeconds ?? -1) });
  assert.equal(await pcp().getExternalAddress(), publicAddress);
  assert.deepEqual(seen, [60, 0], "a MAP, then its delete");
  assert.deepEqual(gateway.mappings, []);
});

test("PCP getExternalAddress when the delete goes unanswered: the address comes well within the budget, the delete was sent", async (t) => {
  const { gateway, mapperOptions } = await portControlSetUp(t);
  const isDelete = (bytes: Buffer): boolean => mapLifetimeOf(bytes) === 0;
  // Between the mapper and the gateway: the MAP goes through, the delete is dropped.
  const relay = await startRelay(t, gateway, (bytes) => (isDelete(bytes) ? "drop-request" : "pass"));
  const mapper = new PcpPortMapper("127.0.0.1", { ...mapperOptions, gatewayPort: relay.port });
  const budgetMs = 3000;
  const started = performance.now();
  assert.equal(await mapper.getExternalAddress({ timeoutMs: budgetMs }), publicAddress);
  const tookMs = performance.now() - started;
  assert.ok(tookMs < budgetMs / 2, `took ${Math.round(tookMs)} ms of a ${budgetMs} ms budget`);
  assert.ok(relay.received.some(({ bytes }) => isDelete(bytes)), "the delete was sent");
  assert.equal(gateway.mappings.length, 1, "left to expire with its short lifetime");
});

test("PCP getExternalAddress whose throw-away MAP goes unanswered: it times out, and the mapping the gateway made is deleted again", async (t) => {
  const deletes = watchDeletes();
  const { gateway, mapperOptions } = await portControlSetUp(t, deletes.options);
  // The gateway makes the mapping; its answer, and the answer to the delete, are lost on the way back.
  const relay = await startRelay(t, gateway, (bytes) => (mapLifetimeOf(bytes) === undefined ? "pass" : "drop-answer"));
  const mapper = new PcpPortMapper("127.0.0.1", { ...mapperOptions, gatewayPort: relay.port });
  await assert.rejects(mapper.getExternalAddress({ timeoutMs: 300 }), TimeoutError);
  await deletes.carriedOut(1);
  assert.deepEqual(gateway.mappings, []);
});
