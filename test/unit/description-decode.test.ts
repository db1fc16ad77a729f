import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeDescriptionBody } from "../../src/upnp/description/decode-description.js";

test("invalid UTF-8 bytes become U+FFFD instead of failing the description (aioupnp#7)", () => {
  const body = Buffer.concat([Buffer.from("<name>Caf"), Buffer.from([0xe9, 0x20, 0xff]), Buffer.from("</name>")]);
  assert.equal(decodeDescriptionBody(body), "<name>Caf\uFFFD \uFFFD</name>");
});

test("a leading UTF-8 byte order mark is dropped", () => {
  const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("<root/>")]);
  assert.equal(decodeDescriptionBody(body), "<root/>");
});

test("valid multi-byte UTF-8 is kept", () => {
  assert.equal(decodeDescriptionBody(Buffer.from("Müller ✓", "utf8")), "Müller ✓");
});
