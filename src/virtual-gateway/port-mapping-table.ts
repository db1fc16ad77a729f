import type { TransportProtocol } from "../mapping/port-mapper.js";
import { LeaseTable } from "./lease-table.js";

/** One entry of the virtual gateway's port mapping table. */
export interface MappingTableEntry {
  /** Remote host the mapping is limited to; "" means any. */
  readonly remoteHost: string;
  readonly externalPort: number;
  readonly protocol: TransportProtocol;
  readonly internalPort: number;
  readonly internalClient: string;
  readonly enabled: boolean;
  readonly description: string;
  /** Lease granted, in seconds; 0 means permanent. */
  readonly leaseSeconds: number;
  /** When the lease runs out, in milliseconds on the gateway's clock; undefined when permanent. */
  readonly expiresAt: number | undefined;
}

/**
 * The mapping table, keyed on external port and protocol (like miniupnpd, the remote host is
 * stored but not part of the key).
 */
export class PortMappingTable extends LeaseTable<MappingTableEntry> {
  find(externalPort: number, protocol: TransportProtocol): MappingTableEntry | undefined {
    return this.entries().find((entry) => entry.externalPort === externalPort && entry.protocol === protocol);
  }

  /** Adds the mapping, or replaces the one with the same key where it stands. */
  put(mapping: MappingTableEntry): void {
    const index = this.entries().findIndex(
      (entry) => entry.externalPort === mapping.externalPort && entry.protocol === mapping.protocol,
    );
    if (index === -1) this.held.push(mapping);
    else this.held[index] = mapping;
  }

  delete(externalPort: number, protocol: TransportProtocol): boolean {
    const before = this.entries().length;
    this.held = this.held.filter((entry) => !(entry.externalPort === externalPort && entry.protocol === protocol));
    return this.held.length < before;
  }
}
