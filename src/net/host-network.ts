import { readFileSync } from "node:fs";
import os from "node:os";

/** The host's interfaces, as `os.networkInterfaces()` reports them. */
export type InterfaceTable = Readonly<Record<string, readonly os.NetworkInterfaceInfo[] | undefined>>;

/**
 * Everything porthole reads about the host's own network, behind one small interface: planning
 * a search or choosing a gateway is then a pure function of it, and tests hand in a host of
 * their own instead of reading this machine's routing table.
 */
export interface HostNetwork {
  interfaces(): InterfaceTable;
  /** Linux's IPv4 routing table (`/proc/net/route`), or undefined where there is none. */
  ipv4RouteTable(): string | undefined;
  /**
   * Linux's IPv6 address list with each address's flags (`/proc/net/if_inet6`): it tells a
   * temporary (privacy) address from a stable one, which `os.networkInterfaces()` does not.
   */
  ipv6AddressTable(): string | undefined;
  /** Linux's IPv6 routing table (`/proc/net/ipv6_route`), or undefined where there is none. */
  ipv6RouteTable(): string | undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** This machine's network, read when asked (interfaces come and go). */
export const systemHostNetwork: HostNetwork = {
  interfaces: () => os.networkInterfaces(),
  ipv4RouteTable: () => readOrUndefined("/proc/net/route"),
  ipv6AddressTable: () => readOrUndefined("/proc/net/if_inet6"),
  ipv6RouteTable: () => readOrUndefined("/proc/net/ipv6_route"),
};

/**
 * `host`, each table read at most once: one look at the host for a search whose parts ask the same
 * question (a protocol search reads the default route for NAT-PMP and PCP and for SSDP's unicast).
 */
export function readOnce(host: HostNetwork): HostNetwork {
  const once = <T>(read: () => T): (() => T) => {
    let result: { value: T } | undefined;
    return () => (result ??= { value: read() }).value;
  };
  return {
    interfaces: once(() => host.interfaces()),
    ipv4RouteTable: once(() => host.ipv4RouteTable()),
    ipv6AddressTable: once(() => host.ipv6AddressTable()),
    ipv6RouteTable: once(() => host.ipv6RouteTable()),
  };
}

/** One address prefix of a local interface. */
export interface LocalNetwork {
  interfaceName: string;
  /** e.g. `192.168.1.10/24`, `fe80::1/64`. */
  cidr: string;
}

/** Every prefix of every interface of `host`. */
export function localNetworks(host: HostNetwork): LocalNetwork[] {
  return Object.entries(host.interfaces()).flatMap(([interfaceName, infos]) =>
    (infos ?? []).flatMap((info) => (info.cidr === null ? [] : [{ interfaceName, cidr: info.cidr }])),
  );
}
