import { isIPv6 } from "node:net";
import { addressFromBytes } from "./address-bytes.js";
import type { HostNetwork } from "./host-network.js";

/** An IPv6 address of this host with what the kernel says about it. */
export interface Ipv6AddressInfo {
  address: string;
  interfaceName: string;
  prefixLength: number;
  /** A temporary (privacy, RFC 8981) address: it changes every day or so, so a pinhole to it does not last. */
  temporary: boolean;
  /** Its preferred lifetime ran out: still valid, but new connections should not use it. */
  deprecated: boolean;
  /** Duplicate address detection has not finished (or failed): not usable yet. */
  tentative: boolean;
}

// Flags of `ifa_flags` as /proc/net/if_inet6 prints them (include/uapi/linux/if_addr.h).
const IFA_F_TEMPORARY = 0x01;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;

/**
 * Reads `/proc/net/if_inet6`: one address a line, `address-hex ifindex prefix scope flags name`.
 * Malformed lines are skipped.
 */
export function parseIpv6AddressTable(table: string): Ipv6AddressInfo[] {
  return table.split("\n").flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 6 || !/^[0-9a-f]{32}$/i.test(fields[0]!)) return [];
    const flags = parseInt(fields[4]!, 16);
    const address = addressFromBytes(Buffer.from(fields[0]!, "hex"));
    if (!isIPv6(address) || Number.isNaN(flags)) return [];
    return [
      {
        address,
        interfaceName: fields[5]!,
        prefixLength: parseInt(fields[2]!, 16),
        temporary: (flags & IFA_F_TEMPORARY) !== 0,
        deprecated: (flags & IFA_F_DEPRECATED) !== 0,
        tentative: (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) !== 0,
      },
    ];
  });
}

/**
 * True for an address the internet can send to: not loopback, link-local (fe80::/10), unique
 * local (fc00::/7), multicast or unspecified. Documentation addresses (2001:db8::/32) count as
 * global here, so the namespaces of the test rig behave like a real network.
 */
export function isGlobalIpv6(address: string): boolean {
  const lower = address.toLowerCase();
  if (!isIPv6(lower) || lower === "::" || lower === "::1") return false;
  if (/^fe[89ab]/.test(lower) || /^f[cd]/.test(lower) || lower.startsWith("ff") || lower.startsWith("::ffff:")) return false;
  return true;
}

export interface Ipv6ChoiceOptions {
  /** Allow a temporary (privacy) address when no stable one exists. @default false */
  allowTemporary?: boolean | undefined;
}

/**
 * The address a pinhole should open toward on `interfaceName`: a global one, stable before
 * temporary (a pinhole to a privacy address breaks when the address rotates, and advertising it
 * defeats its purpose), preferred before deprecated. Temporary addresses only when allowed.
 * Undefined when the interface has no such address (then the router has no IPv6 to open).
 */
export function chooseGlobalIpv6(host: HostNetwork, interfaceName: string, options: Ipv6ChoiceOptions = {}): string | undefined {
  const table = host.ipv6AddressTable();
  const candidates =
    table !== undefined
      ? parseIpv6AddressTable(table).filter((info) => info.interfaceName === interfaceName)
      : // Without /proc (not Linux) nothing tells a temporary address apart: take what the interface lists.
        (host.interfaces()[interfaceName] ?? [])
          .filter((info) => info.family === "IPv6")
          .map((info) => ({ address: info.address, interfaceName, prefixLength: 64, temporary: false, deprecated: false, tentative: false }));
  const usable = candidates.filter((info) => isGlobalIpv6(info.address) && !info.tentative && (options.allowTemporary === true || !info.temporary));
  usable.sort((a, b) => Number(a.temporary) - Number(b.temporary) || Number(a.deprecated) - Number(b.deprecated));
  return usable[0]?.address;
}
