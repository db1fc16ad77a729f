import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { httpRequest } from "../../src/http/http-request.js";
import { parseHttpUrl } from "../../src/http/http-url.js";

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
  assert.throws(() => parseHttpUrl("https://192.0.2.1/"), /only http:/);
  assert.throws(() => parseHttpUrl("not a url"), /not a valid URL/);
});
