import type { TransportProtocol } from "../mapping/port-mapper.js";
import { LeaseTable } from "./lease-table.js";

/** What a pinhole lets in: traffic from a remote host and port to one of the LAN's IPv6 addresses and ports. */
export interface PinholeFlow {
  /** Only traffic from this IPv6 host; "" means any. */
  readonly remoteHost: string;
  /** Only traffic from this port; 0 means any. */
  readonly remotePort: number;
  readonly internalClient: string;
  readonly internalPort: number;
  readonly protocol: TransportProtocol;
}

/** One entry of the virtual gateway's IPv6 firewall: a pinhole, opened through UPnP or PCP. */
export interface PinholeTableEntry extends PinholeFlow {
  /** The UniqueID WANIPv6FirewallControl names it by, 1 to 65534. */
  readonly uniqueId: number;
  /** Lease granted, in seconds: pinholes are never permanent. */
  readonly leaseSeconds: number;
  /** When the lease runs out, in milliseconds on the gateway's clock. */
  readonly expiresAt: number;
  /** Who made it, as miniupnpd says: `IGD2 pinhole` (UPnP) or `PCP MAP <nonce in hex>`; a PCP delete must match it. */
  readonly description: string;
  /** Packets let through, as GetPinholePackets reports them. */
  readonly packets: number;
}

/** miniupnpd's nftables backend counts UniqueIDs from 1 and starts again at 1 after 65534. */
const firstUniqueId = 1;
const defaultLastUniqueId = 65534;

function sameFlow(a: PinholeFlow, b: PinholeFlow): boolean {
  return (
    a.remoteHost === b.remoteHost && a.remotePort === b.remotePort && a.internalClient === b.internalClient && a.internalPort === b.internalPort && a.protocol === b.protocol
  );
}

/** The pinhole table, keyed on UniqueID; one pinhole per flow. */
export class PinholeTable extends LeaseTable<PinholeTableEntry> {
  #nextId = firstUniqueId;
  readonly #lastUniqueId: number;

  /** @param lastUniqueId the UniqueID after which counting starts again at 1 (lower in tests, to reach the end) */
  constructor(now: () => number, lastUniqueId = defaultLastUniqueId) {
    super(now);
    this.#lastUniqueId = lastUniqueId;
  }

  get(uniqueId: number): PinholeTableEntry | undefined {
    return this.entries().find((entry) => entry.uniqueId === uniqueId);
  }

  /** The pinhole of exactly this flow, if there is one. */
  findFlow(flow: PinholeFlow): PinholeTableEntry | undefined {
    return this.entries().find((entry) => sameFlow(entry, flow));
  }

  /** Opens a pinhole under the next free UniqueID; undefined when every UniqueID is taken. */
  add(flow: PinholeFlow, leaseSeconds: number, description: string): PinholeTableEntry | undefined {
    const held = new Set(this.entries().map((entry) => entry.uniqueId));
    if (held.size >= this.#lastUniqueId - firstUniqueId + 1) return undefined;
    while (held.has(this.#nextId)) this.#advance();
    const entry: PinholeTableEntry = { ...flow, uniqueId: this.#nextId, leaseSeconds, expiresAt: this.#expiry(leaseSeconds), description, packets: 0 };
    this.#advance();
    this.held.push(entry);
    return entry;
  }

  /** A new lease counted from now, and (miniupnpd 2.3.1's renewal bug) perhaps a new description. */
  renew(uniqueId: number, leaseSeconds: number, description?: string): void {
    this.#change(uniqueId, (entry) => ({ ...entry, leaseSeconds, expiresAt: this.#expiry(leaseSeconds), description: description ?? entry.description }));
  }

  /** Counts packets as if they went through the pinhole. */
  countPackets(uniqueId: number, packets: number): void {
    this.#change(uniqueId, (entry) => ({ ...entry, packets: Math.min(0xffffffff, entry.packets + packets) }));
  }

  delete(uniqueId: number): void {
    this.held = this.held.filter((entry) => entry.uniqueId !== uniqueId);
  }

  #change(uniqueId: number, change: (entry: PinholeTableEntry) => PinholeTableEntry): void {
    const index = this.entries().findIndex((entry) => entry.uniqueId === uniqueId);
    if (index !== -1) this.held[index] = change(this.held[index]!);
  }

  #expiry(leaseSeconds: number): number {
    return this.expiryFor(leaseSeconds)!;
  }

  #advance(): void {
    this.#nextId = this.#nextId === this.#lastUniqueId ? firstUniqueId : this.#nextId + 1;
  }
}
