import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { SocketError } from "../errors/errors.js";
import { addressToBytes } from "./address-bytes.js";

export interface DatagramListenerOptions {
  /**
   * What to listen on: a multicast group (joined on the interface of `interfaceAddress`), or a
   * unicast address such as 127.0.0.1, which tests use so that nothing joins a real network.
   */
  address: string;
  port: number;
  /** Only datagrams from this address and port are passed on; others are dropped unread. */
  source: { address: string; port: number };
  /** Our address on the interface where the group is joined (IPv4), when known. */
  interfaceAddress?: string | undefined;
  /** Listening ends, and the socket closes, when it aborts. */
  signal: AbortSignal;
  onDatagram(bytes: Buffer): void;
}

/** True for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address. */
export function isMulticast(address: string): boolean {
  const bytes = addressToBytes(address);
  return isIPv6(address) ? bytes[0] === 0xff : (bytes[12]! & 0xf0) === 0xe0;
}

/**
 * Listens for datagrams from one source until `signal` aborts; resolves once the socket is bound.
 * The port is shared (SO_REUSEADDR), as every program on the host that watches its gateway listens
 * on the same one.
 */
export async function listenForDatagrams(options: DatagramListenerOptions): Promise<void> {
  options.signal.throwIfAborted();
  const ipv6 = isIPv6(options.address.split("%")[0]!);
  const multicast = isMulticast(options.address);
  const source = Buffer.from(addressToBytes(options.source.address));
  const socket = dgram.createSocket({ type: ipv6 ? "udp6" : "udp4", reuseAddr: true });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    options.signal.removeEventListener("abort", close);
    socket.removeAllListeners("message");
    socket.close();
  };
  socket.on("message", (bytes, sender) => {
    if (sender.port === options.source.port && Buffer.from(addressToBytes(sender.address)).equals(source)) options.onDatagram(bytes);
  });
  await new Promise<void>((resolve, reject) => {
    socket.on("error", (error) => {
      // After the bind, an error ends the watch quietly: there is no caller left to tell.
      close();
      reject(new SocketError(`cannot listen on ${options.address} port ${options.port}: ${error.message}`, error));
    });
    // A group is received on the wildcard address: not every system can bind a multicast address.
    socket.bind({ port: options.port, address: multicast ? (ipv6 ? "::" : "0.0.0.0") : options.address }, () => resolve());
  });
  if (multicast) {
    try {
      socket.addMembership(options.address, ipv6 ? undefined : options.interfaceAddress);
    } catch {
      // The all-hosts groups (224.0.0.1, ff02::1) are joined by the kernel on every multicast
      // interface anyway (RFC 1112, RFC 4291 §2.7.1); the explicit join is for stacks that deliver
      // only the groups a socket joined, and may fail where the group is already joined.
    }
  }
  if (options.signal.aborted) close();
  else options.signal.addEventListener("abort", close, { once: true });
}
