// Hostile datagrams on the virtual gateway's NAT-PMP/PCP port: short, long, wrong version, wrong
// opcode, responses, random bytes. The server never crashes; it answers as miniupnpd 2.3.1 does
// (natpmp.c, pcpserver.c) or stays silent, and keeps serving afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { randomNonce, type VirtualGatewayActivity } from "../../src/index.js";
import { pcpAnnounceRequest, portControlSetUp, publicAddress, rawClient } from "./support/port-control-fixture.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const filled = (length: number, first: number[] = []): Uint8Array => Uint8Array.from({ length }, (_, i) => first[i] ?? 0);

test("NAT-PMP: too short to read, a response, or a mapping request under 12 bytes: silence, as miniupnpd", async (t) => {
  const seen: VirtualGatewayActivity[] = [];
  const { gateway } = await portControlSetUp(t, { onActivity: (activity) => seen.push(activity) });
  const client = await rawClient(t, gateway);
  await client.assertSilentTo(bytes(0), "1 byte");
  await client.assertSilentTo(bytes(0, 1), "MAP UDP, 2 bytes");
  await client.assertSilentTo(filled(11, [0, 2]), "MAP TCP, 11 bytes");
  await client.assertSilentTo(bytes(0, 128), "a response");
  await client.assertSilentTo(filled(16, [0, 129]), "a mapping response");
  const silent = seen.filter((a) => a.type === "natpmp" && a.resultCode === undefined);
  assert.equal(silent.length, 5, "each told to onActivity as unanswered");
});

test("NAT-PMP: longer requests are read as far as their fields go (miniupnpd); an unknown opcode is result 5 in 8 bytes", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const address = decodeNatPmpResponse(await client.ask(filled(40, [0, 0, 9, 9])));
  assert.deepEqual(address, { kind: "external-address", resultCode: 0, epochSeconds: 0, externalAddress: publicAddress });
  const mapped = decodeNatPmpResponse(await client.ask(filled(64, [0, 1, 0, 0, 0x1f, 0x40, 0x1f, 0x40, 0, 0, 0, 60])));
  assert.deepEqual(mapped, { kind: "map", protocol: "UDP", resultCode: 0, epochSeconds: 0, internalPort: 8000, externalPort: 8000, lifetimeSeconds: 60 });
  for (const opcode of [3, 127]) assert.deepEqual([...(await client.ask(bytes(0, opcode)))], [0, 128 + opcode, 0, 5, 0, 0, 0, 0]);
});

test("PCP: under 3 bytes or a response (R bit): silence; under 24 bytes or not a multiple of 4: MALFORMED_REQUEST with version and opcode 0, as miniupnpd never read the header", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  await client.assertSilentTo(bytes(2), "1 byte");
  await client.assertSilentTo(bytes(2, 1), "2 bytes");
  await client.assertSilentTo(filled(24, [2, 0x80]), "an ANNOUNCE response");
  const short = await client.ask(filled(12, [2, 1]));
  assert.deepEqual([short.length, short[0], short[1], short[3]], [24, 0, 0x80, 3]);
  const odd = await client.ask(filled(26, [2, 0]));
  assert.deepEqual([odd.length, odd[0], odd[1], odd[3]], [28, 0, 0x80, 3]);
});

test("PCP: a MAP too short for its fields is MALFORMED_REQUEST; options that do not parse are MALFORMED_OPTION; PEER and unknown opcodes UNSUPP_OPCODE, the request copied back", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const header = [...pcpAnnounceRequest];
  const shortMap = await client.ask(Uint8Array.from([2, 1, ...header.slice(2), ...new Array<number>(16).fill(0)]));
  assert.deepEqual([shortMap.length, shortMap[0], shortMap[1], shortMap[3]], [40, 2, 0x81, 3]);
  const badOption = await client.ask(Uint8Array.from([...header, 1, 0, 0, 16]));
  assert.deepEqual([badOption.length, badOption[1], badOption[3]], [28, 0x80, 6]);
  const peer = Uint8Array.from([2, 2, ...header.slice(2), ...new Array<number>(56).fill(7)]);
  const refused = await client.ask(peer);
  assert.deepEqual([refused[0], refused[1], refused[3]], [2, 0x82, 4]);
  assert.deepEqual(refused.subarray(24), Buffer.from(peer.subarray(24)));
});

test("a datagram longer than 1100 bytes is cut at 1100, as miniupnpd's buffer cuts it; draft version 1 gets UNSUPP_VERSION with version 2", async (t) => {
  const { gateway } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  const request = encodePcpRequest({ kind: "map", lifetimeSeconds: 300, clientAddress: "127.0.0.1", map: { nonce: randomNonce(), protocol: 6, internalPort: 8800, externalPort: 8800, externalAddress: "0.0.0.0" }, options: [] });
  const long = Buffer.concat([request, Buffer.alloc(1500)]);
  const reply = await client.ask(long);
  assert.deepEqual([reply.length, reply[3]], [1100, 5], "the zeros after the MAP read as options of code 0, which must be understood: UNSUPP_OPTION");
  const versionOne = Buffer.from(request);
  versionOne[0] = 1;
  const refused = await client.ask(versionOne);
  assert.deepEqual([refused[0], refused[3]], [2, 1]);
  assert.deepEqual(gateway.mappings, []);
});

test("random datagrams never stop the server: every answer is a well-formed NAT-PMP or PCP message, and it serves a real client afterwards", async (t) => {
  const { gateway, natPmp } = await portControlSetUp(t);
  const client = await rawClient(t, gateway);
  let seed = 20240611;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let batch = 0; batch < 20; batch++) {
    for (let i = 0; i < 50; i++) {
      const length = Math.floor(random() * 1200);
      const datagram = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      // Bias the first bytes toward what each protocol reads, so the fields behind them are reached.
      if (length > 0) datagram[0] = [0, 2, datagram[0]!][Math.floor(random() * 3)]!;
      if (length > 1 && random() < 0.7) datagram[1] = Math.floor(random() * 4);
      await client.send(datagram);
    }
    // The probe's answer comes after every answer to the batch: the server answers in order.
    await client.send(bytes(0, 0));
    for (let answer = await client.inbox.next(); !(answer.length === 12 && answer[1] === 128 && answer[0] === 0); answer = await client.inbox.next()) {
      if (answer.length <= 16) assert.doesNotThrow(() => decodeNatPmpResponse(answer), answer.toString("hex"));
      else assert.ok(answer.length >= 24 && answer.length <= 1100 && answer.length % 4 === 0 && (answer[1]! & 0x80) !== 0, answer.toString("hex"));
    }
  }
  assert.equal((await natPmp().map({ protocol: "UDP", internalPort: 8900 })).externalPort > 0, true);
});
