import { MappingDroppedError, UpnpActionError } from "../../errors/errors.js";
import * as igd from "../igd/igd-client.js";
import { outcomeIsUnknown, removeAnyPortMappingIfOurs, removeMappingIfOurs } from "../igd/remove-own-mapping.js";
import type { PortMappingEntry, TransportProtocol } from "../igd/igd-client.js";

/** What routers turn a permanent lease into on IGDv2 (WANIPConnection:2 forbids 0; miniupnpd uses a week). */
export const IGD2_MAX_LEASE_SECONDS = 604800;

/** A mapping the gateway confirmed. */
export interface PortMapping {
  protocol: TransportProtocol;
  /** The port opened on the gateway's external address (may differ from the one asked for with `anyPort`). */
  externalPort: number;
  /** The port on `internalClient` that receives the traffic. */
  internalPort: number;
  /** The LAN host that receives the traffic. */
  internalClient: string;
  description: string;
  /** The lease the gateway granted, in seconds; 0 = permanent. */
  leaseSeconds: number;
  /** Only traffic from this host is forwarded; "" = any. */
  remoteHost: string;
}

/** How `addPortMapping` deals with a router that refuses the request as asked. */
export interface AddPolicy {
  /** Let the gateway pick another external port when the one asked for is taken. */
  anyPort: boolean;
  /** Read the entry back after adding it. */
  verify: boolean;
  /** Retry with the lease the router takes when it refuses the one asked for. */
  leaseFallback: boolean;
}

/** The signals of one add: the call's deadline (every request runs under it), and the caller's own. */
export interface AddSignals {
  signal: AbortSignal;
  callerSignal: AbortSignal | undefined;
}

/**
 * The mappings one WAN connection object made and has not deleted, by key. Adding one of them
 * again renews its lease; if that renewal ends without a clear answer the mapping must stay,
 * since the caller knows of it.
 */
export class HeldMappings {
  readonly #keys = new Set<string>();

  static keyOf(mapping: { protocol: TransportProtocol; externalPort: number; remoteHost?: string | undefined }): string {
    return `${mapping.protocol}/${mapping.externalPort}/${mapping.remoteHost ?? ""}`;
  }

  has(mapping: Parameters<typeof HeldMappings.keyOf>[0]): boolean {
    return this.#keys.has(HeldMappings.keyOf(mapping));
  }

  add(mapping: Parameters<typeof HeldMappings.keyOf>[0]): void {
    this.#keys.add(HeldMappings.keyOf(mapping));
  }

  delete(mapping: Parameters<typeof HeldMappings.keyOf>[0]): void {
    this.#keys.delete(HeldMappings.keyOf(mapping));
  }
}

/** The port is taken (718 ConflictInMappingEntry, 729 ConflictWithOtherMechanisms) or none is left (728). */
const portTakenCodes: ReadonlySet<number> = new Set([718, 728, 729]);

export function upnpCodeOf(error: unknown): number | undefined {
  return error instanceof UpnpActionError ? error.upnpCode : undefined;
}

function portIsTaken(error: unknown): boolean {
  return portTakenCodes.has(upnpCodeOf(error) ?? 0);
}

function toPortMapping(request: igd.AddPortMappingRequest): PortMapping {
  return {
    protocol: request.protocol,
    externalPort: request.externalPort,
    internalPort: request.internalPort,
    internalClient: request.internalClient,
    description: request.description,
    leaseSeconds: request.leaseSeconds,
    remoteHost: request.remoteHost ?? "",
  };
}

/** Random external ports tried on IGDv1 when the asked one is taken (go-libp2p#1543). */
const randomPortAttempts = 8;

/**
 * AddPortMapping with the fallbacks real routers need, on one WAN connection service: another
 * lease when the router refuses the one asked for, another port when it is taken, and a read-back
 * that catches routers which accept a mapping and drop it. Whatever fails without a clear answer
 * is removed again, so the caller is never left with a mapping it does not know about.
 */
export class PortMappingAdder {
  constructor(
    private readonly endpoint: igd.ServiceEndpoint,
    private readonly serviceVersion: number,
    private readonly held: HeldMappings,
  ) {}

  async add(request: igd.AddPortMappingRequest, policy: AddPolicy, signals: AddSignals): Promise<PortMapping> {
    const added = await this.#addWithFallbacks(request, policy, signals);
    const mapping = policy.verify ? await this.#verify(added, signals, this.held.has(added)) : toPortMapping(added);
    // Held only once confirmed: a mapping the router dropped, or one the read-back gave up on, is not.
    this.held.add(added);
    return mapping;
  }

  async #addWithFallbacks(request: igd.AddPortMappingRequest, policy: AddPolicy, signals: AddSignals): Promise<igd.AddPortMappingRequest> {
    try {
      return await this.#addWithLeaseFallback(request, policy, signals);
    } catch (error) {
      if (!policy.anyPort || !portIsTaken(error)) throw error;
      return this.#addOnAnotherPort(request, policy, signals, error);
    }
  }

  /**
   * Routers that only take permanent leases (725, tailscale#9343; ARRIS answers 402,
   * tailscale#15223) get lease 0; the reverse quirk, a router capping leases, rejects 0 with 402
   * (net-tools#52) and gets IGDv2's longest lease.
   */
  async #addWithLeaseFallback(request: igd.AddPortMappingRequest, policy: AddPolicy, signals: AddSignals): Promise<igd.AddPortMappingRequest> {
    try {
      await this.#addOnce(request, signals);
      return request;
    } catch (error) {
      if (!policy.leaseFallback) throw error;
      const code = upnpCodeOf(error);
      // A 725 to a permanent lease would only be asked the same again.
      const permanentOnly = (code === 725 || code === 402) && request.leaseSeconds !== 0;
      const finiteOnly = code === 402 && request.leaseSeconds === 0;
      if (!permanentOnly && !finiteOnly) throw error;
      const retry = { ...request, leaseSeconds: permanentOnly ? 0 : IGD2_MAX_LEASE_SECONDS };
      await this.#addOnce(retry, signals);
      return retry;
    }
  }

  /**
   * One AddPortMapping. When it fails without a clear answer (time-out, reset, abort), the request
   * may still have reached the router: the mapping is then removed again if it is there, unless
   * the caller already held it (this was a renewal).
   */
  async #addOnce(request: igd.AddPortMappingRequest, signals: AddSignals): Promise<void> {
    try {
      await igd.addPortMapping(this.endpoint, request, { signal: signals.signal });
    } catch (error) {
      if (outcomeIsUnknown(error) && !this.held.has(request)) await removeMappingIfOurs(this.endpoint, request);
      throw error;
    }
  }

  /** IGDv2 lets the gateway choose (AddAnyPortMapping); v1 gets a few random ports (go-libp2p#1543). */
  async #addOnAnotherPort(request: igd.AddPortMappingRequest, policy: AddPolicy, signals: AddSignals, first: unknown): Promise<igd.AddPortMappingRequest> {
    if (this.serviceVersion >= 2) {
      try {
        const reservedPort = await igd.addAnyPortMapping(this.endpoint, request, { signal: signals.signal });
        return { ...request, externalPort: reservedPort };
      } catch (error) {
        if (outcomeIsUnknown(error)) await removeAnyPortMappingIfOurs(this.endpoint, request, (entry) => this.held.has(entry));
        // 401 Invalid Action / 602 Optional Action Not Implemented: an IGDv2 without it; try by hand.
        if (upnpCodeOf(error) !== 401 && upnpCodeOf(error) !== 602) throw error;
      }
    }
    for (let attempt = 0; attempt < randomPortAttempts; attempt++) {
      const externalPort = 1024 + Math.floor(Math.random() * (65535 - 1024));
      try {
        return await this.#addWithLeaseFallback({ ...request, externalPort }, policy, signals);
      } catch (error) {
        if (!portIsTaken(error)) throw error;
      }
    }
    throw first;
  }

  /** `renewal`: the caller already held this mapping before the add, so giving up must not remove it. */
  async #verify(added: igd.AddPortMappingRequest, signals: AddSignals, renewal: boolean): Promise<PortMapping> {
    let entry: PortMappingEntry;
    try {
      entry = await igd.getSpecificPortMappingEntry(this.endpoint, added, { signal: signals.signal });
    } catch (error) {
      if (upnpCodeOf(error) === 714) {
        this.held.delete(added);
        throw new MappingDroppedError(
          `the gateway accepted ${added.protocol} port ${added.externalPort} but does not list it: it dropped the mapping`,
          { protocol: "upnp", protocolCode: 714, cause: error },
        );
      }
      // The caller gave up and will not learn of a new mapping, so it must not stay.
      if (signals.callerSignal?.aborted) {
        if (!renewal) await removeMappingIfOurs(this.endpoint, added);
        throw error;
      }
      // A router that cannot answer GetSpecificPortMappingEntry still made the mapping.
      return toPortMapping(added);
    }
    return { ...toPortMapping(added), leaseSeconds: entry.leaseSeconds, internalClient: entry.internalClient || added.internalClient };
  }
}
