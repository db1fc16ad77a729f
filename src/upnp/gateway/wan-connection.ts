import { parseHttpUrl } from "../../http/http-url.js";
import { systemHostNetwork } from "../../net/host-network.js";
import { ipv4OfInterfaceWith } from "../../net/interface-addresses.js";
import { isIPv6Literal } from "../../net/ipv6-literal.js";
import { localAddressToward } from "../../net/local-address.js";
import { checkBoolean, checkCallOptions, checkChoice, checkPort, checkRequiredObject, checkString, checkTimeoutMs, checkWholeNumber } from "../../util/check-arguments.js";
import { withDeadline, type CallOptions } from "../../util/deadline.js";
import type { DeviceDescription, WanConnectionService } from "../description/device-description.js";
import * as igd from "../igd/igd-client.js";
import type { PortMappingEntry, TransportProtocol } from "../igd/igd-client.js";
import { defaultMaxEntries, listAllPortMappings, walkPortMappings } from "../igd/port-table-walk.js";
import { HeldMappings, PortMappingAdder, upnpCodeOf, type PortMapping } from "./add-port-mapping.js";
import { probeConnection, type GatewayStatus } from "./connection-status.js";

export { IGD2_MAX_LEASE_SECONDS, type PortMapping } from "./add-port-mapping.js";

/** Lease asked for when the caller names none: finite, so a crashed program leaves nothing for long (net-tools#52). */
export const DEFAULT_LEASE_SECONDS = 3600;
/** Description sent when the caller gives none: names the program that made the mapping. */
export const DEFAULT_DESCRIPTION = "porthole";
/** Time budget of a whole `addPortMapping`, fallbacks and read-back included. */
export const DEFAULT_ADD_TIMEOUT_MS = 20000;

export interface WanConnectionInit {
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
  /** Port on this host that receives the traffic, 1..65535. */
  internalPort: number;
  /** Port opened on the gateway's external address, 1..65535. @default internalPort */
  externalPort?: number | undefined;
  protocol: TransportProtocol | Lowercase<TransportProtocol>;
  /** Shown in the router's UI. @default "porthole" */
  description?: string | undefined;
  /** Lease in seconds; 0 asks for a permanent mapping. @default 3600 */
  leaseSeconds?: number | undefined;
  /** IPv4 address of the host that receives the traffic. @default our address toward the gateway */
  internalClient?: string | undefined;
  /** Only traffic from this remote host is forwarded; "" = any. @default "" */
  remoteHost?: string | undefined;
  /**
   * When the external port is taken (718/729) or the table is full (728), let the gateway pick
   * another port (AddAnyPortMapping on IGDv2) or try other ports. @default false
   */
  anyPort?: boolean | undefined;
  /**
   * Read the entry back after adding it: some routers accept a mapping and drop it at once
   * (tailscale#18196), and IGDv2 routers report the lease they really granted. @default true
   */
  verify?: boolean | undefined;
  /**
   * Retry with lease 0 when the router only takes permanent leases (725, or 402 from ARRIS), and
   * with a week when it refuses 0 (402, net-tools#52). Off: one AddPortMapping, as asked. @default true
   */
  leaseFallback?: boolean | undefined;
}

export interface ListPortMappingsOptions extends CallOptions {
  /** Time budget of the whole listing, every request included. @default 30000 */
  timeoutMs?: number | undefined;
  /** Time budget of each request of the listing. @default 5000 */
  requestTimeoutMs?: number | undefined;
  /**
   * `generic`: GetGenericPortMappingEntry one entry at a time, as miniupnpc's `upnpc -l` does;
   * works on every IGD. `list`: GetListOfPortMappings (IGDv2 only), one request per protocol —
   * faster, but miniupnpd 2.3.1 dies answering it once a protocol holds more than about 130
   * mappings (measured in docs/benchmarks.md), so it is never chosen for you. @default "generic"
   */
  method?: "list" | "generic" | undefined;
  /** With `generic`: most entries read, 1..65536; a router that never says "end of table" stops here. @default 4096 */
  maxEntries?: number | undefined;
}

/** A gateway's mapping table as read. */
export interface PortMappingTable {
  entries: PortMappingEntry[];
  /** True when the read stopped at `maxEntries`: the gateway may hold more. */
  truncated: boolean;
}

function checkProtocol(value: unknown): TransportProtocol {
  checkString("protocol", value);
  return igd.normalizeProtocol(value as string);
}

/**
 * One WAN connection service (WANIPConnection or WANPPPConnection) of an Internet Gateway
 * Device: the thing UPnP port mappings are made on. Obtain one from `findGateway`,
 * `findGateways` or `gatewayFromUrl`, or build one by hand.
 */
export class WanConnection {
  readonly controlUrl: string;
  readonly serviceType: string;
  readonly descriptionUrl: string | undefined;
  readonly description: DeviceDescription | undefined;
  /** The service's version, 1 or 2, from its type (not from what SSDP announced: rust-igd#12). */
  readonly serviceVersion: number;
  /** Result of the last `refreshStatus()`, set by discovery. */
  status: GatewayStatus | undefined;
  /**
   * `BOOTID.UPNP.ORG` of the search reply that found the gateway (UDA 1.1 §1.3.3), set by
   * discovery; a later announcement with another one means the gateway restarted.
   */
  bootId: number | undefined;
  #localAddress: string | undefined;
  readonly #endpoint: igd.ServiceEndpoint;
  readonly #held = new HeldMappings();
  readonly #adder: PortMappingAdder;

  constructor(init: WanConnectionInit) {
    checkRequiredObject("init", init);
    this.controlUrl = parseHttpUrl(checkString("controlUrl", init.controlUrl) ?? "").href;
    this.serviceType = checkString("serviceType", init.serviceType) ?? "";
    this.descriptionUrl = checkString("descriptionUrl", init.descriptionUrl);
    this.description = init.description;
    this.serviceVersion = Number(/:(\d+)\s*$/.exec(this.serviceType)?.[1] ?? 1);
    this.#localAddress = checkString("localAddress", init.localAddress);
    this.#endpoint = { controlUrl: this.controlUrl, serviceType: this.serviceType };
    this.#adder = new PortMappingAdder(this.#endpoint, this.serviceVersion, this.#held);
  }

  /** A connection object for one WAN connection service of a parsed description. */
  static fromService(service: WanConnectionService, init: Omit<WanConnectionInit, "controlUrl" | "serviceType">): WanConnection {
    return new WanConnection({ ...init, controlUrl: service.controlUrl, serviceType: service.serviceType });
  }

  /** Our address on the connection to this gateway (the engine's `igd_our_addr`), when known. */
  get localAddress(): string | undefined {
    return this.#localAddress;
  }

  /** Our address toward the gateway, asked of the routing table when discovery did not tell. */
  async lookUpLocalAddress(): Promise<string> {
    this.#localAddress ??= await localAddressToward(parseHttpUrl(this.controlUrl).host);
    return this.#localAddress;
  }

  /** The address mappings point at by default: ours toward the gateway, as IPv4 when we reach it over IPv6. */
  async #defaultInternalClient(): Promise<string> {
    const address = await this.lookUpLocalAddress();
    return isIPv6Literal(address) ? (ipv4OfInterfaceWith(systemHostNetwork, address) ?? address) : address;
  }

  // Async even where nothing is awaited: a bad option must reject the promise, not throw at the call.

  /** GetExternalIPAddress: the address the internet sees; "" when the router does not know it. */
  async getExternalAddress(options?: CallOptions): Promise<string> {
    checkCallOptions(options);
    return igd.getExternalIPAddress(this.#endpoint, options);
  }

  /** GetStatusInfo: connection status, last connection error, uptime. */
  async getStatusInfo(options?: CallOptions): Promise<igd.StatusInfo> {
    checkCallOptions(options);
    return igd.getStatusInfo(this.#endpoint, options);
  }

  /** GetConnectionTypeInfo: e.g. "IP_Routed", and the types the connection could take. */
  async getConnectionTypeInfo(options?: CallOptions): Promise<igd.ConnectionTypeInfo> {
    checkCallOptions(options);
    return igd.getConnectionTypeInfo(this.#endpoint, options);
  }

  /** Asks the gateway for its connection status and external address, and ranks it. */
  async refreshStatus(options?: CallOptions): Promise<GatewayStatus> {
    checkCallOptions(options);
    this.status = await probeConnection(this.#endpoint, options);
    return this.status;
  }

  /**
   * Adds a mapping and returns what the gateway granted, dealing with the routers that refuse the
   * lease or the port as asked (see the options). A mapping with lease 0 (asked, or the only kind
   * the router takes) stays until deleted: delete it when done.
   */
  async addPortMapping(options: AddPortMappingOptions): Promise<PortMapping> {
    checkRequiredObject("options", options);
    checkCallOptions(options);
    const internalPort = checkPort("internalPort", options.internalPort);
    const request: igd.AddPortMappingRequest = {
      remoteHost: checkString("remoteHost", options.remoteHost) ?? "",
      externalPort: options.externalPort === undefined ? internalPort : checkPort("externalPort", options.externalPort),
      protocol: checkProtocol(options.protocol),
      internalPort,
      internalClient: checkString("internalClient", options.internalClient) ?? "",
      enabled: true,
      description: checkString("description", options.description) ?? DEFAULT_DESCRIPTION,
      leaseSeconds: options.leaseSeconds === undefined ? DEFAULT_LEASE_SECONDS : checkWholeNumber("leaseSeconds", options.leaseSeconds, 0, 0xffffffff, "lease"),
    };
    const policy = {
      anyPort: checkBoolean("anyPort", options.anyPort) ?? false,
      verify: checkBoolean("verify", options.verify) ?? true,
      leaseFallback: checkBoolean("leaseFallback", options.leaseFallback) ?? true,
    };
    // Everything that can fail is checked before the router is touched (tailscale PR #20781).
    if (request.internalClient !== "") igd.validateAddPortMapping(request);
    return withDeadline("adding a port mapping", options.timeoutMs ?? DEFAULT_ADD_TIMEOUT_MS, options.signal, async (signal) => {
      if (request.internalClient === "") {
        request.internalClient = await this.#defaultInternalClient();
        igd.validateAddPortMapping(request);
      }
      return this.#adder.add(request, policy, { signal, callerSignal: options.signal });
    });
  }

  /** DeletePortMapping of this external port and protocol (e.g. a `PortMapping` from `addPortMapping`). */
  async deletePortMapping(
    mapping: { externalPort: number; protocol: TransportProtocol | Lowercase<TransportProtocol>; remoteHost?: string | undefined },
    options?: CallOptions,
  ): Promise<void> {
    checkRequiredObject("mapping", mapping);
    checkCallOptions(options);
    const key = {
      externalPort: checkPort("externalPort", mapping.externalPort),
      protocol: checkProtocol(mapping.protocol),
      remoteHost: checkString("remoteHost", mapping.remoteHost) ?? "",
    };
    await igd.deletePortMapping(this.#endpoint, key, options);
    this.#held.delete(key);
  }

  /** The entry for this port, or undefined when the gateway has none (714). */
  async getPortMapping(
    externalPort: number,
    protocol: TransportProtocol | Lowercase<TransportProtocol>,
    options?: CallOptions & { remoteHost?: string | undefined },
  ): Promise<PortMappingEntry | undefined> {
    checkCallOptions(options);
    const key = { externalPort: checkPort("externalPort", externalPort), protocol: checkProtocol(protocol), remoteHost: checkString("remoteHost", options?.remoteHost) ?? "" };
    try {
      return await igd.getSpecificPortMappingEntry(this.#endpoint, key, options);
    } catch (error) {
      if (upnpCodeOf(error) === 714) return undefined;
      throw error;
    }
  }

  /** The gateway's mapping table, and whether the read stopped at `maxEntries`. */
  async listPortMappings(options: ListPortMappingsOptions = {}): Promise<PortMappingTable> {
    checkCallOptions(options);
    checkTimeoutMs("requestTimeoutMs", options.requestTimeoutMs);
    const method = checkChoice("method", options.method, ["generic", "list"] as const) ?? "generic";
    if (method === "list") return { entries: await listAllPortMappings(this.#endpoint, options), truncated: false };
    checkWholeNumber("maxEntries", options.maxEntries ?? defaultMaxEntries, 1, 65536);
    return walkPortMappings(this.#endpoint, options);
  }
}
