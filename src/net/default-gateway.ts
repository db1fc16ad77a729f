import { isIP } from "node:net";
import { addressFromBytes } from "./address-bytes.js";
import { interfaceHolding, type AddressesByInterface } from "./interface-addresses.js";
import type { HostNetwork } from "./host-network.js";

/** The IPv4 default route: where it leads and which interface it leaves from. */
export interface DefaultRoute {
  gateway: string;
  interfaceName: string;
}

/**
 * The IPv4 default route from a Linux `/proc/net/route` table, preferring the route on
 * `interfaceName` when given, then the lowest metric. Undefined when there is none.
 */
export function parseDefaultRoute(routeTable: string, interfaceName?: string): DefaultRoute | undefined {
  // One pass and no sort: every protocol search runs this, cold, before its first request.
  let best: { ifname: string; gatewayHex: string; metric: number; preferred: boolean } | undefined;
  const lines = routeTable.split("\n");
  for (let index = 1; index < lines.length; index++) {
    const fields = lines[index]!.trim().split(/\s+/);
    // Destination and mask 0: a VPN's half-routes (0.0.0.0/1 and 128.0.0.0/1, OpenVPN's def1)
    // also start at 0.0.0.0 and are not the way to the router.
    if (fields.length < 8 || fields[1] !== "00000000" || fields[7] !== "00000000" || fields[2] === "00000000" || !/^[0-9A-Fa-f]{8}$/.test(fields[2]!)) continue;
    const route = { ifname: fields[0]!, gatewayHex: fields[2]!, metric: Number(fields[6]), preferred: fields[0] === interfaceName };
    if (best === undefined || (route.preferred ? !best.preferred || route.metric < best.metric : !best.preferred && route.metric < best.metric)) best = route;
  }
  if (best === undefined) return undefined;
  // The kernel prints the address in host byte order: little-endian on every platform Node runs on.
  const bytes = [6, 4, 2, 0].map((offset) => parseInt(best.gatewayHex.slice(offset, offset + 2), 16));
  return { gateway: bytes.join("."), interfaceName: best.ifname };
}

/** The IPv4 default gateway of a `/proc/net/route` table (see `parseDefaultRoute`). */
export function parseDefaultGateway(routeTable: string, interfaceName?: string): string | undefined {
  return parseDefaultRoute(routeTable, interfaceName)?.gateway;
}

/**
 * The interface name `multicastInterface` stands for: it may be an address of the interface, but
 * the route table lists names. Undefined for an address no interface holds. The interfaces are
 * read only for an address: listing them costs more than the rest of a PCP request's own work.
 */
export function interfaceNameOf(nameOrAddress: string, host: AddressesByInterface): string | undefined {
  return isIP(nameOrAddress) === 0 ? nameOrAddress : interfaceHolding(host, nameOrAddress);
}

/**
 * The host's IPv4 default gateway (Linux only; undefined elsewhere or without one), preferring
 * the route on `interfaceNameOrAddress` (an interface name or one of its addresses) when given.
 */
export function defaultGatewayIPv4(host: HostNetwork, interfaceNameOrAddress?: string): string | undefined {
  const table = host.ipv4RouteTable();
  if (table === undefined) return undefined;
  const interfaceName = interfaceNameOrAddress === undefined ? undefined : interfaceNameOf(interfaceNameOrAddress, host);
  return parseDefaultGateway(table, interfaceName);
}

/**
 * The IPv6 default route from a Linux `/proc/net/ipv6_route` table (`dest plen src plen nexthop
 * metric refcnt use flags name`, addresses in hex): the lowest metric wins. A link-local next hop
 * (the usual case: routers advertise themselves from fe80::/10) gets the interface as its zone,
 * without which it cannot be reached.
 */
export function parseDefaultRouteIPv6(routeTable: string): DefaultRoute | undefined {
  const routes = routeTable
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 10 && /^0{32}$/.test(fields[0]!) && fields[1] === "00" && /^[0-9a-f]{32}$/i.test(fields[4]!) && !/^0{32}$/.test(fields[4]!))
    .map((fields) => ({ nextHop: fields[4]!.toLowerCase(), metric: parseInt(fields[5]!, 16), ifname: fields[9]! }))
    .sort((a, b) => a.metric - b.metric);
  const best = routes[0];
  if (best === undefined) return undefined;
  const address = addressFromBytes(Buffer.from(best.nextHop, "hex"));
  return { gateway: /^fe[89ab]/.test(address) ? `${address}%${best.ifname}` : address, interfaceName: best.ifname };
}

/** The host's IPv6 default gateway (Linux only), with a zone when it is link-local. */
export function defaultGatewayIPv6(host: HostNetwork): string | undefined {
  const table = host.ipv6RouteTable();
  return table === undefined ? undefined : parseDefaultRouteIPv6(table)?.gateway;
}
