// The NAT-PMP wire format (RFC 6886) against the golden fixtures of test/fixtures/natpmp, both
// ways, and every field at its boundaries; malformed bytes are InvalidResponseErrors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidResponseError } from "../../src/index.js";
import { decodeNatPmpRequest, encodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { decodeNatPmpResponse, encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import { type DecodedNatPmpRequest, type NatPmpRequest, type NatPmpResponse } from "../../src/natpmp/natpmp-messages.js";
import { hexFixture, hexFixtureNames } from "../fixtures/hex-fixtures.js";

const requests: Record<string, NatPmpRequest> = {
  "external-address-request": { kind: "external-address" },
  "map-udp-request": { kind: "map", protocol: "UDP", internalPort: 7777, suggestedExternalPort: 7777, lifetimeSeconds: 7200 },
  "map-tcp-request": { kind: "map", protocol: "TCP", internalPort: 8080, suggestedExternalPort: 18080, lifetimeSeconds: 3600 },
  "delete-request": { kind: "map", protocol: "UDP", internalPort: 7777, suggestedExternalPort: 0, lifetimeSeconds: 0 },
};

const responses: Record<string, NatPmpResponse> = {
  "external-address-response": { kind: "external-address", resultCode: 0, epochSeconds: 7200, externalAddress: "203.0.113.7" },
  "address-announcement": { kind: "external-address", resultCode: 0, epochSeconds: 0, externalAddress: "198.51.100.7" },
  "map-udp-response": { kind: "map", protocol: "UDP", resultCode: 0, epochSeconds: 300, internalPort: 7777, externalPort: 7778, lifetimeSeconds: 7200 },
  "map-tcp-response": { kind: "map", protocol: "TCP", resultCode: 0, epochSeconds: 0xffffffff, internalPort: 8080, externalPort: 18080, lifetimeSeconds: 3600 },
  "delete-response": { kind: "map", protocol: "UDP", resultCode: 0, epochSeconds: 301, internalPort: 7777, externalPort: 0, lifetimeSeconds: 0 },
  "unsupported-version-response": { kind: "error", opcode: 0, resultCode: 1, epochSeconds: 100 },
  "map-response-refused": { kind: "map", protocol: "TCP", resultCode: 2, epochSeconds: 100, internalPort: 80, externalPort: 0, lifetimeSeconds: 0 },
  "miniupnpd-unsupported-opcode-response": { kind: "error", opcode: 7, resultCode: 5, epochSeconds: 3 },
  "miniupnpd-network-failure-response": { kind: "map", protocol: "UDP", resultCode: 3, epochSeconds: 1, internalPort: 8000, externalPort: 8000, lifetimeSeconds: 3600 },
  "miniupnpd-external-address-response": { kind: "external-address", resultCode: 0, epochSeconds: 0, externalAddress: "11.22.33.44" },
};

test("every NAT-PMP fixture has its expected value here, and no value lacks its fixture", () => {
  assert.deepEqual(hexFixtureNames("natpmp"), [...Object.keys(requests), ...Object.keys(responses)].sort());
});

for (const [name, request] of Object.entries(requests)) {
  test(`NAT-PMP ${name}: encodes to the fixture's bytes and decodes back`, () => {
    const bytes = hexFixture("natpmp", name);
    assert.deepEqual(Buffer.from(encodeNatPmpRequest(request)), bytes);
    assert.deepEqual(decodeNatPmpRequest(bytes), request);
  });
}

for (const [name, response] of Object.entries(responses)) {
  test(`NAT-PMP ${name}: decodes to its fields and encodes back to the same bytes`, () => {
    const bytes = hexFixture("natpmp", name);
    assert.deepEqual(decodeNatPmpResponse(bytes), response);
    assert.deepEqual(Buffer.from(encodeNatPmpResponse(response)), bytes);
  });
}

test("the lifetime travels in seconds: 3600 s is 00000e10, not nat-port-mapper's 3,600,000 (0036ee80)", () => {
  const bytes = Buffer.from(encodeNatPmpRequest({ kind: "map", protocol: "UDP", internalPort: 1, suggestedExternalPort: 1, lifetimeSeconds: 3600 }));
  assert.equal(bytes.subarray(8).toString("hex"), "00000e10");
});

test("every result code 0..65535 reads as sent, in both layouts", () => {
  for (const resultCode of [0, 1, 2, 3, 4, 5, 6, 255, 256, 65535]) {
    const address = encodeNatPmpResponse({ kind: "external-address", resultCode, epochSeconds: 1, externalAddress: "0.0.0.0" });
    assert.equal(decodeNatPmpResponse(address).resultCode, resultCode);
    if (resultCode === 0) continue;
    assert.deepEqual(decodeNatPmpResponse(encodeNatPmpResponse({ kind: "error", opcode: 2, resultCode, epochSeconds: 1 })), { kind: "error", opcode: 2, resultCode, epochSeconds: 1 });
  }
});

test("fields at their boundaries round-trip: ports 0 and 65535, lifetimes and epochs 0 and 2^32-1", () => {
  for (const [port, seconds] of [[0, 0], [65535, 0xffffffff], [1, 1]] as const) {
    const request: NatPmpRequest = { kind: "map", protocol: "TCP", internalPort: port, suggestedExternalPort: port, lifetimeSeconds: seconds };
    assert.deepEqual(decodeNatPmpRequest(encodeNatPmpRequest(request)), request);
    const response: NatPmpResponse = { kind: "map", protocol: "UDP", resultCode: 0, epochSeconds: seconds, internalPort: port, externalPort: port, lifetimeSeconds: seconds };
    assert.deepEqual(decodeNatPmpResponse(encodeNatPmpResponse(response)), response);
  }
  for (const externalAddress of ["0.0.0.0", "255.255.255.255"]) {
    assert.equal((decodeNatPmpResponse(encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 0, externalAddress })) as { externalAddress: string }).externalAddress, externalAddress);
  }
});

test("the encoders refuse fields that do not fit, with InvalidArgumentError", () => {
  const map = (change: Partial<Extract<NatPmpRequest, { kind: "map" }>>) => () =>
    encodeNatPmpRequest({ kind: "map", protocol: "UDP", internalPort: 1, suggestedExternalPort: 1, lifetimeSeconds: 1, ...change });
  for (const bad of [{ internalPort: 65536 }, { internalPort: -1 }, { suggestedExternalPort: 1.5 }, { lifetimeSeconds: 2 ** 32 }, { lifetimeSeconds: Number.NaN }]) {
    assert.throws(map(bad), InvalidArgumentError, JSON.stringify(bad));
  }
  assert.throws(() => encodeNatPmpResponse({ kind: "external-address", resultCode: 0, epochSeconds: 0, externalAddress: "2001:db8::1" }), InvalidArgumentError);
  assert.throws(() => encodeNatPmpResponse({ kind: "error", opcode: 0, resultCode: 0, epochSeconds: 0 }), InvalidArgumentError);
  assert.throws(() => encodeNatPmpResponse({ kind: "error", opcode: 128, resultCode: 1, epochSeconds: 0 }), InvalidArgumentError);
  assert.throws(() => encodeNatPmpResponse({ kind: "error", opcode: 0, resultCode: 65536, epochSeconds: 0 }), InvalidArgumentError);
});

const malformedResponses: Record<string, string> = {
  "empty": "",
  "short: 1 byte": "00",
  "short: 7 bytes": "00800000000000",
  "short: 11-byte address reply": "0080000000000000010203",
  "short: 15-byte map reply": "008100000000000000010001000000",
  "long: 13-byte address reply": "008000000000000001020304ff",
  "long: 17-byte map reply": "00810000000000000001000100000e10ff",
  "long: 9-byte refusal": "008000010000000000",
  "wrong version 1": "018000000000000001020304",
  "wrong version 2 (PCP)": "028000000000000001020304",
  "a request's opcode (1)": "00010000000000000001000100000e10",
  "a 16-byte reply to the address opcode": "00800000000000000001000100000e10",
  "a 12-byte reply to a map opcode": "008100000000000001020304",
  "an unknown opcode with 12 bytes": "008300000000000001020304",
  "an 8-byte success": "0080000000000000",
};

for (const [name, hex] of Object.entries(malformedResponses)) {
  test(`a malformed NAT-PMP response is an InvalidResponseError: ${name}`, () => {
    assert.throws(() => decodeNatPmpResponse(Buffer.from(hex, "hex")), InvalidResponseError);
  });
}

test("a request sent back (a request's opcode, below 128) is refused as a request, whatever its length", () => {
  assert.throws(() => decodeNatPmpResponse(Buffer.from(malformedResponses["a request's opcode (1)"]!, "hex")), /opcode 1 is a request, not a response/);
  assert.throws(() => decodeNatPmpResponse(Buffer.from("000000000000000001020304", "hex")), /opcode 0 is a request, not a response/);
});

test("a server reads what it must refuse: another version (result 1) and an unknown opcode (result 5)", () => {
  const cases: Array<[string, DecodedNatPmpRequest]> = [
    ["0200", { kind: "unsupported-version", version: 2, opcode: 0 }],
    ["0101000000000000", { kind: "unsupported-version", version: 1, opcode: 1 }],
    ["0003", { kind: "unsupported-opcode", opcode: 3 }],
    ["007f0000", { kind: "unsupported-opcode", opcode: 127 }],
  ];
  for (const [hex, expected] of cases) assert.deepEqual(decodeNatPmpRequest(Buffer.from(hex, "hex")), expected, hex);
});

test("a server drops requests that are malformed or are responses (RFC 6886 §3.5), with InvalidResponseError", () => {
  for (const hex of ["", "00", "0080", "0081000000000000", "000000", "0001000000010001000000", "000100000001000100000e1000"]) {
    assert.throws(() => decodeNatPmpRequest(Buffer.from(hex, "hex")), InvalidResponseError, hex);
  }
});

test("the reserved bytes of a map request are ignored by the decoder", () => {
  assert.deepEqual(decodeNatPmpRequest(Buffer.from("0001ffff1e611e6100001c20", "hex")), requests["map-udp-request"]);
});

test("decoding reads a view: bytes inside a larger buffer decode the same", () => {
  const inside = Buffer.concat([Buffer.from("ffff", "hex"), hexFixture("natpmp", "map-udp-response")]).subarray(2);
  assert.deepEqual(decodeNatPmpResponse(new Uint8Array(inside.buffer, inside.byteOffset, inside.length)), responses["map-udp-response"]);
});
