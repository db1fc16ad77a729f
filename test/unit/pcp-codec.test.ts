// The PCP wire format (RFC 6887) against the golden fixtures of test/fixtures/pcp, both ways, and
// every field and option at its boundaries; malformed bytes are InvalidResponseErrors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidResponseError } from "../../src/index.js";
import { decodePcpRequest, encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { decodePcpResponse, encodePcpResponse } from "../../src/pcp/pcp-responses.js";
import { type PcpMapFields, type PcpRequest, type PcpResponse } from "../../src/pcp/pcp-messages.js";
import { hexFixture, hexFixtureNames } from "../fixtures/hex-fixtures.js";

const nonce = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));
const n1 = nonce("0102030405060708090a0b0c");
const udp7777 = (externalPort: number, externalAddress: string): PcpMapFields => ({ nonce: n1, protocol: 17, internalPort: 7777, externalPort, externalAddress });
const option = (code: number, hex: string) => ({ code, data: nonce(hex) });

const requests: Record<string, PcpRequest> = {
  "announce-request": { kind: "announce", lifetimeSeconds: 0, clientAddress: "192.0.2.2", options: [] },
  "map-ipv4-request": { kind: "map", lifetimeSeconds: 7200, clientAddress: "192.0.2.2", map: udp7777(7777, "0.0.0.0"), options: [] },
  "map-ipv4-prefer-failure-request": {
    kind: "map",
    lifetimeSeconds: 3600,
    clientAddress: "192.0.2.2",
    map: { nonce: nonce("a1a2a3a4a5a6a7a8a9aaabac"), protocol: 6, internalPort: 8080, externalPort: 18080, externalAddress: "11.22.33.44" },
    options: [option(2, "")],
  },
  "map-ipv6-request": {
    kind: "map",
    lifetimeSeconds: 86400,
    clientAddress: "2001:db8:1::2",
    map: { nonce: nonce("ffeeddccbbaa998877665544"), protocol: 6, internalPort: 443, externalPort: 443, externalAddress: "::" },
    options: [],
  },
  "map-delete-request": { kind: "map", lifetimeSeconds: 0, clientAddress: "192.0.2.2", map: udp7777(0, "0.0.0.0"), options: [] },
};

const success = { version: 2, resultCode: 0 };
const responses: Record<string, PcpResponse> = {
  "announce-response": { kind: "announce", ...success, lifetimeSeconds: 0, epochSeconds: 5, options: [] },
  "map-ipv4-response": { kind: "map", ...success, lifetimeSeconds: 7200, epochSeconds: 6, map: udp7777(7778, "203.0.113.7"), options: [] },
  "map-ipv6-response": {
    kind: "map",
    ...success,
    lifetimeSeconds: 7200,
    epochSeconds: 256,
    map: { nonce: nonce("ffeeddccbbaa998877665544"), protocol: 6, internalPort: 443, externalPort: 443, externalAddress: "2001:db8:1::2" },
    options: [],
  },
  "map-response-with-options": {
    kind: "map",
    ...success,
    lifetimeSeconds: 3600,
    epochSeconds: 7,
    map: udp7777(7777, "203.0.113.7"),
    options: [option(1, "00000000000000000000ffffc0000209"), option(3, "008001bb00000000000000000000ffffc6336409"), option(200, "0102030405")],
  },
  "unsupp-version-header-only-response": { kind: "error", opcode: 1, version: 1, resultCode: 1, lifetimeSeconds: 1800, epochSeconds: 9 },
  "miniupnpd-map-response": { kind: "map", ...success, lifetimeSeconds: 120, epochSeconds: 7, map: { nonce: n1, protocol: 17, internalPort: 41000, externalPort: 41000, externalAddress: "11.22.33.44" }, options: [] },
  "miniupnpd-prefer-failure-busy-response": {
    kind: "map",
    ...success,
    lifetimeSeconds: 3600,
    epochSeconds: 10,
    map: { nonce: nonce("070707070707070707070707"), protocol: 17, internalPort: 41005, externalPort: 41001, externalAddress: "11.22.33.44" },
    options: [option(2, "")],
  },
  "miniupnpd-not-authorized-response": {
    kind: "map",
    version: 2,
    resultCode: 2,
    lifetimeSeconds: 0,
    epochSeconds: 12,
    map: { nonce: nonce("090909090909090909090909"), protocol: 17, internalPort: 41000, externalPort: 0, externalAddress: "11.22.33.44" },
    options: [],
  },
  "miniupnpd-unsupp-version-response": { kind: "map", version: 2, resultCode: 1, lifetimeSeconds: 0, epochSeconds: 7, map: { nonce: n1, protocol: 17, internalPort: 0, externalPort: 0, externalAddress: "0.0.0.0" }, options: [] },
  "miniupnpd-no-resources-response": { kind: "map", version: 2, resultCode: 8, lifetimeSeconds: 30, epochSeconds: 6, map: { nonce: n1, protocol: 17, internalPort: 41000, externalPort: 41000, externalAddress: "198.51.100.1" }, options: [] },
  "miniupnpd-unsupp-option-response": { kind: "map", version: 2, resultCode: 5, lifetimeSeconds: 0, epochSeconds: 11, map: { nonce: n1, protocol: 17, internalPort: 41006, externalPort: 41006, externalAddress: "0.0.0.0" }, options: [option(99, "")] },
};

test("every PCP fixture has its expected value here, and no value lacks its fixture", () => {
  assert.deepEqual(hexFixtureNames("pcp"), [...Object.keys(requests), ...Object.keys(responses)].sort());
});

for (const [name, request] of Object.entries(requests)) {
  test(`PCP ${name}: encodes to the fixture's bytes and decodes back`, () => {
    const bytes = hexFixture("pcp", name);
    assert.deepEqual(Buffer.from(encodePcpRequest(request)), bytes);
    assert.deepEqual(decodePcpRequest(bytes), request);
  });
}

for (const [name, response] of Object.entries(responses)) {
  test(`PCP ${name}: decodes to its fields and encodes back to the same bytes`, () => {
    const bytes = hexFixture("pcp", name);
    assert.deepEqual(decodePcpResponse(bytes), response);
    assert.deepEqual(Buffer.from(encodePcpResponse(response)), bytes);
  });
}

test("every result code 0..255 reads as sent; a refusal may be a header alone", () => {
  for (let resultCode = 0; resultCode <= 255; resultCode++) {
    const map: PcpResponse = { kind: "map", ...success, resultCode, lifetimeSeconds: 30, epochSeconds: 1, map: udp7777(0, "0.0.0.0"), options: [] };
    assert.equal(decodePcpResponse(encodePcpResponse(map)).resultCode, resultCode);
    if (resultCode === 0) continue;
    const bare: PcpResponse = { kind: "error", opcode: 1, version: 2, resultCode, lifetimeSeconds: 30, epochSeconds: 1 };
    assert.deepEqual(decodePcpResponse(encodePcpResponse(bare)), bare);
  }
});

test("a refusal of an opcode porthole never sends (PEER) reads as an error without fields", () => {
  const bytes = Buffer.concat([Buffer.from("028200040000000000000003000000000000000000000000", "hex"), Buffer.alloc(56)]);
  assert.deepEqual(decodePcpResponse(bytes), { kind: "error", opcode: 2, version: 2, resultCode: 4, lifetimeSeconds: 0, epochSeconds: 3 });
});

test("fields at their boundaries round-trip: ports, lifetimes, epochs, protocols, IPv4 and IPv6 addresses", () => {
  for (const [port, seconds, protocol, address] of [[0, 0, 0, "0.0.0.0"], [65535, 0xffffffff, 255, "255.255.255.255"], [1, 1, 6, "::"], [2, 2, 17, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"], [3, 3, 17, "fe80::1"]] as const) {
    const map = { nonce: n1, protocol, internalPort: port, externalPort: port, externalAddress: address };
    const request: PcpRequest = { kind: "map", lifetimeSeconds: seconds, clientAddress: address, map, options: [] };
    assert.deepEqual(decodePcpRequest(encodePcpRequest(request)), request);
    const response: PcpResponse = { kind: "map", ...success, lifetimeSeconds: seconds, epochSeconds: seconds, map, options: [] };
    assert.deepEqual(decodePcpResponse(encodePcpResponse(response)), response);
  }
});

test("options are padded to 4 bytes and read back without the padding; unknown ones are kept, not refused", () => {
  for (const length of [0, 1, 2, 3, 4, 5, 16, 1000]) {
    const options = [option(201, "ab".repeat(length)), option(2, "")];
    const bytes = encodePcpResponse({ kind: "announce", ...success, lifetimeSeconds: 0, epochSeconds: 0, options });
    assert.equal(bytes.length % 4, 0);
    assert.equal(bytes.length, 24 + 4 + Math.ceil(length / 4) * 4 + 4);
    assert.deepEqual((decodePcpResponse(bytes) as { options: unknown }).options, options);
  }
});

test("the encoders refuse what does not fit: a nonce of 11 or 13 bytes, a port of 65536, more than 1100 bytes, a bad address", () => {
  const map = (change: Partial<PcpMapFields>): PcpRequest => ({ kind: "map", lifetimeSeconds: 1, clientAddress: "192.0.2.2", map: { ...udp7777(1, "0.0.0.0"), ...change }, options: [] });
  for (const bad of [{ nonce: new Uint8Array(11) }, { nonce: new Uint8Array(13) }, { internalPort: 65536 }, { protocol: 256 }, { externalAddress: "not an address" }, { externalAddress: "1.2.3" }]) {
    assert.throws(() => encodePcpRequest(map(bad)), InvalidArgumentError, JSON.stringify(bad));
  }
  assert.throws(() => encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress: "192.0.2.2", options: [option(128, "00".repeat(1073))] }), InvalidArgumentError);
  assert.equal(encodePcpRequest({ kind: "announce", lifetimeSeconds: 0, clientAddress: "192.0.2.2", options: [option(128, "00".repeat(1072))] }).length, 1100);
  assert.throws(() => encodePcpResponse({ kind: "error", opcode: 1, version: 2, resultCode: 0, lifetimeSeconds: 0, epochSeconds: 0 }), InvalidArgumentError);
});

const mapResponseHex = hexFixture("pcp", "map-ipv4-response").toString("hex");
const malformedResponses: Record<string, string> = {
  "empty": "",
  "short: 20 bytes": mapResponseHex.slice(0, 40),
  "short: 23 bytes": mapResponseHex.slice(0, 46),
  "MAP fields cut short (40 bytes)": mapResponseHex.slice(0, 80),
  "not a multiple of 4 (61 bytes)": `${mapResponseHex}00`,
  "long: trailing bytes that are no option (62+2)": `${mapResponseHex}0000`,
  "long: more than 1100 bytes": `${mapResponseHex}${"c8000000".repeat(261)}`,
  "an option running past the end": `${mapResponseHex}c8000008aabbccdd`,
  "PREFER_FAILURE with data": `${mapResponseHex}0200000400000000`,
  "THIRD_PARTY of 4 bytes": `${mapResponseHex}0100000400000000`,
  "FILTER of 16 bytes": `${mapResponseHex}03000010${"00".repeat(16)}`,
  "wrong version 1 with success": `01${mapResponseHex.slice(2)}`,
  "wrong version 3 with a result other than UNSUPP_VERSION": `038100020000000000000000${"00".repeat(12)}`,
  "R bit clear (a request)": `0201${mapResponseHex.slice(4)}`,
  "a successful reply to PEER": `0282${mapResponseHex.slice(4)}${"00".repeat(20)}`,
  "a successful MAP without its fields": mapResponseHex.slice(0, 48),
};

for (const [name, hex] of Object.entries(malformedResponses)) {
  test(`a malformed PCP response is an InvalidResponseError: ${name}`, () => {
    assert.throws(() => decodePcpResponse(Buffer.from(hex, "hex")), InvalidResponseError);
  });
}

test("a server reads what it must refuse: another version, an unknown opcode (with the body to copy back)", () => {
  assert.deepEqual(decodePcpRequest(Buffer.from("0001", "hex")), { kind: "unsupported-version", version: 0, opcode: 1 });
  assert.deepEqual(decodePcpRequest(Buffer.from(`03${hexFixture("pcp", "map-ipv4-request").toString("hex").slice(2)}`, "hex")), { kind: "unsupported-version", version: 3, opcode: 1 });
  const peer = Buffer.concat([Buffer.from("0202000000001c2000000000000000000000ffffc0000202", "hex"), Buffer.alloc(56, 7)]);
  assert.deepEqual(decodePcpRequest(peer), { kind: "unsupported-opcode", opcode: 2, lifetimeSeconds: 7200, clientAddress: "192.0.2.2", options: [], body: Uint8Array.from(Buffer.alloc(56, 7)) });
});

test("a server drops malformed requests and responses, with InvalidResponseError", () => {
  const map = hexFixture("pcp", "map-ipv4-request").toString("hex");
  for (const hex of ["", "02", `0281${map.slice(4)}`, map.slice(0, 80), `${map}00`, `${map}0200000100000000`]) {
    assert.throws(() => decodePcpRequest(Buffer.from(hex, "hex")), InvalidResponseError, hex);
  }
});

test("reserved bytes are ignored by the decoders", () => {
  const response = Buffer.from(hexFixture("pcp", "map-ipv4-response"));
  response.fill(0xff, 12, 24);
  response.fill(0xff, 24 + 13, 24 + 16);
  response[2] = 0xff;
  assert.deepEqual(decodePcpResponse(response), responses["map-ipv4-response"]);
  const request = Buffer.from(hexFixture("pcp", "map-ipv4-request"));
  request.fill(0xff, 2, 4);
  request.fill(0xff, 24 + 13, 24 + 16);
  assert.deepEqual(decodePcpRequest(request), requests["map-ipv4-request"]);
});

test("a response of exactly 1100 bytes (the most RFC 6887 §7 allows) is read; 1104 is refused as too long, not for anything else", () => {
  // The 60-byte MAP response plus unknown optional options (code 200) filling it to the limit.
  const fill = (bytes: number) => `c800${(bytes - 4).toString(16).padStart(4, "0")}${"00".repeat(bytes - 4)}`;
  const exact = Buffer.from(`${mapResponseHex}${fill(1100 - mapResponseHex.length / 2)}`, "hex");
  assert.equal(exact.length, 1100);
  assert.equal(decodePcpResponse(exact).kind, "map");
  const over = Buffer.from(`${mapResponseHex}${fill(1104 - mapResponseHex.length / 2)}`, "hex");
  assert.throws(() => decodePcpResponse(over), (error: unknown) => error instanceof InvalidResponseError && /at most 1100 bytes/.test(error.message));
});

test("a response whose length is not a multiple of 4 is refused for that", () => {
  assert.throws(() => decodePcpResponse(Buffer.from(`${mapResponseHex}00`, "hex")), (error: unknown) => error instanceof InvalidResponseError && /multiple of 4/.test(error.message));
});
