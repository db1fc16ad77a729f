// Hostile answers to an M-SEARCH, on loopback: a flood of 10,000 replies, and replies whose
// LOCATION points somewhere porthole must not go.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { SsdpTraceEvent } from "../../src/upnp/ssdp/ssdp-search.js";
import { collectSsdp } from "./support/collect-ssdp.js";
import { runHostileClient } from "./hostile-child.js";

/** A device on 127.0.0.1 that answers the first M-SEARCH with `replies` datagrams. */
async function startReplier(t: TestContext, replies: (index: number) => string, count: number): Promise<{ port: number; sent: () => number }> {
  const socket = dgram.createSocket("udp4");
  let sent = 0;
  let answered = false;
  socket.on("message", (_message, peer) => {
    if (answered) return;
    answered = true;
    for (let index = 0; index < count; index++) {
      socket.send(replies(index), peer.port, peer.address, (error) => {
        if (!error) sent++;
      });
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, sent: () => sent };
}

/** An HTTP server that counts connections and answers 404. */
async function startCountingServer(t: TestContext, host = "127.0.0.1"): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const reply = (location: string, usn: string): string =>
  `HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSN: ${usn}\r\nLOCATION: ${location}\r\n\r\n`;

test("a flood of 10,000 SSDP replies: at most maxDevices are probed, refused LOCATIONs are reported, and the process exits by itself", async (t) => {
  const counting = await startCountingServer(t);
  const locations = [
    (i: number) => `http://127.0.0.1:${counting.port}/device-${i}.xml`,
    (i: number) => `http://10.99.0.${i % 250}:5000/rootDesc.xml`,
    (i: number) => `https://127.0.0.1:${counting.port}/tls-${i}.xml`,
    (i: number) => `http://localhost:${counting.port}/name-${i}.xml`,
  ];
  const flood = await startReplier(t, (i) => reply(locations[i % locations.length]!(i), `uuid:flood-${i}`), 10_000);
  const maxDevices = 16;

  const result = await runHostileClient(["find", String(flood.port), "1000", String(maxDevices)], 20_000);

  assert.equal(result.exitedByItself, true, "the process was still running long after the search");
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(flood.sent(), 10_000);
  assert.equal(result.outcome?.name, "NoGatewayError", result.outcome?.message);
  assert.ok(counting.connections() > 0, "the acceptable LOCATIONs were probed");
  assert.ok(counting.connections() <= maxDevices, `${counting.connections()} devices probed`);
  assert.ok((result.outcome?.refused ?? 0) > 0, "refused LOCATIONs are reported through onTrace");
});

test("LOCATIONs on another network, with another scheme or a host name are not followed and are traced with the reason", async (t) => {
  const refused = ["http://10.99.0.1:5000/rootDesc.xml", "https://127.0.0.1:5000/x.xml", "file:///etc/passwd", "http://localhost:5000/x.xml"];
  const replier = await startReplier(t, (i) => reply(refused[i]!, `uuid:r-${i}`), refused.length);
  const events: SsdpTraceEvent[] = [];
  const replies = await collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: replier.port }], listenMs: 400, retransmits: 1, onTrace: (event) => events.push(event) });
  assert.deepEqual(replies, []);
  const reasons = events.flatMap((event) => (event.type === "location-refused" ? [[event.reply.location, event.reason]] : []));
  assert.equal(reasons.length, refused.length);
  assert.match(reasons.find(([location]) => location === refused[0])![1]!, /neither the replying host .* nor on a network/);
  assert.match(reasons.find(([location]) => location === refused[1])![1]!, /only http: URLs/);
  assert.match(reasons.find(([location]) => location === refused[3])![1]!, /names the host "localhost", not an address/);
});

test("allowForeignLocations follows any http: LOCATION, and a reply from 127.0.0.1 naming 127.0.0.1 is always followed", async (t) => {
  const locations = ["http://10.99.0.1:5000/rootDesc.xml", "http://127.0.0.1:5000/rootDesc.xml", "https://10.99.0.1/"];
  const replier = await startReplier(t, (i) => reply(locations[i]!, `uuid:a-${i}`), locations.length);
  const strict = await collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: replier.port }], listenMs: 300, retransmits: 1 });
  assert.deepEqual(strict.map((r) => r.location), ["http://127.0.0.1:5000/rootDesc.xml"]);

  const lenientReplier = await startReplier(t, (i) => reply(locations[i]!, `uuid:b-${i}`), locations.length);
  const lenient = await collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: lenientReplier.port }], listenMs: 300, retransmits: 1, allowForeignLocations: true });
  assert.deepEqual(lenient.map((r) => r.location).sort(), ["http://10.99.0.1:5000/rootDesc.xml", "http://127.0.0.1:5000/rootDesc.xml"]);
});
