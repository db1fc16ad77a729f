import dgram from "node:dgram";
import net from "node:net";
import { once } from "node:events";
import type { RigTopology } from "./rig-topology.js";

/** A listener on the LAN host that records what reaches it through the gateway. */
export interface LanListener {
  readonly port: number;
  /**
   * The next payload that arrives (a datagram, or all bytes of one TCP connection), or undefined
   * when nothing arrives within `timeoutMs`: that is how a test shows a mapping is gone.
   */
  nextArrival(timeoutMs: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** Listens for UDP on the LAN host's address (192.0.2.2, or `address`) and `port`. */
export async function listenUdpOnLan(rig: RigTopology, port: number, address = rig.lan.ipv4): Promise<LanListener> {
  const socket = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
  const arrivals = new ArrivalQueue();
  socket.on("message", (message) => arrivals.push(message));
  socket.bind(port, address);
  await once(socket, "listening");
  return {
    port,
    nextArrival: (timeoutMs) => arrivals.next(timeoutMs),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Listens for TCP on the LAN host's address (192.0.2.2, or `address`) and `port`; one arrival per connection. */
export async function listenTcpOnLan(rig: RigTopology, port: number, address = rig.lan.ipv4): Promise<LanListener> {
  const arrivals = new ArrivalQueue();
  const connections = new Set<net.Socket>();
  const server = net.createServer((connection) => {
    connections.add(connection);
    const chunks: Buffer[] = [];
    connection.on("data", (chunk: Buffer) => chunks.push(chunk));
    connection.on("error", () => {});
    connection.on("close", () => {
      connections.delete(connection);
      arrivals.push(Buffer.concat(chunks));
    });
  });
  server.listen(port, address);
  await once(server, "listening");
  return {
    port,
    nextArrival: (timeoutMs) => arrivals.next(timeoutMs),
    close: () =>
      new Promise((resolve) => {
        for (const connection of connections) connection.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Payloads in arrival order, each handed to the first caller waiting for one. */
class ArrivalQueue {
  private readonly arrived: Buffer[] = [];
  private readonly waiting: Array<(payload: Buffer) => void> = [];

  push(payload: Buffer): void {
    const waiter = this.waiting.shift();
    if (waiter === undefined) this.arrived.push(payload);
    else waiter(payload);
  }

  next(timeoutMs: number): Promise<Buffer | undefined> {
    const payload = this.arrived.shift();
    if (payload !== undefined) return Promise.resolve(payload);
    return new Promise((resolve) => {
      const waiter = (arrival: Buffer): void => {
        clearTimeout(timer);
        resolve(arrival);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }
}
