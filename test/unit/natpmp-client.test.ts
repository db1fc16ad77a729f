// The NAT-PMP client against small UDP servers on loopback: what it sends, what it accepts, how it
// resends, and how it treats hostile replies; nothing hangs past the budget, no socket is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidResponseError, NatPmpClient, NatPmpError, NoGatewayError, TimeoutError } from "../../src/index.js";
import { decodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { natPmpRetransmitDelays } from "../../src/natpmp/natpmp-client.js";
import { type NatPmpResponse } from "../../src/natpmp/natpmp-messages.js";
import { hexFixture } from "../fixtures/hex-fixtures.js";
import { openUdpSockets, startUdpResponder, unusedUdpPort, type Answer } from "./support/udp-responder.js";

const encode = (response: NatPmpResponse): Uint8Array => encodeNatPmpResponse(response);
const addressReply = (epochSeconds: number, externalAddress = "203.0.113.7"): Uint8Array => encode({ kind: "external-address", resultCode: 0, epochSeconds, externalAddress });
const mapReply = (fields: Partial<Extract<NatPmpResponse, { kind: "map" }>> = {}): Uint8Array =>
  encode({ kind: "map", protocol: "UDP", resultCode: 0, epochSeconds: 10, internalPort: 7777, externalPort: 7777, lifetimeSeconds: 7200, ...fields });

/**
 * A client of a responder on loopback. Its first resend comes after a second, so that the tests
 * that count datagrams see no resend on a busy machine; the tests of resends ask for 20 ms.
 */
async function clientOf(t: Parameters<typeof startUdpResponder>[0], answer: (bytes: Buffer, index: number) => Answer | Promise<Answer>, options: { now?: () => number; initialRetransmitMs?: number } = {}) {
  const gateway = await startUdpResponder(t, answer);
  return { gateway, client: new NatPmpClient("127.0.0.1", { gatewayPort: gateway.port, initialRetransmitMs: 1000, ...options }) };
}

test("RFC 6886 §3.1 schedule: 250 ms first, doubling, 9 sends in all", () => {
  assert.deepEqual([...natPmpRetransmitDelays()], [250, 500, 1000, 2000, 4000, 8000, 16000, 32000]);
});

test("external address: sends the 2-byte request and returns the address, the epoch and our address", async (t) => {
  const { gateway, client } = await clientOf(t, () => addressReply(42));
  const reply = await client.getExternalAddress();
  assert.deepEqual(reply, { externalAddress: "203.0.113.7", epochSeconds: 42, gatewayLostState: false, localAddress: "127.0.0.1" });
  assert.deepEqual(gateway.received.map((r) => r.bytes), [hexFixture("natpmp", "external-address-request")]);
});

test("map UDP and TCP: the request is RFC 6886 §3.3's, and the reply's fields come back", async (t) => {
  const { gateway, client } = await clientOf(t, (bytes) => {
    const request = decodeNatPmpRequest(bytes);
    assert.equal(request.kind, "map");
    return request.kind === "map" ? mapReply({ protocol: request.protocol, internalPort: request.internalPort, externalPort: request.suggestedExternalPort + 1, lifetimeSeconds: 3600 }) : undefined;
  });
  const udp = await client.map({ protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 7200 });
  assert.deepEqual(udp, { protocol: "UDP", internalPort: 7777, externalPort: 7778, lifetimeSeconds: 3600, epochSeconds: 10, gatewayLostState: false, localAddress: "127.0.0.1" });
  const tcp = await client.map({ protocol: "TCP", internalPort: 8080, suggestedExternalPort: 18080, lifetimeSeconds: 3600 });
  assert.equal(tcp.protocol, "TCP");
  assert.equal(tcp.externalPort, 18081);
  assert.deepEqual(gateway.received[0]!.bytes, hexFixture("natpmp", "map-udp-request"));
  assert.deepEqual(gateway.received[1]!.bytes, hexFixture("natpmp", "map-tcp-request"));
});

test("delete (lifetime 0): sent as RFC 6886 §3.4 says, answered with port and lifetime 0", async (t) => {
  const { gateway, client } = await clientOf(t, () => hexFixture("natpmp", "delete-response"));
  const reply = await client.map({ protocol: "UDP", internalPort: 7777, suggestedExternalPort: 0, lifetimeSeconds: 0 });
  assert.equal(reply.externalPort, 0);
  assert.equal(reply.lifetimeSeconds, 0);
  assert.deepEqual(gateway.received[0]!.bytes, hexFixture("natpmp", "delete-request"));
});

test("no answer to the first two sends: the request is sent again, and the third answer is taken", async (t) => {
  const { gateway, client } = await clientOf(t, (_bytes, index) => (index < 2 ? undefined : addressReply(1)), { initialRetransmitMs: 20 });
  assert.equal((await client.getExternalAddress()).externalAddress, "203.0.113.7");
  assert.equal(gateway.received.length, 3);
  assert.ok(gateway.received.every((r) => r.bytes.equals(gateway.received[0]!.bytes)));
});

test("onSent is told of each send, resends included: one that throws does not break the call, one that is no function is refused before anything is sent", async (t) => {
  const { gateway, client } = await clientOf(t, (_bytes, index) => (index < 2 ? undefined : mapReply()), { initialRetransmitMs: 20 });
  const request = { protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 7200 } as const;
  let sends = 0;
  const onSent = (): void => {
    sends++;
    throw new Error("a careless listener");
  };
  assert.equal((await client.map(request, { onSent })).externalPort, 7777);
  assert.deepEqual([sends, gateway.received.length], [3, 3]);
  await assert.rejects(client.map(request, { onSent: "yes" as unknown as () => void }), InvalidArgumentError);
  assert.equal(gateway.received.length, 3);
});

test("no answer at all: TimeoutError at the budget, and no socket is left open", async (t) => {
  const { gateway, client } = await clientOf(t, () => undefined, { initialRetransmitMs: 20 });
  const before = await openUdpSockets();
  await assert.rejects(client.getExternalAddress({ timeoutMs: 200 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 200);
  assert.ok(gateway.received.length >= 2, `${gateway.received.length} sends`);
  assert.equal(await openUdpSockets(), before);
});

test("the caller's signal ends the call at once with its reason, and closes the socket", async (t) => {
  const { client } = await clientOf(t, () => undefined);
  const before = await openUdpSockets();
  const controller = new AbortController();
  const call = client.getExternalAddress({ signal: controller.signal, timeoutMs: 60_000 });
  setTimeout(() => controller.abort(new Error("stop")), 30);
  await assert.rejects(call, /stop/);
  assert.equal(await openUdpSockets(), before);
  await assert.rejects(client.getExternalAddress({ signal: AbortSignal.abort(new Error("already")) }), /already/);
});

test("nothing listens on the port (ICMP port unreachable): NoGatewayError at once, not a wait for the budget", async () => {
  const client = new NatPmpClient("127.0.0.1", { gatewayPort: await unusedUdpPort() });
  const started = Date.now();
  await assert.rejects(client.getExternalAddress({ timeoutMs: 30_000 }), (error: unknown) => error instanceof NoGatewayError && error.nothingAnswered);
  assert.ok(Date.now() - started < 10_000);
});

for (const resultCode of [1, 2, 3, 4, 5, 6]) {
  test(`result ${resultCode}: NatPmpError with the code, its name and a readable message`, async (t) => {
    const { client } = await clientOf(t, () => mapReply({ resultCode }));
    await assert.rejects(client.map({ protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 60 }), (error: unknown) => {
      assert.ok(error instanceof NatPmpError);
      assert.equal(error.code, "PORTHOLE_NATPMP_ERROR");
      assert.equal(error.protocol, "natpmp");
      assert.equal(error.protocolCode, resultCode);
      assert.equal(error.resultCode, resultCode);
      assert.equal(error.resultName, ["", "UNSUPPORTED_VERSION", "NOT_AUTHORIZED", "NETWORK_FAILURE", "OUT_OF_RESOURCES", "UNSUPPORTED_OPCODE", "UNKNOWN"][resultCode]);
      assert.match(error.message, new RegExp(`map UDP 7777 refused: result ${resultCode} ${error.resultName} \\(.+\\)`));
      return true;
    });
  });
}

test("refusals in the 8-byte layout: the unsupported opcode, and erratum 3618's opcode 128 for any request", async (t) => {
  const opcode = await clientOf(t, () => encode({ kind: "error", opcode: 1, resultCode: 5, epochSeconds: 1 }));
  await assert.rejects(opcode.client.map({ protocol: "UDP", internalPort: 1, suggestedExternalPort: 1, lifetimeSeconds: 1 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 5);
  const version = await clientOf(t, () => hexFixture("natpmp", "unsupported-version-response"));
  await assert.rejects(version.client.map({ protocol: "TCP", internalPort: 1, suggestedExternalPort: 1, lifetimeSeconds: 1 }), (error: unknown) => error instanceof NatPmpError && error.resultCode === 1);
});

test("a PCP-only server's UNSUPP_VERSION is NatPmpError 1 (the gateway speaks PCP only)", async (t) => {
  const { client } = await clientOf(t, () => hexFixture("pcp", "miniupnpd-unsupp-version-response"));
  await assert.rejects(client.getExternalAddress(), (error: unknown) => error instanceof NatPmpError && error.resultCode === 1 && /PCP only/.test(error.message));
});

test("hostile replies are ignored: short, long, other version, a request, another opcode, another port's mapping, an 8-byte refusal of another opcode", async (t) => {
  const good = mapReply({ externalPort: 9999 });
  const hostile = [
    Buffer.from("0081", "hex"),
    Buffer.concat([good, Buffer.from([0])]),
    Buffer.from([1, ...good.subarray(1)]),
    Buffer.from([0, 1, ...good.subarray(2)]),
    addressReply(10),
    mapReply({ internalPort: 7778 }),
    mapReply({ protocol: "TCP" }),
    encode({ kind: "error", opcode: 2, resultCode: 2, epochSeconds: 1 }),
  ];
  const { client } = await clientOf(t, (_bytes, index) => (index === 0 ? [...hostile, good] : undefined));
  const reply = await client.map({ protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 7200 });
  assert.equal(reply.externalPort, 9999);
});

test("only malformed replies until the budget ends: InvalidResponseError naming the last problem", async (t) => {
  const { client } = await clientOf(t, () => Buffer.from("00800000000000000102030405", "hex"));
  await assert.rejects(client.getExternalAddress({ timeoutMs: 200 }), (error: unknown) => error instanceof InvalidResponseError && /cannot have 13 bytes/.test(error.message));
});

test("replies from another port or another address are ignored (spoofed sources)", async (t) => {
  const spoofers = [await startUdpResponder(t), await startUdpResponder(t, () => undefined, "127.0.0.2")];
  const { gateway, client } = await clientOf(t, (_bytes, index) => {
    if (index > 0) return undefined;
    const to = gateway.received[0]!.from;
    return (async () => {
      for (const spoofer of spoofers) await spoofer.send(addressReply(1, "6.6.6.6"), to);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return addressReply(1);
    })();
  });
  assert.equal((await client.getExternalAddress()).externalAddress, "203.0.113.7");
});

test("spoofed replies alone: TimeoutError, never their value", async (t) => {
  const spoofer = await startUdpResponder(t);
  const { gateway, client } = await clientOf(t, (_bytes, index) => {
    void spoofer.send(addressReply(1, "6.6.6.6"), gateway.received[index]!.from);
    return undefined;
  });
  await assert.rejects(client.getExternalAddress({ timeoutMs: 200 }), TimeoutError);
});

test("the epoch (RFC 6886 §3.6): a reply lower than expected says the gateway lost its mappings, once", async (t) => {
  let now = 1_000_000;
  const epochs = [1000, 1010, 5, 15];
  const { client } = await clientOf(t, (_bytes, index) => addressReply(epochs[index]!), { now: () => now });
  const lost: boolean[] = [];
  for (let i = 0; i < epochs.length; i++) {
    lost.push((await client.getExternalAddress()).gatewayLostState);
    now += 10_000;
  }
  assert.deepEqual(lost, [false, false, true, false]);
  assert.equal(client.epoch.losses, 1);
});

test("the epoch of a refusal counts too", async (t) => {
  let now = 0;
  const replies = [addressReply(500), encode({ kind: "external-address", resultCode: 3, epochSeconds: 1, externalAddress: "0.0.0.0" })];
  const { client } = await clientOf(t, (_bytes, index) => replies[index], { now: () => now });
  await client.getExternalAddress();
  now = 5_000;
  await assert.rejects(client.getExternalAddress(), NatPmpError);
  assert.equal(client.epoch.losses, 1);
});

test("NAT-PMP needs an IPv4 gateway address; bad options are InvalidArgumentErrors", () => {
  assert.throws(() => new NatPmpClient("::1"), /IPv4 gateway address/);
  assert.throws(() => new NatPmpClient("192.168.1.1", { gatewayPort: 0 }), /gatewayPort/);
  assert.throws(() => new NatPmpClient("192.168.1.1", { initialRetransmitMs: -1 }), /initialRetransmitMs/);
});
