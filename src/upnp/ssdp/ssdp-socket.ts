import dgram from "node:dgram";
import { isIPv4 } from "node:net";
import type { NetworkInterfaceInfo } from "node:os";
import { SocketError } from "../../errors/errors.js";
import { systemHostNetwork, type InterfaceTable } from "../../net/host-network.js";

export interface SsdpSocketOptions {
  family: 4 | 6;
  /** Local port to bind; 0 lets the OS pick one. */
  port: number;
  /** When false the multicast settings below are left alone (unicast-only search). */
  multicast: boolean;
  /** Multicast TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  /** IPv4 address, interface name or (IPv6) interface index; `""` keeps the OS default. */
  multicastInterface: string;
  /** The host's interfaces, where a named one is looked up. @default the system's */
  interfaces?: (() => InterfaceTable) | undefined;
  signal?: AbortSignal | undefined;
}

function interfaceAddresses(interfaces: () => InterfaceTable): Array<[string, NetworkInterfaceInfo]> {
  return Object.entries(interfaces()).flatMap(([name, infos]) =>
    (infos ?? []).map((info): [string, NetworkInterfaceInfo] => [name, info]),
  );
}

/**
 * The value `socket.setMulticastInterface` wants for `multicastInterface`, or `undefined` for the
 * OS default. IPv4 takes the interface's address, so a name is looked up; IPv6 takes `::%zone`,
 * so a name is checked and an address is turned into the name of the interface holding it.
 * Throws `SocketError` when no interface matches (the engine reports a bad interface as a socket
 * error too).
 */
export function resolveMulticastInterface(value: string, family: 4 | 6, interfaces: () => InterfaceTable = systemHostNetwork.interfaces): string | undefined {
  const wanted = value.trim();
  if (wanted === "") return undefined;
  if (family === 4) {
    if (isIPv4(wanted)) return wanted;
    const match = interfaceAddresses(interfaces).find(([name, info]) => name === wanted && info.family === "IPv4");
    if (match) return match[1].address;
    throw new SocketError(`no network interface named ${JSON.stringify(wanted)} with an IPv4 address`);
  }
  // A numeric zone is an interface index and is taken as is.
  if (/^\d+$/.test(wanted)) return `::%${wanted}`;
  // An unknown zone name is not an error for the OS: it silently picks the default interface.
  const owner = interfaceAddresses(interfaces).find(([name, info]) => name === wanted || info.address === wanted);
  if (owner) return `::%${owner[0]}`;
  throw new SocketError(`no network interface named or addressed ${JSON.stringify(wanted)}`);
}

function applyMulticastSettings(socket: dgram.Socket, options: SsdpSocketOptions): void {
  const multicastInterface = resolveMulticastInterface(options.multicastInterface, options.family, options.interfaces);
  try {
    socket.setMulticastTTL(options.ttl);
    if (multicastInterface !== undefined) socket.setMulticastInterface(multicastInterface);
  } catch (cause) {
    throw new SocketError(`cannot set up SSDP multicast: ${(cause as Error).message}`, cause);
  }
}

/** Closes a socket that may already be closed. */
export function closeSsdpSocket(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed: nothing left to release.
  }
}

/**
 * A UDP socket bound on every address of one family, ready to send M-SEARCHes. Rejects with
 * `SocketError` when the port cannot be bound (EADDRINUSE on 1900 when the OS SSDP service holds
 * it, node-ssdp#31), or with `signal.reason` on abort; the socket is closed on both paths.
 */
export function bindSsdpSocket(options: SsdpSocketOptions): Promise<dgram.Socket> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    // ipv6Only keeps the families apart, so both sockets can bind the same chosen port.
    const socket = dgram.createSocket({ type: options.family === 6 ? "udp6" : "udp4", ipv6Only: options.family === 6 });
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      if (error === undefined) return resolve(socket);
      closeSsdpSocket(socket);
      reject(error);
    };
    const onAbort = (): void => finish(signal?.reason);
    const onError = (cause: Error): void =>
      finish(new SocketError(`cannot bind UDP${options.family === 6 ? "v6" : ""} port ${options.port}: ${cause.message}`, cause));
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.bind({ port: options.port, address: options.family === 6 ? "::" : "0.0.0.0" }, () => {
      try {
        if (options.multicast) applyMulticastSettings(socket, options);
        finish();
      } catch (error) {
        finish(error);
      }
    });
  });
}
