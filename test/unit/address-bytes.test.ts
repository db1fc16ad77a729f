// Addresses as PCP carries them: 16 bytes, IPv4 as IPv4-mapped IPv6 (RFC 6887 §5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { addressFromBytes, addressToBytes, isIPv4Mapped } from "../../src/net/address-bytes.js";
import { InvalidArgumentError } from "../../src/index.js";

const cases: Array<[text: string, hex: string, canonical: string]> = [
  ["192.0.2.2", "00000000000000000000ffffc0000202", "192.0.2.2"],
  ["0.0.0.0", "00000000000000000000ffff00000000", "0.0.0.0"],
  ["::ffff:203.0.113.7", "00000000000000000000ffffcb007107", "203.0.113.7"],
  ["::", "00000000000000000000000000000000", "::"],
  ["::1", "00000000000000000000000000000001", "::1"],
  ["2001:db8:1::2", "20010db8000100000000000000000002", "2001:db8:1::2"],
  ["2001:0DB8:0000:0000:0001:0000:0000:0002", "20010db8000000000001000000000002", "2001:db8::1:0:0:2"],
  ["fe80::1%eth0", "fe800000000000000000000000000001", "fe80::1"],
  ["1:0:0:1:0:0:0:1", "00010000000000010000000000000001", "1:0:0:1::1"],
  ["1:0:1:1:1:1:1:1", "00010000000100010001000100010001", "1:0:1:1:1:1:1:1"],
  ["::1.2.3.4", "00000000000000000000000001020304", "::102:304"],
  ["64:ff9b::198.51.100.1", "0064ff9b0000000000000000c6336401", "64:ff9b::c633:6401"],
];

for (const [text, hex, canonical] of cases) {
  test(`${text} is ${hex} and reads back as ${canonical}`, () => {
    assert.equal(Buffer.from(addressToBytes(text)).toString("hex"), hex);
    assert.equal(addressFromBytes(Buffer.from(hex, "hex")), canonical);
  });
}

test("only the ::ffff:0:0/96 prefix is IPv4-mapped", () => {
  assert.equal(isIPv4Mapped(addressToBytes("192.0.2.2")), true);
  assert.equal(isIPv4Mapped(addressToBytes("::1.2.3.4")), false);
  assert.equal(isIPv4Mapped(addressToBytes("::fffe:1.2.3.4")), false);
});

test("text that is no address, and byte strings of another length, are InvalidArgumentErrors", () => {
  for (const text of ["", "1.2.3", "256.0.0.1", "host.example", "1::2::3", ":::"]) assert.throws(() => addressToBytes(text), InvalidArgumentError, text);
  for (const length of [0, 4, 15, 17]) assert.throws(() => addressFromBytes(new Uint8Array(length)), InvalidArgumentError, String(length));
});
