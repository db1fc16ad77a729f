import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { HttpError, InvalidResponseError } from "../../src/errors/errors.js";
import { httpRequestErrorChannel, httpRequestStartChannel, httpResponseFinishChannel, type TracedHttpRequest } from "../../src/http/http-diagnostics.js";
import { NOT_SENT_CODE, httpRequest, type HttpResponse } from "../../src/http/http-request.js";
import { hostHeader, parseHttpUrl } from "../../src/http/http-url.js";

test("headers and body leave in one write, so Nagle + delayed ACK cannot stall the request 40 ms", async (t) => {
  const firstChunks: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.once("data", (chunk) => {
      firstChunks.push(chunk);
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const body = "<x>ünïcødé</x>";
  const response = await httpRequest({ method: "POST", url: `http://127.0.0.1:${port}/ctl`, body, signal: new AbortController().signal });
  assert.equal(response.body.toString(), "ok");
  const first = firstChunks[0]!.toString("utf8");
  assert.ok(first.endsWith(body), "the first segment carries the body too");
  assert.match(first, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`, "i"));
});

test("URLs keep IPv6 zone ids and refuse other schemes", () => {
  assert.deepEqual(parseHttpUrl("http://[fe80::1%25eth0]:5000/rootDesc.xml"), {
    host: "fe80::1%eth0",
    port: 5000,
    path: "/rootDesc.xml",
    href: "http://[fe80::1%25eth0]:5000/rootDesc.xml",
  });
  assert.equal(parseHttpUrl("ctl/IPConn", "http://[fe80::1%25eth0]:5000/rootDesc.xml").host, "fe80::1%eth0");
  assert.throws(() => parseHttpUrl("https://192.0.2.1/"), (error: unknown) => error instanceof InvalidResponseError && /only http:/.test(error.message));
  assert.throws(() => parseHttpUrl("not a url"), (error: unknown) => error instanceof InvalidResponseError && /not a valid URL/.test(error.message));
});

test("a zone written in the URL wins over the base's; the base's zone goes only to its own host", () => {
  const base = "http://[fe80::1%25eth1]:5000/rootDesc.xml";
  assert.equal(parseHttpUrl("http://[fe80::2%25eth0]/ctl", base).host, "fe80::2%eth0");
  assert.equal(parseHttpUrl("http://[fe80::1%25eth0]:5000/ctl", base).href, "http://[fe80::1%25eth0]:5000/ctl");
  // A router's URLBase names its own address without a zone: it cannot know our interface name.
  assert.equal(parseHttpUrl("http://[FE80::1]:5000/ctl", base).href, "http://[fe80::1%25eth1]:5000/ctl");
  assert.equal(parseHttpUrl("http://[fe80::2]/ctl", base).host, "fe80::2");
  assert.equal(parseHttpUrl("http://192.0.2.1/ctl", base).host, "192.0.2.1");
});

test("the Host header brackets IPv6 and leaves the zone id out (RFC 6874 section 4)", () => {
  assert.equal(hostHeader("fe80::1%eth0", 5000), "[fe80::1]:5000");
  assert.equal(hostHeader("::1", 80), "[::1]:80");
  assert.equal(hostHeader("192.0.2.1", 5000), "192.0.2.1:5000");
});

/** A loopback port nothing listens on (any more). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback server that hands each connection to `handle`; closed after the test. */
async function listen(t: { after(fn: () => void): void }, handle: (socket: net.Socket) => void, host = "127.0.0.1"): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

test("the request head is exact: Host (IPv6 in brackets), Connection: close, caller headers; no half-close", async (t) => {
  let head = "";
  const port = await listen(
    t,
    (socket) => {
      let endedEarly = false;
      socket.on("end", () => (endedEarly = true));
      socket.once("data", (chunk) => {
        head = chunk.toString("latin1");
        // Some embedded servers drop a request whose sender half-closed; ours must not.
        setTimeout(() => socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${endedEarly ? "F" : "-"}`), 20);
      });
    },
    "::1",
  );
  const response = await httpRequest({ method: "GET", url: `http://[::1]:${port}/rootDesc.xml?x=1`, headers: { "X-Probe": "1" }, signal: new AbortController().signal });
  assert.equal(head, `GET /rootDesc.xml?x=1 HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\nX-Probe: 1\r\n\r\n`);
  assert.equal(response.body.toString(), "-", "the server saw a FIN before it answered");
  assert.equal(response.localAddress, "::1");
});

test("a reset after some of a close-delimited body completes it; a refused connection keeps its errno", async (t) => {
  const port = await listen(t, (socket) =>
    socket.once("data", () => {
      socket.write("HTTP/1.0 200 OK\r\n\r\n<root/>", () => socket.resetAndDestroy());
    }),
  );
  const response = await httpRequest({ method: "GET", url: `http://127.0.0.1:${port}/`, signal: new AbortController().signal });
  assert.equal(response.body.toString(), "<root/>");

  await assert.rejects(
    httpRequest({ method: "GET", url: `http://127.0.0.1:${await closedPort()}/`, signal: new AbortController().signal }),
    (error) => error instanceof HttpError && (error.cause as NodeJS.ErrnoException).code === "ECONNREFUSED",
  );
});

test("aborting rejects with the signal's reason and closes the connection", async (t) => {
  let serverSawClose!: () => void;
  const closedOnServer = new Promise<void>((resolve) => (serverSawClose = resolve));
  const gaveUp = new Error("caller gave up");
  const port = await listen(t, (socket) => {
    socket.once("close", () => serverSawClose());
    socket.once("data", () => controller.abort(gaveUp));
  });
  const controller = new AbortController();
  await assert.rejects(httpRequest({ method: "POST", url: `http://127.0.0.1:${port}/ctl`, body: "x", signal: controller.signal }), (error) => error === gaveUp);
  await closedOnServer;
  const beforeStart = new Error("before start");
  await assert.rejects(httpRequest({ method: "GET", url: `http://127.0.0.1:${port}/`, signal: AbortSignal.abort(beforeStart) }), (error) => error === beforeStart);
});

test("a header that would break the request head is refused before anything is sent", async () => {
  await assert.rejects(
    httpRequest({ method: "GET", url: "http://127.0.0.1:1/", headers: { "X-Evil": "a\r\nInjected: 1" }, signal: new AbortController().signal }),
    (error) => error instanceof HttpError && /cannot be sent/.test(error.message) && (error.cause as NodeJS.ErrnoException).code === NOT_SENT_CODE,
  );
});

test("every exchange is published on porthole's HTTP diagnostics channels", async (t) => {
  const port = await listen(t, (socket) => socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
  const seen: string[] = [];
  const onStart = (message: unknown): void => {
    const { request } = message as { request: TracedHttpRequest };
    seen.push(`start ${request.method} ${request.url} ${request.headers["SOAPAction"]}`);
  };
  const onFinish = (message: unknown): void => {
    const { response } = message as { response: HttpResponse };
    seen.push(`finish ${response.status} ${response.body.toString()}`);
  };
  const onError = (message: unknown): void => {
    seen.push(`error ${(message as { error: Error }).error.name}`);
  };
  httpRequestStartChannel.subscribe(onStart);
  httpResponseFinishChannel.subscribe(onFinish);
  httpRequestErrorChannel.subscribe(onError);
  t.after(() => {
    httpRequestStartChannel.unsubscribe(onStart);
    httpResponseFinishChannel.unsubscribe(onFinish);
    httpRequestErrorChannel.unsubscribe(onError);
  });
  await httpRequest({ method: "POST", url: `http://127.0.0.1:${port}/ctl`, headers: { SOAPAction: '"s#A"' }, body: "b", signal: new AbortController().signal });
  const refused = await closedPort();
  await assert.rejects(httpRequest({ method: "GET", url: `http://127.0.0.1:${refused}/`, signal: new AbortController().signal }), HttpError);
  assert.deepEqual(seen, [`start POST http://127.0.0.1:${port}/ctl "s#A"`, "finish 200 ok", `start GET http://127.0.0.1:${refused}/ undefined`, "error HttpError"]);
});
