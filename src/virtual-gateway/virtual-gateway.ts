import { InvalidArgumentError } from "../errors/errors.js";
import { encodeNatPmpResponse } from "../natpmp/natpmp-responses.js";
import { epochSeconds, uptimeSeconds, type GatewayState } from "./action-context.js";
import { httpOrigin } from "./description-documents.js";
import { buildDeviceModel, descriptionPath } from "./device-model.js";
import { resolveConfig, type ConnectionStatus, type GatewayEndpoint, type VirtualGatewayOptions } from "./gateway-config.js";
import { startGatewayHttpServer, type GatewayHttpServer } from "./gateway-http-server.js";
import { natPmpAddressResponse } from "./natpmp-answers.js";
import { pcpAnnouncement } from "./pcp-answers.js";
import { startPortControlServer, type PortControlServer } from "./port-control-server.js";
import { PinholeTable, type PinholeTableEntry } from "./pinhole-table.js";
import { PortMappingTable, type MappingTableEntry } from "./port-mapping-table.js";
import type { GatewayProtocols } from "./quirk-profiles.js";
import type { SoapRequestRecord } from "./soap-server.js";
import { startSsdpResponder, type SsdpResponder } from "./ssdp-responder.js";

/** How often expired leases are swept even when nobody reads the table. */
const expirySweepIntervalMs = 1000;

export type { VirtualGatewayOptions, ConnectionStatus, GatewayEndpoint } from "./gateway-config.js";

/** A running in-process gateway: UPnP IGD, NAT-PMP and PCP over one mapping table. */
export interface VirtualGateway {
  /** The protocols it answers. Reading the address of one that is off throws an `InvalidArgumentError`. */
  readonly protocols: GatewayProtocols;
  /** URL of the root device description, as the SSDP replies' LOCATION gives it (UPnP). */
  readonly descriptionUrl: string;
  /** Where to send unicast M-SEARCH (UPnP). */
  readonly ssdpAddress: GatewayEndpoint;
  /** The description and control server's TCP port (UPnP). */
  readonly httpPort: number;
  /** Where NAT-PMP and PCP requests go: one UDP socket for both, as miniupnpd's port 5351. */
  readonly portControlAddress: GatewayEndpoint;
  /** The mapping table now, expired leases dropped; a copy. NAT-PMP and PCP mappings are in it too. */
  readonly mappings: readonly MappingTableEntry[];
  /**
   * The IPv6 firewall's pinholes now, expired leases dropped; a copy. Opened through
   * WANIPv6FirewallControl (AddPinhole) and PCP (an IPv6 MAP).
   */
  readonly pinholes: readonly PinholeTableEntry[];
  /**
   * Counts `packets` (1 by default) as gone through the pinhole with this UniqueID, as if traffic
   * had arrived: GetPinholePackets reports them and CheckPinholeWorking then answers true.
   * @throws InvalidArgumentError when the firewall holds no such pinhole
   */
  countPinholePackets(uniqueId: number, packets?: number): void;
  /** Every control request received, oldest first. */
  readonly requests: readonly SoapRequestRecord[];
  /** M-SEARCH messages received (answered or not; garbage not counted). */
  readonly ssdpSearches: number;
  /** What GetExternalIPAddress and NAT-PMP report now, and PCP maps to. */
  readonly externalAddress: string;
  /** Seconds since the gateway started or last rebooted, as GetStatusInfo's `NewUptime` says it. */
  readonly uptimeSeconds: number;
  /**
   * Seconds since the epoch began (NAT-PMP, RFC 6886 §3.6; PCP, RFC 6887 §8.5): at the start, a
   * reboot, or a new external address.
   */
  readonly epochSeconds: number;
  /**
   * Changes the external address (any string, so clients can be fed nonsense too), as a router
   * whose WAN address changed, like miniupnpd on SIGUSR1: a NAT-PMP address announcement, then
   * the epoch starts again at 0 and a PCP ANNOUNCE tells it. Resolves once they are sent.
   */
  setExternalAddress(address: string): Promise<void>;
  /** Changes what GetStatusInfo reports. */
  setConnectionStatus(status: ConnectionStatus): void;
  /** `BOOTID.UPNP.ORG` of the current boot, in search replies and announcements. */
  readonly bootId: number;
  /** Empties the mapping table and nothing else (pinholes stay): uptime, epoch and boot id carry on. */
  clearMappings(): void;
  /**
   * Reboots like a router losing power: empties the mapping table and the pinholes, starts the uptime and the epoch
   * again at 0 (not with the `systemUptimeEpoch` quirk), adds 1 to the boot id, and (unless
   * `announce` is false) sends `ssdp:alive` with the new BOOTID to `announceTo` (and, with
   * `multicastInterface`, the SSDP group), a NAT-PMP address announcement and a PCP ANNOUNCE to
   * `portControlAnnounceTo`. Resolves once sent.
   */
  reboot(options?: { announce?: boolean }): Promise<void>;
  /** Sends `ssdp:byebye` where it announces, then closes every socket and timer. Safe to call more than once. */
  close(): Promise<void>;
}

/** What a gateway announces when it starts or reboots: its address (RFC 6886 §3.2.1) and its new epoch (RFC 6887 §14.1.1). */
function startAnnouncements(state: GatewayState): Uint8Array[] {
  return [...natPmpAnnouncement(state), ...(state.config.protocols.pcp ? [pcpAnnouncement(state)] : [])];
}

/** The NAT-PMP address announcement, unless NAT-PMP is off or there is no address to announce (miniupnpd then sends none). */
function natPmpAnnouncement(state: GatewayState): Uint8Array[] {
  if (!state.config.protocols.natPmp) return [];
  const response = natPmpAddressResponse(state);
  return response.resultCode === 0 ? [encodeNatPmpResponse(response)] : [];
}

function off(protocol: string): never {
  throw new InvalidArgumentError(`this virtual gateway was started with ${protocol} off`);
}

/**
 * Starts a gateway in this process, modelled on miniupnpd: an SSDP responder, a description and
 * SOAP control server, a NAT-PMP and PCP server, and one real port mapping table with leases that
 * every protocol shares, with switches for the misbehaviours of real routers. Nothing it opens
 * keeps the process alive on its own beyond open sockets; `close()` releases them all.
 */
export async function startVirtualGateway(options: VirtualGatewayOptions = {}): Promise<VirtualGateway> {
  const { signal } = options;
  signal?.throwIfAborted();
  const config = resolveConfig(options);
  const model = buildDeviceModel(config);
  const table = new PortMappingTable(config.now);
  const pinholes = new PinholeTable(config.now);
  const state: GatewayState = {
    config,
    model,
    table,
    pinholes,
    externalAddress: config.externalAddress,
    connectionStatus: config.connectionStatus,
    startedAt: config.now(),
    bootId: config.bootId,
    epochStartedAt: config.now(),
  };
  const requests: SoapRequestRecord[] = [];
  const closing = new AbortController();
  const opened: Array<{ close(): Promise<void> }> = [];
  const closeOpened = async (): Promise<void> => {
    closing.abort();
    await Promise.all(opened.map((part) => part.close()));
  };

  let upnp: { http: GatewayHttpServer; ssdp: SsdpResponder; descriptionUrl: string } | undefined;
  let portControl: PortControlServer | undefined;
  try {
    if (config.protocols.upnp) {
      const http = await startGatewayHttpServer(state, requests, closing.signal);
      opened.push(http);
      signal?.throwIfAborted();
      const descriptionUrl = httpOrigin(config.address, http.port) + descriptionPath(config);
      const ssdp = await startSsdpResponder(config, model.root, () => ({ location: descriptionUrl, bootId: state.bootId }), closing.signal);
      opened.push(ssdp);
      upnp = { http, ssdp, descriptionUrl };
      signal?.throwIfAborted();
      await ssdp.announce("ssdp:alive");
    }
    if (config.protocols.natPmp || config.protocols.pcp) {
      portControl = await startPortControlServer(state, closing.signal);
      opened.push(portControl);
      signal?.throwIfAborted();
      await portControl.announce(startAnnouncements(state));
    }
  } catch (error) {
    await closeOpened();
    throw error;
  }

  const sweep = setInterval(() => {
    table.removeExpired();
    pinholes.removeExpired();
  }, expirySweepIntervalMs);
  sweep.unref();
  let closed: Promise<void> | undefined;

  return {
    protocols: config.protocols,
    get descriptionUrl() {
      return upnp?.descriptionUrl ?? off("UPnP");
    },
    get ssdpAddress() {
      return upnp === undefined ? off("UPnP") : { address: upnp.ssdp.address, port: upnp.ssdp.port };
    },
    get httpPort() {
      return upnp?.http.port ?? off("UPnP");
    },
    get portControlAddress() {
      return portControl === undefined ? off("NAT-PMP and PCP") : { address: portControl.address, port: portControl.port };
    },
    get mappings() {
      return [...table.entries()];
    },
    get pinholes() {
      return [...pinholes.entries()];
    },
    countPinholePackets(uniqueId, packets = 1) {
      if (pinholes.get(uniqueId) === undefined) throw new InvalidArgumentError(`the firewall holds no pinhole with UniqueID ${uniqueId}`);
      if (!Number.isInteger(packets) || packets < 0) throw new InvalidArgumentError(`packets must be a whole number, got ${packets}`);
      pinholes.countPackets(uniqueId, packets);
    },
    requests,
    get ssdpSearches() {
      return upnp?.ssdp.searches ?? 0;
    },
    get externalAddress() {
      return state.externalAddress;
    },
    get uptimeSeconds() {
      return uptimeSeconds(state);
    },
    get epochSeconds() {
      return epochSeconds(state);
    },
    async setExternalAddress(address) {
      state.externalAddress = address;
      // miniupnpd's order: the NAT-PMP announcement still carries the old epoch; the reset follows,
      // and the PCP ANNOUNCE carries the new one (RFC 6887 §8.5: a new address resets the epoch).
      const announcements = natPmpAnnouncement(state);
      state.epochStartedAt = config.now();
      if (config.protocols.pcp) announcements.push(pcpAnnouncement(state));
      await portControl?.announce(announcements);
    },
    setConnectionStatus(status) {
      state.connectionStatus = status;
    },
    get bootId() {
      return state.bootId;
    },
    clearMappings() {
      table.clear();
    },
    async reboot(rebootOptions = {}) {
      table.clear();
      pinholes.clear();
      state.bootId++;
      if (!config.quirks.systemUptimeEpoch) {
        state.startedAt = config.now();
        state.epochStartedAt = state.startedAt;
      }
      if (rebootOptions.announce ?? true) {
        await upnp?.ssdp.announce("ssdp:alive");
        await portControl?.announce(startAnnouncements(state));
      }
    },
    close() {
      closed ??= (async () => {
        clearInterval(sweep);
        await upnp?.ssdp.announce("ssdp:byebye");
        await closeOpened();
      })();
      return closed;
    },
  };
}
