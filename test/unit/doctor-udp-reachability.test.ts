import assert from "node:assert/strict";
import dgram from "node:dgram";
import { once } from "node:events";
import { test } from "node:test";
import { hasRouteTo, probeUdpPort } from "../../src/doctor/udp-reachability.js";

async function udpServer(answer: boolean): Promise<{ port: number; close(): void }> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, peer) => {
    if (answer) socket.send(message, peer.port, peer.address);
  });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return { port: socket.address().port, close: () => socket.close() };
}

/** A loopback port nothing listens on: bound and closed again, so the kernel refuses it. */
async function closedPort(): Promise<number> {
  const server = await udpServer(false);
  server.close();
  return server.port;
}

test("a service that answers is answered; a closed port is refused at once; one that ignores us is silent", async () => {
  const echo = await udpServer(true);
  const mute = await udpServer(false);
  try {
    assert.equal(await probeUdpPort("127.0.0.1", echo.port, Buffer.from("hi")), "answered");
    assert.equal(await probeUdpPort("127.0.0.1", await closedPort(), Buffer.from("hi"), { timeoutMs: 5000 }), "refused");
    assert.equal(await probeUdpPort("127.0.0.1", mute.port, Buffer.from("hi"), { timeoutMs: 200 }), "silent");
  } finally {
    echo.close();
    mute.close();
  }
});

test("the caller's abort rejects with its reason", async () => {
  const mute = await udpServer(false);
  try {
    const reason = new Error("stop");
    await assert.rejects(probeUdpPort("127.0.0.1", mute.port, Buffer.from("hi"), { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  } finally {
    mute.close();
  }
});

test("a socket error other than a refusal is reported, never thrown: a link-local address without its zone (EINVAL)", async () => {
  // The kernel refuses to connect to a link-local address without an interface, before anything
  // is sent: no datagram leaves this machine.
  assert.equal(await probeUdpPort("fe80::1", 5351, Buffer.from([0, 0]), { timeoutMs: 2000 }), "unreachable");
});

// The other side (a namespace without a route) is in the real-gateway suite: this machine's own
// routes decide what a unit test would see.
test("loopback has a route", async () => {
  assert.equal(await hasRouteTo("127.0.0.1", 1900), true);
});
