import type { HostNetwork } from "./host-network.js";

/** What `interfaceHolding` reads of a host: each interface's addresses. */
export interface AddressesByInterface {
  interfaces(): Readonly<Record<string, readonly { address: string }[] | undefined>>;
}

/** The name of the interface that holds `address` (a zone is ignored), or undefined. */
export function interfaceHolding(host: AddressesByInterface, address: string): string | undefined {
  const bare = address.split("%")[0]!.toLowerCase();
  return Object.entries(host.interfaces()).find(([, infos]) => infos?.some((info) => info.address.toLowerCase() === bare))?.[0];
}

/**
 * The IPv4 address of the interface that holds `address`. A gateway found over IPv6 still maps
 * IPv4 ports (WANIPConnection is IPv4 NAT), so the internal client must be this host's IPv4
 * address on the same link, not the IPv6 address the description was fetched from.
 */
export function ipv4OfInterfaceWith(host: HostNetwork, address: string): string | undefined {
  const name = interfaceHolding(host, address);
  const entries = name === undefined ? [] : (host.interfaces()[name] ?? []);
  return entries.find((entry) => entry.family === "IPv4" && !entry.internal)?.address ?? entries.find((entry) => entry.family === "IPv4")?.address;
}
