/**
 * Small UDP servers on loopback for the NAT-PMP and PCP client tests: each answers what its
 * handler returns, records what it received, and can also send on its own (announcements,
 * spoofed replies). Nothing here leaves 127.0.0.0/8.
 */
import dgram from "node:dgram";
import type { TestContext } from "node:test";

export interface Endpoint {
  address: string;
  port: number;
}

export interface UdpResponder extends Endpoint {
  /** Every datagram received, in order, with its sender. */
  readonly received: Array<{ bytes: Buffer; from: Endpoint }>;
  /** Sends `bytes` from this responder's socket. */
  send(bytes: Uint8Array, to: Endpoint): Promise<void>;
}

/** Replies to one request: none, one datagram, or several in order. */
export type Answer = Uint8Array | readonly Uint8Array[] | undefined;

/**
 * A UDP server on `address` (a loopback address) that answers each datagram with what
 * `answer(bytes, index, from)` returns; `index` counts the datagrams received so far (0 for the
 * first). Closed after the test.
 */
export async function startUdpResponder(
  t: TestContext,
  answer: (bytes: Buffer, index: number, from: Endpoint) => Answer | Promise<Answer> = () => undefined,
  address = "127.0.0.1",
): Promise<UdpResponder> {
  const socket = dgram.createSocket("udp4");
  const received: UdpResponder["received"] = [];
  const send = (bytes: Uint8Array, to: Endpoint): Promise<void> =>
    new Promise((resolve, reject) => socket.send(bytes, to.port, to.address, (error) => (error ? reject(error) : resolve())));
  socket.on("message", async (bytes, sender) => {
    const from = { address: sender.address, port: sender.port };
    received.push({ bytes, from });
    const replies = await answer(bytes, received.length - 1, from);
    for (const reply of replies === undefined ? [] : replies instanceof Uint8Array ? [replies] : replies) await send(reply, from).catch(() => undefined);
  });
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { address, port: socket.address().port, received, send };
}

/** Open UDP sockets of this process, counted once sockets closed just before are gone (their handles close a turn later). */
export async function openUdpSockets(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return process.getActiveResourcesInfo().filter((name) => name === "UDPWrap").length;
}

/** A port on 127.0.0.1 (or `::1`) where nothing listens (bound, read and closed again). */
export async function unusedUdpPort(address: "127.0.0.1" | "::1" = "127.0.0.1"): Promise<number> {
  const socket = dgram.createSocket(address === "::1" ? "udp6" : "udp4");
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
