import { UPNPResult } from "../compat/result-codes.js";
import type { DeviceDescription, WanConnectionService } from "../description/device-description.js";
import { PortholeError, UpnpActionError } from "../errors/errors.js";
import * as igd from "../igd/igd-client.js";
import { outcomeIsUnknown, removeAnyPortMappingIfOurs, removeMappingIfOurs } from "../igd/remove-own-mapping.js";
import type { PortMappingEntry, Protocol } from "../igd/igd-client.js";
import { withDeadline, type CallOptions } from "../util/deadline.js";
import { isIPv6 } from "node:net";
import { ipv4OfInterfaceWith } from "../util/interface-ipv4.js";
import { localAddressToward } from "../util/local-address.js";
import { parseHttpUrl } from "../http/http-url.js";
import { probeConnection, type GatewayStatus } from "./gateway-status.js";

/** Lease asked for when the caller names none: finite, so a crashed program leaves nothing for long (net-tools#52). */
export const DEFAULT_LEASE_SECONDS = 3600;
/** What routers turn a permanent lease into on IGDv2 (WANIPConnection:2 forbids 0; miniupnpd uses a week). */
export const IGD2_MAX_LEASE_SECONDS = 604800;
/** Description sent when the caller gives none: names the program that made the mapping. */
export const DEFAULT_DESCRIPTION = "porthole";
/** Time budget of a whole `addPortMapping`, fallbacks and read-back included. */
export const DEFAULT_ADD_TIMEOUT_MS = 20000;

export interface GatewayInit {
  /** Absolute URL of the WAN connection service's control point. */
  controlUrl: string;
  /** The service type, e.g. `urn:schemas-upnp-org:service:WANIPConnection:2`. */
  serviceType: string;
  /** Our address toward the gateway; looked up from the routing table when omitted. */
  localAddress?: string | undefined;
  /** LOCATION of the device description the service came from, when known. */
  descriptionUrl?: string | undefined;
  /** The parsed device description, when known. */
  description?: DeviceDescription | undefined;
}

export interface AddPortMappingOptions extends CallOptions {
  /** Time budget of the whole call, lease and port fallbacks and read-back included. @default 20000 */
  timeoutMs?: number | undefined;
  /** Port on this host that receives the traffic. */
  internalPort: number;
  /** Port opened on the gateway's external address. @default internalPort */
  externalPort?: number;
  protocol: Protocol | Lowercase<Protocol>;
  /** Shown in the router's UI. @default "porthole" */
  description?: string;
  /** Lease in seconds; 0 asks for a permanent mapping. @default 3600 */
  leaseSeconds?: number;
  /** Host that receives the traffic. @default our address toward the gateway */
  internalClient?: string;
  /** Only traffic from this remote host is forwarded; "" = any. @default "" */
  remoteHost?: string;
  /**
   * When the external port is taken (718/729) or the table refuses it, let the gateway pick
   * another port (AddAnyPortMapping on IGDv2) or try other ports. @default false
   */
  anyPort?: boolean;
  /**
   * Read the entry back after adding it: some routers accept a mapping and drop it at once
   * (tailscale#18196), and IGDv2 routers report the lease they really granted. @default true
   */
  verify?: boolean;
  /**
   * Retry with lease 0 when the router only takes permanent leases (725, or 402 from ARRIS), and
   * with a week when it refuses 0 (402, net-tools#52). Off: one AddPortMapping, as asked. @default true
   */
  leaseFallback?: boolean;
}

/** A mapping the gateway confirmed. */
export interface PortMapping {
  protocol: Protocol;
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

export interface ListPortMappingsOptions extends CallOptions {
  /**
   * `generic`: GetGenericPortMappingEntry one entry at a time, as miniupnpc's `upnpc -l` does;
   * works on every IGD. `list`: GetListOfPortMappings (IGDv2 only), one request per protocol —
   * faster, but miniupnpd 2.3.1 dies answering it once a protocol holds more than about 130
   * mappings (measured in docs/benchmarks.md), so it is never chosen for you. @default "generic"
   */
  method?: "list" | "generic";
}

const conflictResults = new Set([
  UPNPResult.CONFLICT_WITH_OTHER_MAPPING,
  UPNPResult.CONFLICT_WITH_OTHER_MECHANISM,
  UPNPResult.NO_PORT_MAPS_AVAILABLE,
]);

function upnpCodeOf(error: unknown): number | undefined {
  return error instanceof UpnpActionError ? error.upnpCode : undefined;
}

/**
 * One WAN connection service of an Internet Gateway Device: the thing port mappings are made on.
 * Obtain one from `findGateway`, `findGateways` or `gatewayFromUrl`, or build one by hand.
 */
export class Gateway {
  readonly controlUrl: string;
  readonly serviceType: string;
  readonly descriptionUrl: string | undefined;
  readonly description: DeviceDescription | undefined;
  /** 1 or 2, from the service type (not from what SSDP announced: rust-igd#12). */
  readonly igdVersion: number;
  /** Result of the last `refreshStatus()`, set by discovery. */
  status: GatewayStatus | undefined;
  #localAddress: string | undefined;
  readonly #endpoint: igd.ServiceEndpoint;
  /**
   * Mappings this object added and has not deleted. Adding one again renews its lease; if that
   * renewal ends without a clear answer the mapping must stay, since the caller knows of it.
   */
  readonly #confirmed = new Set<string>();

  constructor(init: GatewayInit) {
    this.controlUrl = parseHttpUrl(init.controlUrl).href;
    this.serviceType = init.serviceType;
    this.descriptionUrl = init.descriptionUrl;
    this.description = init.description;
    this.igdVersion = Number(/:(\d+)\s*$/.exec(init.serviceType)?.[1] ?? 1);
    this.#localAddress = init.localAddress;
    this.#endpoint = { controlUrl: this.controlUrl, serviceType: this.serviceType };
  }

  /** A gateway for one WAN connection service of a parsed description. */
  static fromService(service: WanConnectionService, init: Omit<GatewayInit, "controlUrl" | "serviceType">): Gateway {
    return new Gateway({ ...init, controlUrl: service.controlUrl, serviceType: service.serviceType });
  }

  /** Our address on the connection to this gateway (`igd_our_addr`). */
  get localAddress(): string | undefined {
    return this.#localAddress;
  }

  /** Our address toward the gateway, asked of the routing table when discovery did not tell. */
  async ourAddress(): Promise<string> {
    this.#localAddress ??= await localAddressToward(parseHttpUrl(this.controlUrl).host);
    return this.#localAddress;
  }

  /** The address mappings point at by default: ours toward the gateway, as IPv4 when we reach it over IPv6. */
  async #defaultInternalClient(): Promise<string> {
    const address = await this.ourAddress();
    return isIPv6(address) ? (ipv4OfInterfaceWith(address) ?? address) : address;
  }

  /** GetExternalIPAddress: the address the internet sees; "" when the router does not know it. */
  getExternalAddress(options?: CallOptions): Promise<string> {
    return igd.getExternalIPAddress(this.#endpoint, options);
  }

  /** GetStatusInfo: connection status, last connection error, uptime. */
  getStatusInfo(options?: CallOptions): Promise<igd.StatusInfo> {
    return igd.getStatusInfo(this.#endpoint, options);
  }

  /** GetConnectionTypeInfo: e.g. "IP_Routed", and the types the connection could take. */
  getConnectionTypeInfo(options?: CallOptions): Promise<igd.ConnectionTypeInfo> {
    return igd.getConnectionTypeInfo(this.#endpoint, options);
  }

  /** Asks the gateway for its connection status and external address, and ranks it. */
  async refreshStatus(options?: CallOptions): Promise<GatewayStatus> {
    this.status = await probeConnection(this.#endpoint, options);
    return this.status;
  }

  /**
   * Adds a mapping and returns what the gateway granted. Handles the lease quirks: routers that
   * only take permanent leases (725, tailscale#9343; ARRIS answers 402, tailscale#15223) get lease
   * 0, and the caller should delete the mapping when done.
   */
  async addPortMapping(options: AddPortMappingOptions): Promise<PortMapping> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_ADD_TIMEOUT_MS;
    return withDeadline("adding a port mapping", timeoutMs, options.signal, async (signal) => {
      // Each step runs under the call's budget; `callerSignal` still tells a caller's abort apart.
      const steps: StepOptions = { ...options, signal, timeoutMs: undefined, callerSignal: options.signal };
      const internalClient = options.internalClient ?? (await this.#defaultInternalClient());
      const request: igd.AddPortMappingRequest = {
        remoteHost: options.remoteHost ?? "",
        externalPort: options.externalPort ?? options.internalPort,
        protocol: igd.normalizeProtocol(options.protocol),
        internalPort: options.internalPort,
        internalClient,
        enabled: true,
        description: options.description ?? DEFAULT_DESCRIPTION,
        leaseDuration: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      };
      igd.validateAddPortMapping(request);
      const added = await this.#addWithFallbacks(request, steps);
      this.#confirmed.add(mappingKey(added));
      if (options.verify === false) return toPortMapping(added);
      return this.#verify(added, steps);
    });
  }

  async #addWithFallbacks(request: igd.AddPortMappingRequest, options: StepOptions): Promise<igd.AddPortMappingRequest> {
    try {
      return await this.#addWithLeaseFallback(request, options);
    } catch (error) {
      if (!options.anyPort || !(error instanceof PortholeError) || !conflictResults.has(error.result)) throw error;
      return this.#addOnAnotherPort(request, options, error);
    }
  }

  async #addWithLeaseFallback(request: igd.AddPortMappingRequest, options: StepOptions): Promise<igd.AddPortMappingRequest> {
    try {
      await this.#addOnce(request, options);
      return request;
    } catch (error) {
      if (options.leaseFallback === false) throw error;
      const code = upnpCodeOf(error);
      const permanentOnly = code === 725 || (code === 402 && request.leaseDuration !== 0);
      // The reverse quirk: a router capping leases rejects 0 with 402 (net-tools#52).
      const finiteOnly = code === 402 && request.leaseDuration === 0;
      if (!permanentOnly && !finiteOnly) throw error;
      const retry = { ...request, leaseDuration: permanentOnly ? 0 : IGD2_MAX_LEASE_SECONDS };
      await this.#addOnce(retry, options);
      return retry;
    }
  }

  /**
   * One AddPortMapping. When it fails without a clear answer (time-out, reset, abort), the request
   * may still have reached the router: the mapping is then removed again if it is there, so the
   * caller is never left with a mapping it does not know about.
   */
  async #addOnce(request: igd.AddPortMappingRequest, options: StepOptions): Promise<void> {
    try {
      await igd.addPortMapping(this.#endpoint, request, options);
    } catch (error) {
      if (outcomeIsUnknown(error) && !this.#confirmed.has(mappingKey(request))) await removeMappingIfOurs(this.#endpoint, request);
      throw error;
    }
  }

  /** IGDv2 lets the gateway choose (AddAnyPortMapping); v1 gets a few random ports (go-libp2p#1543). */
  async #addOnAnotherPort(request: igd.AddPortMappingRequest, options: StepOptions, first: PortholeError): Promise<igd.AddPortMappingRequest> {
    if (this.igdVersion >= 2) {
      try {
        const reservedPort = await igd.addAnyPortMapping(this.#endpoint, request, options);
        return { ...request, externalPort: reservedPort };
      } catch (error) {
        if (outcomeIsUnknown(error)) {
          await removeAnyPortMappingIfOurs(this.#endpoint, request, (entry) => this.#confirmed.has(mappingKey(entry)));
        }
        if (upnpCodeOf(error) !== 401 && upnpCodeOf(error) !== 602) throw error;
      }
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const externalPort = 1024 + Math.floor(Math.random() * (65535 - 1024));
      try {
        return await this.#addWithLeaseFallback({ ...request, externalPort }, options);
      } catch (error) {
        if (!(error instanceof PortholeError) || !conflictResults.has(error.result)) throw error;
      }
    }
    throw first;
  }

  async #verify(added: igd.AddPortMappingRequest, options: StepOptions): Promise<PortMapping> {
    let entry: PortMappingEntry;
    try {
      entry = await igd.getSpecificPortMappingEntry(this.#endpoint, added, options);
    } catch (error) {
      if (upnpCodeOf(error) === 714) {
        throw new PortholeError(
          `the gateway accepted ${added.protocol} port ${added.externalPort} but does not list it: it dropped the mapping`,
          { result: UPNPResult.ACTION_FAILED, upnpCode: 714, cause: error },
        );
      }
      // The caller gave up and will not learn of the mapping, so it must not stay.
      if (options.callerSignal?.aborted) {
        this.#confirmed.delete(mappingKey(added));
        await removeMappingIfOurs(this.#endpoint, added);
        throw error;
      }
      // A router that cannot answer GetSpecificPortMappingEntry still made the mapping.
      return toPortMapping(added);
    }
    return { ...toPortMapping(added), leaseSeconds: entry.leaseDuration, internalClient: entry.internalClient || added.internalClient };
  }

  /** DeletePortMapping of this external port and protocol (e.g. a `PortMapping` from `addPortMapping`). */
  async deletePortMapping(mapping: { externalPort: number; protocol: Protocol | Lowercase<Protocol>; remoteHost?: string }, options?: CallOptions): Promise<void> {
    const key = { externalPort: mapping.externalPort, protocol: igd.normalizeProtocol(mapping.protocol), remoteHost: mapping.remoteHost ?? "" };
    await igd.deletePortMapping(this.#endpoint, key, options);
    this.#confirmed.delete(mappingKey(key));
  }

  /** The entry for this port, or undefined when the gateway has none (714). */
  async getPortMapping(externalPort: number, protocol: Protocol | Lowercase<Protocol>, options?: CallOptions & { remoteHost?: string }): Promise<PortMappingEntry | undefined> {
    try {
      return await igd.getSpecificPortMappingEntry(
        this.#endpoint,
        { externalPort, protocol: igd.normalizeProtocol(protocol), remoteHost: options?.remoteHost ?? "" },
        options,
      );
    } catch (error) {
      if (upnpCodeOf(error) === 714) return undefined;
      throw error;
    }
  }

  /** The gateway's whole mapping table. */
  listPortMappings(options: ListPortMappingsOptions = {}): Promise<PortMappingEntry[]> {
    return options.method === "list"
      ? igd.listAllPortMappings(this.#endpoint, options)
      : igd.listPortMappings(this.#endpoint, options);
  }
}

/** Options of the steps inside `addPortMapping`: the call's deadline signal, and the caller's own. */
interface StepOptions extends Omit<AddPortMappingOptions, "signal"> {
  signal: AbortSignal;
  callerSignal: AbortSignal | undefined;
}

function mappingKey(mapping: { protocol: Protocol; externalPort: number; remoteHost?: string }): string {
  return `${mapping.protocol}/${mapping.externalPort}/${mapping.remoteHost ?? ""}`;
}

function toPortMapping(request: igd.AddPortMappingRequest): PortMapping {
  return {
    protocol: request.protocol,
    externalPort: request.externalPort,
    internalPort: request.internalPort,
    internalClient: request.internalClient,
    description: request.description,
    leaseSeconds: request.leaseDuration,
    remoteHost: request.remoteHost ?? "",
  };
}
