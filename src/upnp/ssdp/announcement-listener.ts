import dgram from "node:dgram";
import { isIPv4 } from "node:net";
import { InvalidArgumentError, SocketError } from "../../errors/errors.js";
import { checkOptionsObject, checkPort, checkString } from "../../util/check-arguments.js";
import { SSDP_IPV4_MULTICAST, SSDP_PORT } from "./ssdp-message.js";
import { parseSsdpNotify, type SsdpNotify } from "./ssdp-notify.js";
import { closeSsdpSocket } from "./ssdp-socket.js";

/**
 * Where to hear the NOTIFY announcements of gateways. Nothing is heard unless one of
 * `multicastInterface` or `address` says where: joining the SSDP group is traffic on that
 * interface (an IGMP report), so it is never done on an interface nobody named.
 */
export interface AnnouncementListenOptions {
  /**
   * IPv4 address of the interface on which to join the SSDP group 239.255.255.250 and hear what
   * devices multicast on port 1900, e.g. our address toward the gateway (`WanConnection.localAddress`).
   */
  multicastInterface?: string | undefined;
  /**
   * Local address to bind. Without `multicastInterface` only announcements sent straight to it
   * are heard (tests send them to `127.0.0.1`). @default "0.0.0.0" with `multicastInterface`
   */
  address?: string | undefined;
  /** Local UDP port. 1900 is where devices multicast; a test may pick another. @default 1900 */
  port?: number | undefined;
  /**
   * Options of the UDP socket, over `{ type: "udp4", reuseAddr: true }`: port 1900 is often held
   * by another SSDP listener of the host (node-ssdp#31), and `reuseAddr` lets both hear the group.
   */
  socketOptions?: Partial<dgram.SocketOptions> | undefined;
}

/** Checks listen options at the API edge; `InvalidArgumentError` unless they say where to listen. */
export function checkAnnouncementListenOptions(options: AnnouncementListenOptions | undefined): void {
  checkOptionsObject("announcements", options);
  if (options === undefined) return;
  const multicastInterface = checkString("announcements.multicastInterface", options.multicastInterface);
  const address = checkString("announcements.address", options.address);
  if (options.port !== undefined) checkPort("announcements.port", options.port, true);
  checkOptionsObject("announcements.socketOptions", options.socketOptions);
  if (multicastInterface !== undefined && !isIPv4(multicastInterface)) {
    throw new InvalidArgumentError(`announcements.multicastInterface must be an IPv4 address, got ${JSON.stringify(multicastInterface)}`);
  }
  if (multicastInterface === undefined && address === undefined) {
    throw new InvalidArgumentError("announcements must name a multicastInterface or an address to listen on");
  }
}

/**
 * Listens for SSDP NOTIFY announcements and hands each readable one to `onNotify` with the address
 * it came from, until `signal` aborts. Resolves once listening; rejects with `SocketError` when
 * the socket cannot be bound or the group joined. The socket does not keep the process alive.
 */
export function listenForAnnouncements(
  options: AnnouncementListenOptions,
  onNotify: (notify: SsdpNotify, from: string) => void,
  signal: AbortSignal,
): Promise<void> {
  checkAnnouncementListenOptions(options);
  const { multicastInterface } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: true, ...options.socketOptions });
    const fail = (cause: unknown): void => {
      signal.removeEventListener("abort", onAbort);
      closeSsdpSocket(socket);
      reject(new SocketError(`cannot listen for SSDP announcements: ${(cause as Error).message}`, cause));
    };
    let listening = false;
    const onAbort = (): void => {
      closeSsdpSocket(socket);
      if (!listening) reject(signal.reason);
    };
    socket.once("error", fail);
    socket.on("message", (datagram, from) => {
      const notify = parseSsdpNotify(datagram);
      if (notify !== undefined) onNotify(notify, from.address);
    });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.bind({ address: options.address ?? "0.0.0.0", port: options.port ?? SSDP_PORT }, () => {
      try {
        if (multicastInterface !== undefined) socket.addMembership(SSDP_IPV4_MULTICAST, multicastInterface);
      } catch (cause) {
        return fail(cause);
      }
      listening = true;
      socket.off("error", fail);
      // Later errors concern one datagram; listening goes on.
      socket.on("error", () => {});
      socket.unref();
      resolve();
    });
  });
}
