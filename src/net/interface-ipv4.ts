import { networkInterfaces } from "node:os";

/**
 * The IPv4 address of the interface that holds `address`. A gateway found over IPv6 still maps
 * IPv4 ports (WANIPConnection is IPv4 NAT), so the internal client must be this host's IPv4
 * address on the same link, not the IPv6 address the description was fetched from.
 */
export function ipv4OfInterfaceWith(address: string): string | undefined {
  const bare = address.split("%")[0]!.toLowerCase();
  for (const entries of Object.values(networkInterfaces())) {
    if (!entries?.some((entry) => entry.address.toLowerCase() === bare)) continue;
    return entries.find((entry) => entry.family === "IPv4" && !entry.internal)?.address ?? entries.find((entry) => entry.family === "IPv4")?.address;
  }
  return undefined;
}
