import type { TransportProtocol } from "../mapping/port-mapper.js";
import type { GatewayState } from "./action-context.js";
import { permittedExternalPort } from "./permission-rules.js";
import type { MappingTableEntry } from "./port-mapping-table.js";

/**
 * The mapping table as NAT-PMP and PCP use it, modelled on miniupnpd 2.3.1 (natpmp.c,
 * pcpserver.c): the same table UPnP uses, so each protocol sees and collides with the others'
 * mappings. miniupnpd tells who made a mapping only by its description, and so does this.
 */

/** The description miniupnpd gives a NAT-PMP mapping; its NAT-PMP deletes remove only these. */
export function natPmpDescription(externalPort: number, protocol: TransportProtocol): string {
  return `NAT-PMP ${externalPort} ${protocol.toLowerCase()}`;
}

export function isNatPmpMapping(entry: MappingTableEntry): boolean {
  return entry.description.startsWith("NAT-PMP");
}

/** The description miniupnpd gives a PCP mapping: the nonce is kept in it, and a delete must match it. */
export function pcpDescription(nonce: Uint8Array): string {
  return `PCP MAP ${Buffer.from(nonce).toString("hex")}`;
}

export interface PortWanted {
  protocol: TransportProtocol;
  internalClient: string;
  internalPort: number;
  /** Where the search starts: the suggested port, or the internal port when none was suggested. */
  firstPort: number;
  /** PCP's PREFER_FAILURE: a port the rules refuse is then a failure rather than skipped. */
  preferFailure: boolean;
}

export type PortSearch =
  /** Free, or held by the same internal client and port (the mapping is then replaced: a renewal). */
  | { kind: "found"; externalPort: number }
  /** PREFER_FAILURE and the first port is refused by the rules (PCP CANNOT_PROVIDE_EXTERNAL). */
  | { kind: "cannot-provide" }
  /** Every port refused by the rules (NAT-PMP 2, PCP NOT_AUTHORIZED). */
  | { kind: "refused" }
  /** Ports allowed, but every one taken (NAT-PMP 4, PCP NO_RESOURCES). */
  | { kind: "exhausted" };

/**
 * miniupnpd's search for an external port: from the first port upwards, wrapping past 65535 and
 * skipping 0, until a port the rules allow that is free or already this client's for this
 * internal port. A port another client holds is skipped even under PREFER_FAILURE: the Debian
 * build checks ports in use before it looks at the option (measured, ../shared pmp-pcp notes).
 * It does not look for this client's mapping on another port: a renewal must suggest its port.
 */
export function findExternalPort(state: GatewayState, wanted: PortWanted): PortSearch {
  let anyAllowed = false;
  for (let step = 0, port = wanted.firstPort; step < 65535; step++, port = port === 65535 ? 1 : port + 1) {
    if (!permittedExternalPort(state, port)) {
      if (wanted.preferFailure) return { kind: "cannot-provide" };
      continue;
    }
    anyAllowed = true;
    const holder = state.table.find(port, wanted.protocol);
    if (holder === undefined || (holder.internalClient === wanted.internalClient && holder.internalPort === wanted.internalPort)) {
      return { kind: "found", externalPort: port };
    }
  }
  return anyAllowed ? { kind: "exhausted" } : { kind: "refused" };
}

/** Why a mapping could not be stored once its port was found. */
export type StoreFailure = "private-wan" | "table-full";

/**
 * Stores a NAT-PMP or PCP mapping granted for `lifetimeSeconds`, replacing the one on its port.
 * miniupnpd with a private WAN address refuses every redirect; a `tableLimit` refuses new ones.
 */
export function storePortControlMapping(
  state: GatewayState,
  mapping: { protocol: TransportProtocol; externalPort: number; internalClient: string; internalPort: number; description: string; lifetimeSeconds: number },
): StoreFailure | undefined {
  const { quirks } = state.config;
  if (quirks.privateWanAddress) return "private-wan";
  const isNew = state.table.find(mapping.externalPort, mapping.protocol) === undefined;
  if (isNew && quirks.tableLimit !== undefined && state.table.size >= quirks.tableLimit) return "table-full";
  state.table.put({
    remoteHost: "",
    externalPort: mapping.externalPort,
    protocol: mapping.protocol,
    internalPort: mapping.internalPort,
    internalClient: mapping.internalClient,
    enabled: true,
    description: mapping.description,
    leaseSeconds: mapping.lifetimeSeconds,
    expiresAt: state.table.expiryFor(mapping.lifetimeSeconds),
  });
  return undefined;
}
