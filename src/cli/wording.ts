import type { DefaultRoute } from "../net/default-gateway.js";
import { isIPv6Literal } from "../net/ipv6-literal.js";
import { addressScope, type AddressScope } from "../net/address-scope.js";
import { isUsableAddressScope } from "../net/address-scope.js";

/** "1h 2m 5s", "45s"; 0 is "permanent". */
export function formatLease(seconds: number): string {
  if (seconds === 0) return "permanent";
  const parts: string[] = [];
  const units: Array<[number, string]> = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
  let rest = seconds;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(" ");
}

/** "a permanent lease", "a lease of 1h". */
export function aLease(seconds: number): string {
  return seconds === 0 ? "a permanent lease" : `a lease of ${formatLease(seconds)}`;
}

/**
 * The read-back reports the seconds left, so a gateway that took a moment to answer (or a lease
 * read a second after it was granted) shows a little less than was asked: that is the lease asked.
 */
const leaseReadBackSlackSeconds = 5;

/** The lease to report: `granted`, or `asked` when `granted` is only the time spent reading it back. */
export function grantedLease(asked: number, granted: number): number {
  // 0 is a permanent lease, not one that ran down.
  return granted > 0 && granted < asked && asked - granted <= leaseReadBackSlackSeconds ? asked : granted;
}

/** "via 192.168.1.1 on eth0"; "on ppp0, no gateway" for a route straight out of its interface; "none". */
export function defaultRouteWords(route: DefaultRoute | undefined): string {
  if (route === undefined) return "none";
  return route.gateway === undefined ? `on ${route.interfaceName}, no gateway` : `via ${route.gateway} on ${route.interfaceName}`;
}

/** `WANIPConnection:2` from `urn:schemas-upnp-org:service:WANIPConnection:2`. */
export function shortServiceType(serviceType: string): string {
  return /:service:(.+)$/.exec(serviceType)?.[1] ?? serviceType;
}

/** `192.0.2.1:1900`, `[fe80::1]:1900`: an IPv6 address in brackets wherever a port follows it. */
export function hostPort(address: string, port: number): string {
  return isIPv6Literal(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

const scopeWords: Partial<Record<AddressScope, string>> = {
  private: "a private address",
  cgnat: "a carrier-grade NAT address (100.64.0.0/10, your provider shares one public address)",
  reserved: "a reserved or documentation address",
  loopback: "a loopback address",
  "link-local": "a link-local address",
  unspecified: "no address",
  invalid: "not an address",
};

/** What an external address means for the mappings made on its gateway. */
export interface ExternalAddressVerdict {
  /** Another NAT sits between the gateway and the internet: `doubleNat` in `--json`. */
  doubleNat: boolean;
  /** Why mappings will not be reachable from the internet, for text mode; undefined when they will. */
  note: string | undefined;
}

/**
 * The one judgement of an external address, for text and JSON alike (`doubleNat` is true exactly
 * when the note speaks of double NAT). An empty address counts as double NAT: miniupnpd blanks a
 * WAN address that is not public (miniupnp#647).
 */
export function externalAddressVerdict(externalAddress: string | null | undefined): ExternalAddressVerdict {
  if (externalAddress === undefined || externalAddress === null || externalAddress === "") {
    return {
      doubleNat: true,
      note: "the gateway reports no external address: another NAT sits between it and the internet (double NAT), or it is not connected; mappings will not be reachable from the internet",
    };
  }
  const scope = addressScope(externalAddress);
  if (scope === "public") return { doubleNat: false, note: undefined };
  if (!isUsableAddressScope(scope)) {
    return {
      doubleNat: false,
      note: `the external address ${externalAddress} is ${scopeWords[scope] ?? scope}: the gateway has no usable WAN address, so mappings will not be reachable from the internet`,
    };
  }
  return {
    doubleNat: true,
    note: `the external address ${externalAddress} is ${scopeWords[scope] ?? scope}: another NAT sits between this gateway and the internet (double NAT), so mappings will not be reachable from the internet`,
  };
}
