import { isIP } from "node:net";
import { addressFromBytes } from "./address-bytes.js";
import { interfaceHolding, type AddressesByInterface } from "./interface-addresses.js";
import type { HostNetwork } from "./host-network.js";

/** A default route: the interface it leaves from and the next hop it leads to, when it has one. */
export interface DefaultRoute {
  interfaceName: string;
  /**
   * Undefined for a route without RTF_GATEWAY (linux/route.h), straight out of its interface
   * (`default dev wg0`, `default dev ppp0`): its far end is a tunnel's or a link's, not a router's address.
   */
  gateway: string | undefined;
}

/** A default route through a router: where NAT-PMP and PCP send their requests. */
export interface GatewayRoute extends DefaultRoute {
  gateway: string;
}

/** What a `/proc/net/route` table says of the way out. */
export interface DefaultRoutes {
  /** The lowest-metric default route with a gateway, on the interface asked for first. */
  gatewayRoute: GatewayRoute | undefined;
  /** The default route the kernel sends by: a gatewayless one, or a VPN's two half-routes, included. */
  routeInUse: DefaultRoute | undefined;
}

interface RouteLine {
  ifname: string;
  /** The gateway as the kernel prints it, in host byte order; 0 for a route without RTF_GATEWAY. */
  gatewayValue: number;
  metric: number;
  /** On the interface the caller asked for. */
  preferred: boolean;
}

// Addresses and masks as the table prints them: 0.0.0.0 and /0; 128.0.0.0 and /1 (host byte order).
const zeroHex = "00000000";
const halfHex = "00000080";

/** The line's route; undefined for one that leads nowhere or cannot be read. */
function routeOf(fields: readonly string[], interfaceName: string | undefined): RouteLine | undefined {
  // Eight hex digits or NaN: a regular expression costs more, cold.
  const gatewayValue = fields[2]!.length === 8 ? Number(`0x${fields[2]}`) : NaN;
  // Unreachable and prohibit (RTF_REJECT) and blackhole routes have no device: the kernel prints `*`.
  if (fields[0] === "*" || Number.isNaN(gatewayValue)) return undefined;
  return { ifname: fields[0]!, gatewayValue, metric: Number(fields[6]), preferred: fields[0] === interfaceName };
}

function addressOf(value: number): string {
  // Host byte order: little-endian on every platform Node runs on.
  return `${value & 255}.${(value >>> 8) & 255}.${(value >>> 16) & 255}.${value >>> 24}`;
}

/**
 * The default routes of a Linux `/proc/net/route` table: the one through a router (preferring
 * `interfaceName` when given, then the lowest metric) and the one the kernel uses.
 */
export function parseDefaultRoutes(routeTable: string, interfaceName?: string): DefaultRoutes {
  // One pass, no sort and as few functions as can be (each one costs some 10 µs the first time it
  // runs): every protocol search runs this, cold, before its first request.
  let gatewayRoute: RouteLine | undefined;
  let lowestRoute: RouteLine | undefined;
  let lowerHalf: RouteLine | undefined;
  let upperHalf = false;
  const lines = routeTable.split("\n");
  for (let index = 1; index < lines.length; index++) {
    const fields = lines[index]!.trim().split(/\s+/);
    // Default routes (0.0.0.0/0) and a VPN's half-routes (0.0.0.0/1 and 128.0.0.0/1, OpenVPN's
    // def1), which take the default route's place only as a pair; no other route.
    const half = fields[7] === halfHex && (fields[1] === zeroHex || fields[1] === halfHex);
    if (!half && !(fields[7] === zeroHex && fields[1] === zeroHex)) continue;
    const route = routeOf(fields, interfaceName);
    if (route === undefined) continue;
    // On a metric tie the kernel takes the route it lists first.
    if (half) {
      if (fields[1] === halfHex) upperHalf = true;
      else if (lowerHalf === undefined || route.metric < lowerHalf.metric) lowerHalf = route;
      continue;
    }
    if (lowestRoute === undefined || route.metric < lowestRoute.metric) lowestRoute = route;
    const better = gatewayRoute === undefined || (route.preferred === gatewayRoute.preferred ? route.metric < gatewayRoute.metric : route.preferred);
    if (route.gatewayValue !== 0 && better) gatewayRoute = route;
  }
  // The pair beats any default route: the kernel takes the longest prefix first, whatever the metrics.
  const inUse = upperHalf && lowerHalf !== undefined ? lowerHalf : lowestRoute;
  return {
    gatewayRoute: gatewayRoute === undefined ? undefined : { gateway: addressOf(gatewayRoute.gatewayValue), interfaceName: gatewayRoute.ifname },
    routeInUse: inUse === undefined ? undefined : { gateway: inUse.gatewayValue === 0 ? undefined : addressOf(inUse.gatewayValue), interfaceName: inUse.ifname },
  };
}

/** The IPv4 default gateway of a `/proc/net/route` table (see `parseDefaultRoutes`). */
export function parseDefaultGateway(routeTable: string, interfaceName?: string): string | undefined {
  return parseDefaultRoutes(routeTable, interfaceName).gatewayRoute?.gateway;
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
export function parseDefaultRouteIPv6(routeTable: string): GatewayRoute | undefined {
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
