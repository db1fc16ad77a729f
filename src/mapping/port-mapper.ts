import type { GatewayProtocol } from "../errors/errors.js";
import type { CallOptions } from "../util/deadline.js";

/** TCP or UDP: what a mapping forwards. */
export type TransportProtocol = "TCP" | "UDP";

/**
 * How a mapping was made: the protocol the gateway spoke, and for UPnP whether it is an IPv4 port
 * mapping or an IPv6 firewall pinhole (WANIPv6FirewallControl; PCP does both with one method).
 */
export type MappingMethod = GatewayProtocol | "upnp-pinhole";

/** What a caller asks a port mapper for, whatever the protocol. */
export interface MapRequest {
  protocol: TransportProtocol | Lowercase<TransportProtocol>;
  /** Port on this host that receives the traffic, 1..65535. */
  internalPort: number;
  /** The external port wanted, 1..65535; the gateway may grant another (see `anyPort`). @default internalPort */
  externalPort?: number | undefined;
  /** Lease asked for, in seconds; 0 asks for a permanent mapping where the protocol has one. @default 3600 */
  leaseSeconds?: number | undefined;
  /** Shown in the router's UI where the protocol carries one (UPnP). @default "porthole" */
  description?: string | undefined;
  /**
   * Accept another external port when the wanted one is taken. Off, a taken port is an error
   * (PCP asks with PREFER_FAILURE; UPnP makes no AddAnyPortMapping). @default true
   */
  anyPort?: boolean | undefined;
}

/** What identifies a mapping on its gateway, enough to remove it from another process. */
export interface MappingKey {
  protocol: TransportProtocol | Lowercase<TransportProtocol>;
  internalPort: number;
  externalPort: number;
}

/**
 * A port mapping one gateway granted, whatever the protocol: where the internet reaches it, where
 * it leads, how long it lasts, and how to renew and release it.
 */
export interface Mapping {
  readonly method: MappingMethod;
  readonly protocol: TransportProtocol;
  /** The gateway's external address as it said it with the mapping, undefined when it did not say. */
  readonly externalAddress: string | undefined;
  readonly externalPort: number;
  /** The LAN host that receives the traffic. */
  readonly internalClient: string;
  readonly internalPort: number;
  /** The lease granted, in seconds; 0 = permanent. */
  readonly leaseSeconds: number;
  /** A UPnP IPv6 pinhole's UniqueID, as the firewall numbered it; undefined for every other kind. */
  readonly pinholeId?: number | undefined;
  /** When it was granted, in milliseconds on the mapper's clock (`Date.now` unless given another). */
  readonly grantedAt: number;
  /** When the lease runs out; undefined for a permanent mapping. */
  readonly goodUntil: number | undefined;
  /** When to ask again, half-way through the lease (RFC 6886 §3.3); undefined for a permanent mapping. */
  readonly renewAfter: number | undefined;
  /** Asks the gateway for this mapping again and returns what it granted now (maybe another port). */
  renew(options?: CallOptions): Promise<Mapping>;
  /** Removes the mapping from the gateway. */
  release(options?: CallOptions): Promise<void>;
}

/**
 * What a check of a mapping found: whether the gateway still has it, and whether the gateway
 * showed signs of having restarted (and so of having lost every mapping) since the last check.
 */
export interface MappingCheck {
  /** `unknown` when the gateway could not tell (no answer, or a protocol that cannot read a mapping back). */
  state: "present" | "missing" | "unknown";
  /**
   * The gateway restarted or lost its state since the mapping was granted or last checked: UPnP
   * uptime going down or a changed BOOTID, a NAT-PMP/PCP epoch lower than expected (RFC 6886
   * §3.6, RFC 6887 §8.5).
   */
  gatewayRestarted: boolean;
  /** The external address as the gateway reports it now, when the check learnt it. */
  externalAddress?: string | undefined;
}

/** What a gateway announces by itself (or what its silence means), as a watcher hears it. */
export type GatewayEvent =
  /** The gateway restarted (SSDP ssdp:alive with a new BOOTID, a PCP ANNOUNCE, a NAT-PMP epoch reset): re-add mappings now. */
  | { type: "restarted"; reason: string }
  /** The gateway announced a new external address (NAT-PMP address announcement, RFC 6886 §3.2.1). */
  | { type: "external-address"; address: string };

/**
 * One gateway, spoken to in one protocol. UPnP, NAT-PMP and PCP each implement it, so code above
 * it (the mapping manager, the command line) never asks which protocol is in use.
 */
export interface PortMapper {
  readonly method: MappingMethod;
  /** Where requests go: the gateway's address (a control URL's host for UPnP). */
  readonly gatewayAddress: string;
  /** Maps a port; rejects with a `PortholeError` saying why the gateway refused. */
  map(request: MapRequest, options?: CallOptions): Promise<Mapping>;
  /** Removes a mapping by its key, also one made by another process. */
  unmap(key: MappingKey, options?: CallOptions): Promise<void>;
  /** The gateway's external address; rejects with `NoExternalAddressError` when it has no usable one. */
  getExternalAddress(options?: CallOptions): Promise<string>;
  /** Asks the gateway whether `mapping` still stands and whether it restarted since it was granted. */
  check(mapping: Mapping, options?: CallOptions): Promise<MappingCheck>;
  /**
   * Listens for what the gateway announces by itself (see `GatewayEvent`) until `signal` aborts.
   * Resolves once listening has started; a protocol with nothing to hear resolves at once.
   */
  watch(listener: (event: GatewayEvent) => void, options: { signal: AbortSignal }): Promise<void>;
}

/**
 * How long removing a mapping may take once the caller's budget is spent (the doctor's test
 * mapping; a NAT-PMP or PCP mapping whose MAP went unanswered): a router acts on the request when
 * it arrives, so this is for sending it and for a router on the LAN to confirm it.
 */
export const removalGraceMs = 250;

/** The half-way renewal time of a lease granted at `grantedAt` (ms); undefined when permanent. */
export function leaseTimes(grantedAt: number, leaseSeconds: number): Pick<Mapping, "grantedAt" | "goodUntil" | "renewAfter"> {
  if (leaseSeconds === 0) return { grantedAt, goodUntil: undefined, renewAfter: undefined };
  return { grantedAt, goodUntil: grantedAt + leaseSeconds * 1000, renewAfter: grantedAt + leaseSeconds * 500 };
}
