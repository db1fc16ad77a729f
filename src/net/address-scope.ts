import { isIPv4, isIPv6 } from "node:net";

/**
 * What kind of address a gateway reports as its external one. Anything but `public` means the
 * gateway sits behind another NAT (double NAT, CGNAT), so its mappings are not reachable from the
 * internet (miniupnp#647, #732).
 */
export type AddressScope = "public" | "private" | "cgnat" | "reserved" | "loopback" | "link-local" | "unspecified" | "invalid";

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

const ipv4Ranges: ReadonlyArray<readonly [string, number, AddressScope]> = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "reserved"],
  ["240.0.0.0", 4, "reserved"],
];

export function addressScope(address: string): AddressScope {
  if (isIPv4(address)) {
    const value = ipv4ToNumber(address);
    for (const [base, bits, scope] of ipv4Ranges) {
      const size = 2 ** (32 - bits);
      const start = ipv4ToNumber(base);
      if (value >= start && value < start + size) return scope;
    }
    return "public";
  }
  if (isIPv6(address)) {
    const lower = address.toLowerCase();
    if (lower === "::") return "unspecified";
    if (lower === "::1") return "loopback";
    if (/^fe[89ab]/.test(lower)) return "link-local";
    if (/^f[cd]/.test(lower)) return "private";
    if (lower.startsWith("2001:db8:") || lower.startsWith("2001:0db8:")) return "reserved";
    if (lower.startsWith("::ffff:")) return addressScope(lower.slice(7));
    return "public";
  }
  return "invalid";
}

/** True when mappings on a gateway with this external address are reachable from the internet. */
export function isPublicAddress(address: string): boolean {
  return addressScope(address) === "public";
}

/** Scopes that are no WAN address at all, as opposed to one behind another NAT. */
const unusableScopes: ReadonlySet<AddressScope> = new Set(["unspecified", "loopback", "link-local", "invalid"]);

/** True for an external address that is an address a WAN link can have (maybe behind another NAT). */
export function isUsableAddressScope(scope: AddressScope): boolean {
  return !unusableScopes.has(scope);
}
