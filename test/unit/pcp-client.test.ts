// The PCP client against small UDP servers on loopback: ANNOUNCE and MAP as RFC 6887 lays them
// out, the nonce checked on every reply, version negotiation, resends, hostile replies.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponseError, PcpClient, PcpError, pcpResultCodes, TimeoutError, type PcpMapRequest } from "../../src/index.js";
import { decodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { encodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { pcpRetransmitDelays } from "../../src/pcp/pcp-client.js";
import { type PcpMapFields, type PcpRequest, type PcpResponse } from "../../src/pcp/pcp-messages.js";
import { hexFixture } from "../fixtures/hex-fixtures.js";
import { openUdpSockets, startUdpResponder, type Answer } from "./support/udp-responder.js";

const nonce = Uint8Array.from(Buffer.from("0102030405060708090a0b0c", "hex"));
const otherNonce = Uint8Array.from(Buffer.from("0102030405060708090a0bff", "hex"));
const mapRequest: PcpMapRequest = { nonce, protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 7200 };

function mapRequestOf(bytes: Buffer): Extract<PcpRequest, { kind: "map" }> {
  const request = decodePcpRequest(bytes);
  assert.equal(request.kind, "map");
  return request as Extract<PcpRequest, { kind: "map" }>;
}

/** The reply to a MAP request: its fields echoed, with `change` applied. */
function mapReplyTo(bytes: Buffer, change: Partial<PcpMapFields> = {}, header: Partial<PcpResponse> = {}): Uint8Array {
  const { map } = mapRequestOf(bytes);
  return encodePcpResponse({
    kind: "map",
    version: 2,
    resultCode: 0,
    lifetimeSeconds: 7200,
    epochSeconds: 10,
    map: { ...map, externalAddress: "203.0.113.7", ...change },
    options: [],
    ...header,
  } as PcpResponse);
}

const announceReply = (epochSeconds: number, resultCode = 0): Uint8Array =>
  encodePcpResponse({ kind: "announce", version: 2, resultCode, lifetimeSeconds: 0, epochSeconds, options: [] });

/** A client of a responder on loopback; resends as natpmp-client.test.ts's (a second; 20 ms where resends are tested). */
async function clientOf(t: TestContext, answer: (bytes: Buffer, index: number) => Answer | Promise<Answer>, options: { now?: () => number; initialRetransmitMs?: number } = {}) {
  const gateway = await startUdpResponder(t, answer);
  return { gateway, client: new PcpClient("127.0.0.1", { gatewayPort: gateway.port, initialRetransmitMs: 1000, ...options }) };
}

test("RFC 6887 §8.1.1 schedule: about 3 s first (±10 %), each about twice the last, never beyond 1024 s ±10 %", () => {
  for (const random of [0, 0.5, 0.999999]) {
    const delays = pcpRetransmitDelays(() => random);
    const first = delays.next().value as number;
    assert.ok(first >= 2700 && first <= 3300, `${first}`);
    let previous = first;
    for (let i = 0; i < 20; i++) {
      const next = delays.next().value as number;
      assert.ok(next <= 1_024_000 * 1.1, `${next}`);
      if (previous * 2.2 < 1_024_000 * 0.9) assert.ok(next >= previous * 1.8 && next <= previous * 2.2, `${previous} -> ${next}`);
      previous = next;
    }
  }
  assert.equal(pcpRetransmitDelays(() => 0.5).next().value, 3000);
});

test("ANNOUNCE: 24 bytes with our address as client address; the epoch comes back", async (t) => {
  const { gateway, client } = await clientOf(t, () => announceReply(77));
  assert.deepEqual(await client.announce(), { epochSeconds: 77, gatewayLostState: false, localAddress: "127.0.0.1" });
  assert.deepEqual(decodePcpRequest(gateway.received[0]!.bytes), { kind: "announce", lifetimeSeconds: 0, clientAddress: "127.0.0.1", options: [] });
});

test("the epoch is judged on a monotonic clock by default: the wall clock stepping an hour (NTP) between two answers is no restart", async (t) => {
  let wallClock = Date.now();
  t.mock.method(Date, "now", () => wallClock);
  const { client } = await clientOf(t, () => announceReply(5000));
  await client.announce();
  wallClock += 3_600_000;
  assert.equal((await client.announce()).gatewayLostState, false);
  assert.equal(client.epoch.losses, 0);
});

test("MAP: the request carries nonce, protocol, ports, any IPv4 address and our address; the grant may differ from the ask", async (t) => {
  const { gateway, client } = await clientOf(t, (bytes) => mapReplyTo(bytes, { externalPort: 7778 }, { lifetimeSeconds: 120 }));
  const reply = await client.map({ ...mapRequest, lifetimeSeconds: 10 });
  assert.deepEqual(reply, { protocol: "UDP", internalPort: 7777, externalPort: 7778, externalAddress: "203.0.113.7", lifetimeSeconds: 120, epochSeconds: 10, gatewayLostState: false, localAddress: "127.0.0.1" });
  assert.deepEqual(mapRequestOf(gateway.received[0]!.bytes), {
    kind: "map",
    lifetimeSeconds: 10,
    clientAddress: "127.0.0.1",
    map: { nonce, protocol: 17, internalPort: 7777, externalPort: 7777, externalAddress: "0.0.0.0" },
    options: [],
  });
});

test("MAP with PREFER_FAILURE and a suggested address: both travel", async (t) => {
  const { gateway, client } = await clientOf(t, (bytes) => mapReplyTo(bytes));
  await client.map({ ...mapRequest, protocol: "TCP", preferFailure: true, suggestedExternalAddress: "11.22.33.44" });
  const sent = mapRequestOf(gateway.received[0]!.bytes);
  assert.equal(sent.map.protocol, 6);
  assert.equal(sent.map.externalAddress, "11.22.33.44");
  assert.deepEqual(sent.options, [{ code: 2, data: new Uint8Array(0) }]);
});

test("a reply with another nonce, protocol or internal port is not ours: ignored, and the right one taken", async (t) => {
  const { client } = await clientOf(t, (bytes, index) =>
    index === 0
      ? [
          mapReplyTo(bytes, { nonce: otherNonce, externalPort: 1 }),
          mapReplyTo(bytes, { protocol: 6, externalPort: 2 }),
          mapReplyTo(bytes, { internalPort: 7778, externalPort: 3 }),
          mapReplyTo(bytes, { nonce: otherNonce }, { resultCode: 2 }),
          announceReply(1),
          mapReplyTo(bytes, { externalPort: 4 }),
        ]
      : undefined,
  );
  assert.equal((await client.map(mapRequest)).externalPort, 4);
});

test("a wrong nonce alone never satisfies the request: TimeoutError", async (t) => {
  const { client } = await clientOf(t, (bytes) => mapReplyTo(bytes, { nonce: otherNonce }));
  await assert.rejects(client.map(mapRequest, { timeoutMs: 200 }), TimeoutError);
});

for (const [code, { name }] of Object.entries(pcpResultCodes)) {
  test(`result ${code} ${name}: PcpError with the code, its name and the error's lifetime`, async (t) => {
    const { client } = await clientOf(t, (bytes) => mapReplyTo(bytes, {}, { resultCode: Number(code), lifetimeSeconds: 30 }));
    await assert.rejects(client.map(mapRequest), (error: unknown) => {
      assert.ok(error instanceof PcpError);
      assert.equal(error.code, "PORTHOLE_PCP_ERROR");
      assert.equal(error.protocol, "pcp");
      assert.equal(error.resultCode, Number(code));
      assert.equal(error.resultName, name);
      assert.equal(error.lifetimeSeconds, 30);
      assert.equal(error.natPmpFallback, code === "1");
      assert.match(error.message, new RegExp(`MAP UDP 7777 refused: result ${code} ${name} \\(.+\\)`));
      return true;
    });
  });
}

test("a result code RFC 6887 does not define is PcpError UNKNOWN", async (t) => {
  const { client } = await clientOf(t, () => announceReply(1, 200));
  await assert.rejects(client.announce(), (error: unknown) => error instanceof PcpError && error.resultCode === 200 && error.resultName === "UNKNOWN");
});

test("version negotiation (RFC 6887 §9): a version-1 server's header-only UNSUPP_VERSION says which version it speaks", async (t) => {
  const { client } = await clientOf(t, () => hexFixture("pcp", "unsupp-version-header-only-response"));
  await assert.rejects(client.map(mapRequest), (error: unknown) => error instanceof PcpError && error.resultCode === 1 && error.serverVersion === 1 && error.natPmpFallback);
});

test("version negotiation: a NAT-PMP server answering version 0, result 1, means speak NAT-PMP", async (t) => {
  for (const opcode of [0, 1]) {
    const { client } = await clientOf(t, () => encodeNatPmpResponse({ kind: "error", opcode, resultCode: 1, epochSeconds: 5 }));
    await assert.rejects(client.map(mapRequest), (error: unknown) => error instanceof PcpError && error.serverVersion === 0 && error.natPmpFallback && /speaks NAT-PMP/.test(error.message));
  }
});

test("hostile replies are ignored: short, not a multiple of 4, too long, a request, other versions without UNSUPP_VERSION, a NAT-PMP success", async (t) => {
  const { client } = await clientOf(t, (bytes, index) => {
    if (index > 0) return undefined;
    const good = Buffer.from(mapReplyTo(bytes, { externalPort: 5555 }));
    return [
      good.subarray(0, 20),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.concat([good, Buffer.alloc(1100, 0xc8)]),
      Buffer.from([2, 1, ...good.subarray(2)]),
      Buffer.from([3, ...good.subarray(1)]),
      encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 1, externalAddress: "6.6.6.6" }),
      good,
    ];
  });
  assert.equal((await client.map(mapRequest)).externalPort, 5555);
});

test("only malformed replies until the budget ends: InvalidResponseError; the socket is closed", async (t) => {
  const { client } = await clientOf(t, () => Buffer.alloc(23, 2));
  const before = await openUdpSockets();
  await assert.rejects(client.announce({ timeoutMs: 200 }), (error: unknown) => error instanceof InvalidResponseError && /at least 24 bytes/.test(error.message));
  assert.equal(await openUdpSockets(), before);
});

test("no answer to the first send: resent, and the second answer taken", async (t) => {
  const { gateway, client } = await clientOf(t, (_bytes, index) => (index === 0 ? undefined : announceReply(3)), { initialRetransmitMs: 20 });
  await client.announce();
  assert.equal(gateway.received.length, 2);
});

test("no answer: TimeoutError at the budget", async (t) => {
  const { client } = await clientOf(t, () => undefined);
  await assert.rejects(client.announce({ timeoutMs: 150 }), (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 150);
});

test("the epoch (RFC 6887 §8.5): the server's clock running far ahead of ours, or back, says it lost its state", async (t) => {
  let now = 0;
  const epochs = [100, 110, 400, 410, 5];
  const { client } = await clientOf(t, (_bytes, index) => announceReply(epochs[index]!), { now: () => now });
  const lost: boolean[] = [];
  for (let i = 0; i < epochs.length; i++) {
    lost.push((await client.announce()).gatewayLostState);
    now += 10_000;
  }
  assert.deepEqual(lost, [false, false, true, false, true]);
  assert.equal(client.epoch.losses, 2);
});

test("a nonce of another length is refused before anything is sent", async (t) => {
  const { gateway, client } = await clientOf(t, () => undefined);
  await assert.rejects(client.map({ ...mapRequest, nonce: new Uint8Array(11) }), /nonce has 12 bytes/);
  assert.equal(gateway.received.length, 0);
  assert.throws(() => new PcpClient("gateway.local"), /must be an IP address/);
});
