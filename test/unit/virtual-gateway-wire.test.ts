import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHttpRequest } from "../../src/virtual-gateway/http-request-parser.js";
import { parseSearchTarget } from "../../src/virtual-gateway/ssdp-messages.js";
import { parseSoapRequest } from "../../src/virtual-gateway/soap-envelope.js";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

test("parseHttpRequest waits for the whole head and body, then reads them", () => {
  const full = "POST /ctl/IPConn?x=1 HTTP/1.1\r\nHost: a\r\nSOAPAction: \"s#A\"\r\nContent-Length: 5\r\n\r\nhello";
  for (const cut of [10, full.indexOf("\r\n\r\n"), full.length - 1]) {
    assert.equal(parseHttpRequest(bytes(full.slice(0, cut))).state, "incomplete", `cut at ${cut}`);
  }
  const parsed = parseHttpRequest(bytes(full));
  assert.ok(parsed.state === "complete");
  assert.equal(parsed.request.method, "POST");
  assert.equal(parsed.request.path, "/ctl/IPConn");
  assert.equal(parsed.request.headers["soapaction"], '"s#A"');
  assert.equal(parsed.request.body.toString(), "hello");
});

test("parseHttpRequest reads chunked bodies, including trailers, only once complete", () => {
  const head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const body = "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n";
  assert.equal(parseHttpRequest(bytes(head + body.slice(0, -2))).state, "incomplete");
  const parsed = parseHttpRequest(bytes(head + body));
  assert.equal(parsed.state === "complete" && parsed.request.body.toString(), "abcde");
  assert.deepEqual(parseHttpRequest(bytes(`${head}zz\r\n`)), { state: "invalid", status: 400 });
});

test("parseHttpRequest refuses what is not HTTP or too large", () => {
  assert.deepEqual(parseHttpRequest(bytes("hello there\r\n\r\n")), { state: "invalid", status: 400 });
  assert.deepEqual(parseHttpRequest(bytes("GET / HTTP/1.1\r\nno colon\r\n\r\n")), { state: "invalid", status: 400 });
  assert.deepEqual(parseHttpRequest(bytes(`GET / HTTP/1.1\r\nX: ${"a".repeat(20000)}`)), { state: "invalid", status: 431 });
  assert.deepEqual(parseHttpRequest(bytes("POST / HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n")), { state: "invalid", status: 413 });
});

test("parseHttpRequest refuses a chunked request whose size line or trailer never ends", () => {
  const head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const endlessSizeLine = `${head}${"0".repeat(100 * 1024)}`;
  assert.deepEqual(parseHttpRequest(bytes(endlessSizeLine)), { state: "invalid", status: 413 });
  const endlessTrailer = `${head}1\r\na\r\n0\r\nX-Trailer: ${"t".repeat(100 * 1024)}`;
  assert.deepEqual(parseHttpRequest(bytes(endlessTrailer)), { state: "invalid", status: 413 });
  // Short of the limit it is still only incomplete.
  assert.equal(parseHttpRequest(bytes(`${head}1\r\na\r\n0\r\nX-Trailer: ttt`)).state, "incomplete");
});

test("parseSearchTarget accepts only M-SEARCH with an ST", () => {
  assert.equal(parseSearchTarget("M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\nst:ssdp:all\r\n\r\n"), "ssdp:all");
  assert.equal(parseSearchTarget("M-SEARCH * HTTP/1.1\nST: upnp:rootdevice\n\n"), "upnp:rootdevice");
  assert.equal(parseSearchTarget("M-SEARCH * HTTP/1.1\r\nMX: 1\r\n\r\n"), undefined);
  assert.equal(parseSearchTarget("M-SEARCH * HTTP/1.1\r\nST:\r\n\r\n"), undefined);
  assert.equal(parseSearchTarget("NOTIFY * HTTP/1.1\r\nST: ssdp:all\r\n\r\n"), undefined);
  assert.equal(parseSearchTarget("\u0000\u0001garbage"), undefined);
});

test("parseSoapRequest takes the action from the header, else from the body, and keeps argument order", () => {
  const body =
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
    '<m:AddPortMapping xmlns:m="urn:x:service:WANIPConnection:1"><B> 2 </B><A>1</A></m:AddPortMapping></s:Body></s:Envelope>';
  const fromBody = parseSoapRequest(body, undefined);
  assert.equal(fromBody.action, "AddPortMapping");
  assert.equal(fromBody.serviceType, "urn:x:service:WANIPConnection:1");
  assert.deepEqual(fromBody.arguments, [["B", "2"], ["A", "1"]]);
  const fromHeader = parseSoapRequest(body, '"urn:y:service:WANIPConnection:2#DeletePortMapping"');
  assert.equal(fromHeader.action, "DeletePortMapping");
  assert.equal(fromHeader.serviceType, "urn:y:service:WANIPConnection:2");
  assert.deepEqual(parseSoapRequest("", "nonsense"), { action: undefined, serviceType: undefined, arguments: [] });
});
