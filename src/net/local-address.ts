import dgram from "node:dgram";
import { SocketError } from "../errors/errors.js";
import { isIPv6Literal } from "./ipv6-literal.js";

/** Strips the `::ffff:` prefix (any case) Node puts on IPv4 peers of dual-stack sockets. */
export function unmapIPv4(address: string): string {
  return address.toLowerCase().startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * Our address on the route toward `host`: the address a gateway sees us as, used as the
 * InternalClient of a mapping. Connecting a UDP socket only asks the kernel for a route; no
 * packet is sent.
 */
export function localAddressToward(host: string, port = 80): Promise<string> {
  const bare = host.split("%")[0]!;
  const socket = dgram.createSocket(isIPv6Literal(bare) ? "udp6" : "udp4");
  return new Promise<string>((resolve, reject) => {
    const fail = (cause: Error): void => {
      socket.close();
      reject(new SocketError(`no route toward ${host}: ${cause.message}`, cause));
    };
    socket.once("error", fail);
    // A failed connect (ENETUNREACH: no route) goes to this callback, not to "error".
    socket.connect(port, host, (error?: Error) => {
      if (error) return fail(error);
      const { address } = socket.address();
      socket.close();
      resolve(unmapIPv4(address));
    });
  });
}
