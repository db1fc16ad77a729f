import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { hostHeader } from "../../src/http/http-url.js";
import {
  IGD_SEARCH_TARGETS,
  MAX_SSDP_DATAGRAM_BYTES,
  MAX_SSDP_HEADER_LINES,
  SSDP_IPV4_MULTICAST,
  SSDP_IPV6_LINK_LOCAL_MULTICAST,
  buildMSearch,
  parseBootId,
  parseSsdpResponse,
  SSDP_PORT,
} from "../../src/upnp/ssdp/ssdp-message.js";

const igd1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";

/** A reply as miniupnpd sends it. */
const miniupnpdReply = [
  "HTTP/1.1 200 OK",
  "CACHE-CONTROL: max-age=120",
  `ST: ${igd1}`,
  `USN: uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b::${igd1}`,
  "EXT:",
  "SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.3",
  "LOCATION: http://192.0.2.1:5000/rootDesc.xml",
  "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01",
  "01-NLS: 1",
  "BOOTID.UPNP.ORG: 1",
  "CONFIGID.UPNP.ORG: 1337",
  "",
  "",
].join("\r\n");

describe("buildMSearch", () => {
  test("builds a multicast M-SEARCH with CRLF line ends and a closing blank line", () => {
    const text = buildMSearch({ searchTarget: igd1, mx: 2, host: hostHeader(SSDP_IPV4_MULTICAST, SSDP_PORT) });
    assert.equal(
      text,
      `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ${igd1}\r\n\r\n`,
    );
    assert.equal(text.replace(/\r\n/g, "").includes("\n"), false);
  });

  test("puts IPv6 hosts in brackets and leaves the zone id out of HOST", () => {
    assert.equal(hostHeader(SSDP_IPV6_LINK_LOCAL_MULTICAST, SSDP_PORT), "[FF02::C]:1900");
    assert.equal(hostHeader("fe80::1%eth0", SSDP_PORT), "[fe80::1]:1900");
    const text = buildMSearch({ searchTarget: igd1, mx: 1, host: hostHeader("FF05::C", SSDP_PORT) });
    assert.match(text, /\r\nHOST: \[FF05::C\]:1900\r\n/);
  });

  test("a unicast M-SEARCH names the address and port it is sent to", () => {
    const text = buildMSearch({ searchTarget: "ssdp:all", mx: 1, host: hostHeader("192.0.2.1", 5000) });
    assert.match(text, /\r\nHOST: 192\.0\.2\.1:5000\r\n/);
    assert.match(text, /\r\nST: ssdp:all\r\n/);
  });

  test("rejects header injection, empty fields and a bad MX", () => {
    const host = hostHeader(SSDP_IPV4_MULTICAST, SSDP_PORT);
    assert.throws(() => buildMSearch({ searchTarget: `${igd1}\r\nX-Evil: 1`, mx: 1, host }), InvalidArgumentError);
    assert.throws(() => buildMSearch({ searchTarget: " ", mx: 1, host }), InvalidArgumentError);
    assert.throws(() => buildMSearch({ searchTarget: igd1, mx: 1, host: "a\nb" }), InvalidArgumentError);
    assert.throws(() => buildMSearch({ searchTarget: igd1, mx: 0, host }), InvalidArgumentError);
    assert.throws(() => buildMSearch({ searchTarget: igd1, mx: 1.5, host }), InvalidArgumentError);
  });
});

describe("IGD_SEARCH_TARGETS", () => {
  test("searches IGD:1 (which IGD:2 devices answer too) and both WAN connection services", () => {
    assert.deepEqual([...IGD_SEARCH_TARGETS], [
      igd1,
      "urn:schemas-upnp-org:service:WANIPConnection:1",
      "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ]);
    assert.equal(Object.isFrozen(IGD_SEARCH_TARGETS), true);
  });
});

describe("parseSsdpResponse", () => {
  test("reads a miniupnpd reply", () => {
    const reply = parseSsdpResponse(Buffer.from(miniupnpdReply));
    assert.ok(reply);
    assert.equal(reply.location, "http://192.0.2.1:5000/rootDesc.xml");
    assert.equal(reply.st, igd1);
    assert.equal(reply.usn, `uuid:3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b::${igd1}`);
    assert.equal(reply.server, "Debian/12 UPnP/1.1 MiniUPnPd/2.3.3");
    assert.equal(reply.headers["ext"], "");
    assert.equal(reply.headers["bootid.upnp.org"], "1");
  });

  test("accepts LF-only line ends, any header case, blanks around values and HTTP/1.0", () => {
    const text = "HTTP/1.0 200 OK\nlocation:   http://192.0.2.1/d.xml  \n St:\tupnp:rootdevice\nuSn : uuid:1\n\n";
    const reply = parseSsdpResponse(text);
    assert.ok(reply);
    assert.equal(reply.location, "http://192.0.2.1/d.xml");
    assert.equal(reply.st, "upnp:rootdevice");
    assert.equal(reply.usn, "uuid:1");
  });

  test("missing USN, ST and SERVER become empty or absent", () => {
    const reply = parseSsdpResponse("HTTP/1.1 200 OK\r\nLocation: http://192.0.2.1/d.xml\r\n\r\n");
    assert.ok(reply);
    assert.equal(reply.usn, "");
    assert.equal(reply.st, "");
    assert.equal("server" in reply, false);
  });

  test("reads from a Uint8Array view into a larger buffer", () => {
    const padded = Buffer.concat([Buffer.from("JUNK"), Buffer.from(miniupnpdReply), Buffer.from("JUNK")]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, miniupnpdReply.length);
    assert.equal(parseSsdpResponse(view)?.location, "http://192.0.2.1:5000/rootDesc.xml");
  });

  test("keeps the first of repeated headers and treats __proto__ as a plain header", () => {
    const reply = parseSsdpResponse(
      "HTTP/1.1 200 OK\r\nLOCATION: http://192.0.2.1/a.xml\r\nLOCATION: http://192.0.2.1/b.xml\r\n__proto__: x\r\nno colon here\r\n\r\n",
    );
    assert.ok(reply);
    assert.equal(reply.location, "http://192.0.2.1/a.xml");
    assert.equal(reply.headers["__proto__"], "x");
    assert.equal(Object.keys(reply.headers).length, 2);
  });

  test("ignores NOTIFY announcements, M-SEARCHes and error statuses", () => {
    const notify = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nLOCATION: http://192.0.2.1/d.xml\r\nUSN: uuid:1\r\n\r\n";
    assert.equal(parseSsdpResponse(notify), undefined);
    const search = buildMSearch({ searchTarget: igd1, mx: 1, host: "239.255.255.250:1900" });
    assert.equal(parseSsdpResponse(search), undefined);
    assert.equal(parseSsdpResponse("HTTP/1.1 404 Not Found\r\nLOCATION: http://192.0.2.1/d.xml\r\n\r\n"), undefined);
    assert.equal(parseSsdpResponse("HTTP/1.1 2000 OK\r\nLOCATION: http://192.0.2.1/d.xml\r\n\r\n"), undefined);
  });

  test("needs a non-empty LOCATION in the header block", () => {
    assert.equal(parseSsdpResponse("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n"), undefined);
    assert.equal(parseSsdpResponse("HTTP/1.1 200 OK\r\nLOCATION:   \r\n\r\n"), undefined);
    // After the blank line it is body, not a header.
    assert.equal(parseSsdpResponse("HTTP/1.1 200 OK\r\nST: x\r\n\r\nLOCATION: http://192.0.2.1/d.xml\r\n"), undefined);
  });

  test("ignores datagrams over 8 KiB and headers past the line limit", () => {
    const padding = "X-Pad: " + "a".repeat(MAX_SSDP_DATAGRAM_BYTES) + "\r\n";
    assert.equal(parseSsdpResponse(Buffer.from(miniupnpdReply.replace("\r\n", `\r\n${padding}`))), undefined);
    const manyLines = Array.from({ length: MAX_SSDP_HEADER_LINES }, (_, i) => `X-${i}: ${i}\r\n`).join("");
    assert.equal(parseSsdpResponse(`HTTP/1.1 200 OK\r\n${manyLines}LOCATION: http://192.0.2.1/d.xml\r\n\r\n`), undefined);
    const fewerLines = manyLines.split("\r\n").slice(1).join("\r\n");
    assert.equal(parseSsdpResponse(`HTTP/1.1 200 OK\r\n${fewerLines}LOCATION: http://192.0.2.1/d.xml\r\n\r\n`)?.location, "http://192.0.2.1/d.xml");
  });

  test("a datagram of exactly MAX_SSDP_DATAGRAM_BYTES is read, one byte more is dropped, as bytes or as text", () => {
    const padded = (bytes: number, pad = "a"): string => {
      const text = miniupnpdReply.replace("\r\n", "\r\nX-Pad: \r\n");
      return text.replace("X-Pad: ", `X-Pad: ${pad.repeat(bytes - Buffer.byteLength(text))}`);
    };
    assert.equal(Buffer.byteLength(padded(MAX_SSDP_DATAGRAM_BYTES)), MAX_SSDP_DATAGRAM_BYTES);
    assert.equal(parseSsdpResponse(padded(MAX_SSDP_DATAGRAM_BYTES))?.location, "http://192.0.2.1:5000/rootDesc.xml");
    assert.equal(parseSsdpResponse(Buffer.from(padded(MAX_SSDP_DATAGRAM_BYTES)))?.location, "http://192.0.2.1:5000/rootDesc.xml");
    assert.equal(parseSsdpResponse(padded(MAX_SSDP_DATAGRAM_BYTES + 1)), undefined);
    assert.equal(parseSsdpResponse(Buffer.from(padded(MAX_SSDP_DATAGRAM_BYTES + 1))), undefined);
    // Text is measured in UTF-8 bytes, not in UTF-16 units.
    const wide = miniupnpdReply.replace("\r\n", `\r\nX-Pad: ${"é".repeat(MAX_SSDP_DATAGRAM_BYTES / 2)}\r\n`);
    assert.ok(wide.length < 2 * MAX_SSDP_DATAGRAM_BYTES && Buffer.byteLength(wide) > MAX_SSDP_DATAGRAM_BYTES);
    assert.equal(parseSsdpResponse(wide), undefined);
  });

  test("a header line starting with a colon is skipped; the first blank line ends the headers", () => {
    const reply = parseSsdpResponse("HTTP/1.1 200 OK\r\n: junk\r\nLOCATION: http://192.0.2.1/d.xml\r\nX:1\r\n   \r\nST: after\r\n\r\n");
    assert.deepEqual(Object.keys(reply?.headers ?? {}), ["location", "x"]);
    assert.equal(reply?.st, "");
  });

  test("never throws on garbage", () => {
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const prefixes = ["", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\nLOCATION:"];
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.alloc(Math.floor(random() * 600), 0).map(() => Math.floor(random() * 256));
      const datagram = Buffer.concat([Buffer.from(prefixes[i % prefixes.length]!), bytes]);
      const reply = parseSsdpResponse(datagram);
      if (reply !== undefined) assert.notEqual(reply.location, "");
    }
    assert.equal(parseSsdpResponse(Buffer.alloc(0)), undefined);
    assert.equal(parseSsdpResponse("\r\n\r\n"), undefined);
  });
});

test("parseBootId: a non-negative 31-bit integer in digits, anything else undefined", () => {
  assert.equal(parseBootId("0"), 0);
  assert.equal(parseBootId("1700000000"), 1_700_000_000);
  assert.equal(parseBootId("2147483647"), 2_147_483_647);
  for (const value of [undefined, "", "2147483648", "9999999999", "12345678901", "-1", "12a", " 5", "0x10", "1.5"]) {
    assert.equal(parseBootId(value), undefined, JSON.stringify(value));
  }
});
