import type { MappingMethod } from "./port-mapper.js";

const methodNames: Readonly<Record<MappingMethod, string>> = { upnp: "UPnP", natpmp: "NAT-PMP", pcp: "PCP", "upnp-pinhole": "UPnP (IPv6 firewall)" };

/**
 * "UPnP", "NAT-PMP", "PCP": a protocol, or how a mapping was made, in words. One table for the
 * library's messages, the diagnosis and the CLI, so that each names a protocol as the others do.
 */
export function methodName(method: MappingMethod): string {
  return methodNames[method];
}
