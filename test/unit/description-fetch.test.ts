import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readFileSync } from "node:fs";
import { HttpError, InvalidResponseError, TimeoutError } from "../../src/errors/errors.js";
import { fetchDeviceDescription } from "../../src/upnp/description/fetch-description.js";
import { EmptyDescriptionError } from "../../src/errors/errors.js";

const fixtureDirectory = new URL("../../../test/fixtures/descriptions/", import.meta.url);
const igd2Description = readFileSync(new URL("miniupnpd-igd2.xml", fixtureDirectory));

/**
 * Answers each request with whatever `respond` writes on the raw socket, so that replies real
 * routers send (HTTP/1.0, no Content-Length, odd chunking, silence) can be reproduced exactly.
 */
type Respond = (socket: net.Socket, request: string) => void;

async function withRawServer(respond: Respond, run: (port: number) => Promise<void>, host = "127.0.0.1"): Promise<void> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // the client may reset the connection when it gives up
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n\r\n")) {
        respond(socket, received);
        received = "";
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  try {
    await run((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function reply(status: string, headers: string[], body: Buffer | string = ""): Respond {
  return (socket) => {
    socket.end(Buffer.concat([Buffer.from(`${status}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`), Buffer.from(body)]));
  };
}

const silent: Respond = () => {};

test("200: the description is parsed and localAddress is our address toward the device", async () => {
  await withRawServer(reply("HTTP/1.1 200 OK", [`Content-Length: ${igd2Description.length}`, "Content-Type: text/xml"], igd2Description), async (port) => {
    const url = `http://127.0.0.1:${port}/rootDesc.xml`;
    const { description, localAddress } = await fetchDeviceDescription(url);
    assert.equal(description.descriptionUrl, url);
    assert.equal(description.deviceType, "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
    assert.deepEqual(
      description.wanConnectionServices.map((s) => s.controlUrl),
      [`http://127.0.0.1:${port}/ctl/IPConn`],
    );
    assert.equal(localAddress, "127.0.0.1");
  });
});

test("the request is a GET of the description's path", async () => {
  let requestLine = "";
  const respond: Respond = (socket, request) => {
    requestLine = request.split("\r\n")[0] ?? "";
    reply("HTTP/1.1 200 OK", [`Content-Length: ${igd2Description.length}`], igd2Description)(socket, request);
  };
  await withRawServer(respond, async (port) => {
    await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`);
    assert.equal(requestLine, "GET /rootDesc.xml HTTP/1.1");
  });
});

test("Content-Type is not checked: XML served as text/html is accepted (nat-port-mapper)", async () => {
  await withRawServer(reply("HTTP/1.1 200 OK", [`Content-Length: ${igd2Description.length}`, "Content-Type: text/html"], igd2Description), async (port) => {
    const { description } = await fetchDeviceDescription(`http://127.0.0.1:${port}/`);
    assert.equal(description.wanConnectionServices.length, 1);
  });
});

test("404 rejects with HttpError carrying the status", async () => {
  await withRawServer(reply("HTTP/1.1 404 Not Found", ["Content-Length: 9"], "not found"), async (port) => {
    const error = await fetchDeviceDescription(`http://127.0.0.1:${port}/missing.xml`).catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.ok(!(error instanceof EmptyDescriptionError));
    assert.equal(error.status, 404);
  });
});

test("200 with an empty body rejects with EmptyDescriptionError (IGDStatus.HTTP_EMPTY)", async () => {
  await withRawServer(reply("HTTP/1.1 200 OK", ["Content-Length: 0"]), async (port) => {
    const error = await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`).catch((e: unknown) => e);
    assert.ok(error instanceof EmptyDescriptionError);
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 200);
  });
});

test("a chunked body split inside tags is reassembled (miniupnpc changelog: BiPAC 7404VNOX)", async () => {
  const text = igd2Description.toString("utf8");
  const pieces = [text.slice(0, 7), text.slice(7, 500), text.slice(500)];
  const chunked = pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`).join("") + "0\r\n\r\n";
  await withRawServer(reply("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], chunked), async (port) => {
    const { description } = await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`);
    assert.equal(description.friendlyName, "OpenWrt router");
    assert.equal(description.wanConnectionServices.length, 1);
  });
});

test("an HTTP/1.0 body without Content-Length ends when the connection closes", async () => {
  await withRawServer(reply("HTTP/1.0 200 OK", ["Content-Type: text/xml"], igd2Description), async (port) => {
    const { description } = await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`);
    assert.equal(description.udn, "uuid:3a6f0b2e-4c1d-4e55-9a07-1f2b3c4d5e60");
    assert.equal(description.wanConnectionServices[0]?.version, 2);
  });
});

test("invalid UTF-8 and a BOM in the body are decoded leniently (aioupnp#7)", async () => {
  const body = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(igd2Description.toString("utf8").replace("<friendlyName>OpenWrt router", "<friendlyName>Caf\u0000")),
  ]);
  body[body.indexOf(0)] = 0xe9; // a Latin-1 "é" where UTF-8 was expected
  await withRawServer(reply("HTTP/1.1 200 OK", [`Content-Length: ${body.length}`], body), async (port) => {
    const { description } = await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`);
    assert.equal(description.friendlyName, "Caf\uFFFD");
  });
});

test("a 200 reply that is not XML rejects with InvalidResponseError", async () => {
  await withRawServer(reply("HTTP/1.1 200 OK", ["Content-Length: 2"], "OK"), async (port) => {
    await assert.rejects(fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`), InvalidResponseError);
  });
});

test("a body larger than maxBodyBytes rejects with InvalidResponseError", async () => {
  await withRawServer(reply("HTTP/1.1 200 OK", [`Content-Length: ${igd2Description.length}`], igd2Description), async (port) => {
    await assert.rejects(fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`, { maxBodyBytes: 256 }), InvalidResponseError);
  });
});

test("a server that never answers rejects with TimeoutError", async () => {
  await withRawServer(silent, async (port) => {
    const error = await fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`, { timeoutMs: 200 }).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeoutMs, 200);
  });
});

test("aborting rejects with the caller's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("user cancelled");
  const abortOnRequest: Respond = () => controller.abort(reason);
  await withRawServer(abortOnRequest, async (port) => {
    await assert.rejects(fetchDeviceDescription(`http://127.0.0.1:${port}/rootDesc.xml`, { signal: controller.signal }), (error) => error === reason);
  });
});

test("an already aborted signal rejects with its reason", async () => {
  const reason = new Error("too late");
  await assert.rejects(fetchDeviceDescription("http://127.0.0.1:9/rootDesc.xml", { signal: AbortSignal.abort(reason) }), (error) => error === reason);
});

test("a refused connection rejects with HttpError without a status", async () => {
  // Listen, learn a free port, close: nothing listens there any more.
  let freePort = 0;
  await withRawServer(silent, async (port) => {
    freePort = port;
  });
  const error = await fetchDeviceDescription(`http://127.0.0.1:${freePort}/rootDesc.xml`).catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, undefined);
});

test("an IPv4-mapped local address is reported as plain IPv4", async () => {
  await withRawServer(
    reply("HTTP/1.1 200 OK", [`Content-Length: ${igd2Description.length}`], igd2Description),
    async (port) => {
      const { localAddress } = await fetchDeviceDescription(`http://[::ffff:127.0.0.1]:${port}/rootDesc.xml`);
      assert.equal(localAddress, "127.0.0.1");
    },
    "::",
  );
});
