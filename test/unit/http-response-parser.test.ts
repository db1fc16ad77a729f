import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError, InvalidResponseError } from "../../src/errors/errors.js";
import { HttpResponseParser, type HttpResponseParserLimits, type ParsedHttpResponse } from "../../src/http/http-response-parser.js";

const url = "http://192.0.2.1:5000/ctl";
const limits: HttpResponseParserLimits = { url, maxHeaderBytes: 16 * 1024, maxBodyBytes: 1024 * 1024 };

/** Feeds `wire` in pieces of `pieceBytes`; returns what the parser completed with, if anything. */
function feed(wire: string | Buffer, pieceBytes: number, parser = new HttpResponseParser(limits)): ParsedHttpResponse | undefined {
  const bytes = typeof wire === "string" ? Buffer.from(wire, "latin1") : wire;
  let response: ParsedHttpResponse | undefined;
  for (let at = 0; at < bytes.length; at += pieceBytes) response = parser.push(bytes.subarray(at, at + pieceBytes)) ?? response;
  return response;
}

/** The same reply must come out whether it arrives whole, byte by byte, or in odd pieces. */
function parseInPieces(wire: string): ParsedHttpResponse {
  const whole = feed(wire, wire.length);
  assert.ok(whole, "the reply is complete");
  for (const pieceBytes of [1, 2, 3, 7]) assert.deepEqual(feed(wire, pieceBytes), whole, `in pieces of ${pieceBytes}`);
  return whole;
}

test("status lines with extra spaces, no reason phrase, or LF-only line ends are read", () => {
  const bare = parseInPieces("HTTP/1.1  200\nContent-Length: 2\n\nok");
  assert.equal(bare.status, 200);
  assert.equal(bare.body.toString(), "ok");
  const old = parseInPieces("HTTP/1.0 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nfail");
  assert.equal(old.status, 500);
  assert.equal(old.body.toString(), "fail");
});

test("header names are lower-cased, junk lines skipped, repeats joined, set-cookie kept as a list", () => {
  const response = parseInPieces(
    "HTTP/1.1 200 OK\r\nContent-TYPE: text/xml\r\nthis line has no colon\r\nX-Seen: a\r\nx-seen: b\r\n" +
      "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n__proto__: plain\r\nContent-Length: 0\r\n\r\n",
  );
  assert.equal(response.headers["content-type"], "text/xml");
  assert.equal(response.headers["x-seen"], "a, b");
  assert.deepEqual(response.headers["set-cookie"], ["a=1", "b=2"]);
  assert.equal(Object.getOwnPropertyDescriptor(response.headers, "__proto__")?.value, "plain");
  assert.equal(Object.getPrototypeOf(response.headers), Object.prototype);
  assert.equal(Object.keys(response.headers).includes("this line has no colon"), false);
});

test("chunked bodies: extensions ignored, the last chunk completes the body without trailers or final CRLF", () => {
  const extensions = parseInPieces("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\n!\n0\r\nX-Trailer: t\r\n\r\n");
  assert.equal(extensions.body.toString(), "hello!");
  assert.equal(extensions.headers["x-trailer"], undefined, "trailers are not headers");
  // BiPAC 7404VNOX-style replies that stop right after the last chunk's size line.
  const noFinalCrlf = parseInPieces("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n3\r\nabc\r\n0\r\n");
  assert.equal(noFinalCrlf.body.toString(), "abc", "chunked wins over Content-Length");
});

test("junk after a complete body is ignored (miniupnpc's /addcrap case)", () => {
  const parser = new HttpResponseParser(limits);
  const response = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n", 4, parser);
  assert.equal(response?.body.toString(), "ok");
  assert.deepEqual(parser.push(Buffer.from("more junk")), response);
  assert.deepEqual(parser.end(new Error("reset")), response);
});

test("interim 1xx responses and blank lines before the status line are skipped; 204 has no body", () => {
  const continued = parseInPieces("HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  assert.equal(continued.status, 200);
  assert.equal(continued.body.toString(), "x");
  const empty = parseInPieces("HTTP/1.1 204 No Content\r\n\r\n");
  assert.equal(empty.status, 204);
  assert.equal(empty.body.length, 0);
});

test("a close-delimited body ends with the connection, even by a reset once bytes arrived", () => {
  const closed = new HttpResponseParser(limits);
  assert.equal(feed("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<root/>", 5, closed), undefined, "not complete before the close");
  assert.equal(closed.end().body.toString(), "<root/>");
  const reset = new HttpResponseParser(limits);
  feed("HTTP/1.0 200 OK\r\n\r\n<root/>", 64, reset);
  assert.equal(reset.end(new Error("read ECONNRESET")).body.toString(), "<root/>");
  const resetBeforeBody = new HttpResponseParser(limits);
  feed("HTTP/1.0 200 OK\r\n\r\n", 64, resetBeforeBody);
  assert.throws(() => resetBeforeBody.end(new Error("read ECONNRESET")), (error) => error instanceof HttpError && /cut off after 0 bytes/.test(error.message));
  const finEmpty = new HttpResponseParser(limits);
  feed("HTTP/1.0 200 OK\r\n\r\n", 64, finEmpty);
  assert.equal(finEmpty.end().body.length, 0, "a FIN right after the head is an empty body");
});

test("a body with a length or chunks that stops early is cut off, never passed on as whole", () => {
  const cases = [
    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\nabc",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
  ];
  for (const wire of cases) {
    const parser = new HttpResponseParser(limits);
    assert.equal(feed(wire, 64, parser), undefined);
    assert.throws(
      () => parser.end(),
      (error) => error instanceof HttpError && error.status === 200 && /cut off after 3 bytes/.test(error.message),
      wire,
    );
  }
  const inHead = new HttpResponseParser(limits);
  feed("HTTP/1.1 200 OK\r\nContent-Le", 64, inHead);
  assert.equal(inHead.status, undefined);
  assert.throws(() => inHead.end(), (error) => error instanceof HttpError && /ended within its header/.test(error.message));
});

test("limits: the header block, an announced length, and a body that keeps coming", () => {
  const small = { ...limits, maxHeaderBytes: 64, maxBodyBytes: 10 };
  assert.throws(() => feed(`HTTP/1.1 200 OK\r\nX-Filler: ${"x".repeat(100)}`, 16, new HttpResponseParser(small)), (error) => error instanceof HttpError && /larger than 64 bytes/.test(error.message));
  const announced = new HttpResponseParser(small);
  assert.throws(() => announced.push(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")), (error) => error instanceof InvalidResponseError && /announces 11 bytes/.test(error.message));
  const overLimit = [
    `HTTP/1.1 200 OK\r\n\r\n${"abcd".repeat(5)}`,
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${"4\r\nabcd\r\n".repeat(5)}`,
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
  ];
  for (const wire of overLimit) {
    assert.throws(() => feed(wire, 3, new HttpResponseParser(small)), (error) => error instanceof InvalidResponseError && /larger than 10 bytes/.test(error.message), wire);
  }
});

test("framing it cannot trust is an HttpError: not HTTP, conflicting lengths, a bad chunk", () => {
  const malformed = [
    "SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "HTTP/2 200\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${"1".repeat(2000)}`,
  ];
  for (const wire of malformed) assert.throws(() => feed(wire, 5), HttpError, wire.slice(0, 60));
  const repeatedSameLength = parseInPieces("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
  assert.equal(repeatedSameLength.body.toString(), "ok");
});

test("204 and 304 replies end at their head, whatever Content-Length says (RFC 9112 §6.3)", () => {
  for (const status of ["204 No Content", "304 Not Modified"]) {
    const parser = new HttpResponseParser(limits);
    const response = parser.push(Buffer.from(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`));
    assert.ok(response, `${status} is complete at once`);
    assert.equal(response.body.length, 0);
  }
  const notModified = parseInPieces("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n");
  assert.equal(notModified.status, 304);
});

test("only a last transfer coding of chunked is chunked framing; any other runs to the close", () => {
  for (const codings of ["chunked", "gzip, chunked", "gzip,chunked", " Chunked ", "identity ,\tCHUNKED"]) {
    const response = parseInPieces(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${codings}\r\n\r\n2\r\nok\r\n0\r\n\r\n`);
    assert.equal(response.body.toString(), "ok", codings);
  }
  for (const codings of ["chunked, gzip", "xchunked", "chunked-ish", "gzip"]) {
    const parser = new HttpResponseParser(limits);
    const wire = `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${codings}\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n`;
    assert.equal(parser.push(Buffer.from(wire)), undefined, `${codings}: not complete before the close`);
    assert.equal(parser.end().body.toString(), "2\r\nok\r\n0\r\n\r\n", codings);
  }
});

test("limits hold exactly at their boundary: the head, an announced length, a body, a chunk-size line", () => {
  const small = { ...limits, maxHeaderBytes: 64, maxBodyBytes: 10 };
  const head = (bytes: number): string => {
    const start = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: ";
    return `${start}${"x".repeat(bytes - start.length - 4)}\r\n\r\n`;
  };
  assert.equal(head(64).length, 64);
  assert.equal(new HttpResponseParser(small).push(Buffer.from(head(64)))?.status, 200);
  assert.throws(() => new HttpResponseParser(small).push(Buffer.from(head(65))), (error) => error instanceof HttpError && /larger than 64 bytes/.test(error.message));
  // A head still incomplete is measured too, and may grow to the limit before it ends.
  const growing = new HttpResponseParser(small);
  assert.equal(growing.push(Buffer.from(head(64).slice(0, 62))), undefined);
  assert.equal(growing.push(Buffer.from("\r\n"))?.status, 200);
  assert.throws(() => new HttpResponseParser(small).push(Buffer.from("HTTP/1.1 200 OK\r\n".padEnd(65, "x"))), HttpError);

  assert.equal(new HttpResponseParser(small).push(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n${"a".repeat(10)}`))?.body.length, 10);
  assert.throws(() => new HttpResponseParser(small).push(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")), InvalidResponseError);

  const closeDelimited = (bytes: number): HttpResponseParser => {
    const parser = new HttpResponseParser(small);
    parser.push(Buffer.from(`HTTP/1.0 200 OK\r\n\r\n${"a".repeat(bytes)}`));
    return parser;
  };
  assert.equal(closeDelimited(10).end().body.length, 10);
  assert.throws(() => closeDelimited(11), InvalidResponseError);

  const chunked = (sizes: number[]): string =>
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${sizes.map((size) => `${size.toString(16)}\r\n${"a".repeat(size)}\r\n`).join("")}0\r\n\r\n`;
  assert.equal(new HttpResponseParser(small).push(Buffer.from(chunked([4, 6])))?.body.length, 10);
  assert.throws(() => new HttpResponseParser(small).push(Buffer.from(chunked([4, 7]))), InvalidResponseError);
  assert.throws(() => new HttpResponseParser(small).push(Buffer.from(chunked([11]))), InvalidResponseError);

  // 1024 bytes of chunk-size line may wait for their line end; 1025 are not a chunk size.
  const sizeLine = (bytes: number): HttpResponseParser => {
    const parser = new HttpResponseParser(limits);
    assert.equal(parser.push(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")), undefined);
    assert.equal(parser.push(Buffer.from("0".repeat(bytes))), undefined);
    return parser;
  };
  assert.equal(sizeLine(1024).push(Buffer.from("\r\n"))?.body.length, 0);
  assert.throws(() => sizeLine(1025), (error) => error instanceof HttpError && /malformed chunk size line/.test(error.message));
});

test("a header line starting with a colon is junk, not a header with an empty name", () => {
  const response = parseInPieces("HTTP/1.1 200 OK\r\n: no name\r\nA:1\r\nContent-Length: 0\r\n\r\n");
  assert.deepEqual(Object.keys(response.headers).sort(), ["a", "content-length"]);
  assert.equal(response.headers["a"], "1");
});

test("status is known once the head is read, before the body; interim and odd 1xx statuses are skipped", () => {
  const parser = new HttpResponseParser(limits);
  assert.equal(parser.push(Buffer.from("HTTP/1.1 207 Multi\r\nContent-Length: 5\r\n\r\nab")), undefined);
  assert.equal(parser.status, 207);
  const odd = parseInPieces("HTTP/1.1 199 Odd\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  assert.equal(odd.status, 200);
  assert.equal(odd.body.toString(), "x");
  // A final head that arrives with the end of an interim one, and is shorter than it.
  const interim = new HttpResponseParser(limits);
  assert.equal(interim.push(Buffer.from("HTTP/1.1 100 Continue\r\n")), undefined);
  assert.equal(interim.push(Buffer.from("\r\nHTTP/1.1 204\n\n"))?.status, 204);
});

test("a reset after a single byte of a close-delimited body keeps that byte; a CR after a chunk must be followed by LF", () => {
  const parser = new HttpResponseParser(limits);
  parser.push(Buffer.from("HTTP/1.0 200 OK\r\n\r\nx"));
  assert.equal(parser.end(new Error("read ECONNRESET")).body.toString(), "x");
  assert.throws(() => feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n", 64), (error) => error instanceof HttpError && /longer than its size/.test(error.message));
});
