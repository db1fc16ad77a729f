/** The two IGD services that hold port mappings. */
export type WanConnectionKind = "WANIPConnection" | "WANPPPConnection";

/** What a WAN connection service type says about the service. */
export interface WanServiceType {
  kind: WanConnectionKind;
  version: number;
  /** Lower is preferred; see {@link classifyWanServiceType}. */
  rank: number;
}

// Both the UPnP Forum names and the Broadband Forum (TR-064) ones that FRITZ!Box-style routers
// publish next to them. Case-insensitive: routers are not consistent about it.
const serviceTypePattern = /^urn:(schemas-upnp-org|dslforum-org):service:(WANIPConnection|WANPPPConnection):([1-9][0-9]*)$/i;

/**
 * Recognises a WAN connection service type and ranks it:
 * WANIPConnection:2 (0) > WANIPConnection:1 (1) > WANPPPConnection (2) > dslforum WANIPConnection (3)
 * > dslforum WANPPPConnection (4). IGD:2 has only version 1 of WANPPPConnection, so its version
 * does not change the rank. Returns undefined for every other service.
 */
export function classifyWanServiceType(serviceType: string): WanServiceType | undefined {
  const match = serviceTypePattern.exec(serviceType.trim());
  if (!match) return undefined;
  const legacy = match[1]!.toLowerCase() === "dslforum-org";
  const kind: WanConnectionKind = match[2]!.toLowerCase() === "wanipconnection" ? "WANIPConnection" : "WANPPPConnection";
  const version = Number(match[3]);
  if (legacy) return { kind, version, rank: kind === "WANIPConnection" ? 3 : 4 };
  if (kind === "WANPPPConnection") return { kind, version, rank: 2 };
  return { kind, version, rank: version >= 2 ? 0 : 1 };
}

const firewallControlPattern = /^urn:(schemas-upnp-org|dslforum-org):service:WANIPv6FirewallControl:([1-9][0-9]*)$/i;

/** The version of a WANIPv6FirewallControl service type (IGD:2's IPv6 pinholes), or undefined for any other type. */
export function firewallControlVersion(serviceType: string): number | undefined {
  const match = firewallControlPattern.exec(serviceType.trim());
  return match ? Number(match[2]) : undefined;
}

/** True for `InternetGatewayDevice` of any version, UPnP Forum or TR-064 name. */
export function isGatewayDeviceType(deviceType: string): boolean {
  return /^urn:(schemas-upnp-org|dslforum-org):device:InternetGatewayDevice:[0-9]+$/i.test(deviceType.trim());
}
