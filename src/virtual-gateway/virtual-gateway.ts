import { uptimeSeconds, type GatewayState } from "./action-context.js";
import { httpOrigin } from "./description-documents.js";
import { buildDeviceModel, descriptionPath } from "./device-model.js";
import { resolveConfig, type ConnectionStatus, type VirtualGatewayOptions } from "./gateway-config.js";
import { startGatewayHttpServer, type GatewayHttpServer } from "./gateway-http-server.js";
import { PortMappingTable, type MappingTableEntry } from "./port-mapping-table.js";
import type { SoapRequestRecord } from "./soap-server.js";
import { startSsdpResponder } from "./ssdp-responder.js";

/** How often expired leases are swept even when nobody reads the table. */
const expirySweepIntervalMs = 1000;

export type { VirtualGatewayOptions, ConnectionStatus } from "./gateway-config.js";

/** A running in-process Internet Gateway Device. */
export interface VirtualGateway {
  /** URL of the root device description, as the SSDP replies' LOCATION gives it. */
  readonly descriptionUrl: string;
  /** Where to send unicast M-SEARCH. */
  readonly ssdpAddress: { readonly address: string; readonly port: number };
  readonly httpPort: number;
  /** The mapping table now, expired leases dropped; a copy. */
  readonly mappings: readonly MappingTableEntry[];
  /** Every control request received, oldest first. */
  readonly requests: readonly SoapRequestRecord[];
  /** M-SEARCH messages received (answered or not; garbage not counted). */
  readonly ssdpSearches: number;
  /** What GetExternalIPAddress reports now. */
  readonly externalAddress: string;
  /** Changes what GetExternalIPAddress reports; any string, so clients can be fed nonsense too. */
  setExternalAddress(address: string): void;
  /** Changes what GetStatusInfo reports. */
  setConnectionStatus(status: ConnectionStatus): void;
  /** `BOOTID.UPNP.ORG` of the current boot, in search replies and announcements. */
  readonly bootId: number;
  /** Seconds since the gateway started or last rebooted, as GetStatusInfo's `NewUptime` says it. */
  readonly uptimeSeconds: number;
  /**
   * Seconds since the start of the mapping table's epoch (NAT-PMP, RFC 6886 §3.2; PCP, RFC 6887
   * §8.5): counts from the same start or reboot as the uptime.
   */
  readonly epochSeconds: number;
  /** Empties the mapping table and nothing else: uptime, epoch and boot id carry on. */
  clearMappings(): void;
  /**
   * Reboots like a router losing power: empties the mapping table, restarts the uptime and the
   * epoch at 0, adds 1 to the boot id, and (unless `announce` is false) sends `ssdp:alive` with
   * the new BOOTID to `announceTo` and, with `multicastInterface`, the SSDP group. Resolves once sent.
   */
  reboot(options?: { announce?: boolean }): Promise<void>;
  /** Sends `ssdp:byebye` where it announces, then closes every socket and timer. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts an Internet Gateway Device in this process: an SSDP responder, a description and SOAP
 * control server and a real port mapping table with leases, modelled on miniupnpd, with switches
 * for the misbehaviours of real routers. Nothing it opens keeps the process alive on its own
 * beyond open sockets; `close()` releases them all.
 */
export async function startVirtualGateway(options: VirtualGatewayOptions = {}): Promise<VirtualGateway> {
  const { signal } = options;
  signal?.throwIfAborted();
  const config = resolveConfig(options);
  const model = buildDeviceModel(config);
  const table = new PortMappingTable(config.now);
  const state: GatewayState = {
    config,
    model,
    table,
    externalAddress: config.externalAddress,
    connectionStatus: config.connectionStatus,
    startedAt: config.now(),
    bootId: config.bootId,
  };
  const requests: SoapRequestRecord[] = [];
  const closing = new AbortController();
  const opened: Array<{ close(): Promise<void> }> = [];
  const closeOpened = async (): Promise<void> => {
    closing.abort();
    await Promise.all(opened.map((part) => part.close()));
  };

  let http: GatewayHttpServer;
  let descriptionUrl: string;
  let ssdp: Awaited<ReturnType<typeof startSsdpResponder>>;
  try {
    http = await startGatewayHttpServer(state, requests, closing.signal);
    opened.push(http);
    signal?.throwIfAborted();
    descriptionUrl = httpOrigin(config.address, http.port) + descriptionPath(config);
    const url = descriptionUrl;
    ssdp = await startSsdpResponder(config, model.root, () => ({ location: url, bootId: state.bootId }), closing.signal);
    opened.push(ssdp);
    signal?.throwIfAborted();
    await ssdp.announce("ssdp:alive");
  } catch (error) {
    await closeOpened();
    throw error;
  }

  const sweep = setInterval(() => table.removeExpired(), expirySweepIntervalMs);
  sweep.unref();
  let closed: Promise<void> | undefined;

  return {
    descriptionUrl,
    ssdpAddress: { address: ssdp.address, port: ssdp.port },
    httpPort: http.port,
    get mappings() {
      return [...table.entries()];
    },
    requests,
    get ssdpSearches() {
      return ssdp.searches;
    },
    get externalAddress() {
      return state.externalAddress;
    },
    setExternalAddress(address) {
      state.externalAddress = address;
    },
    setConnectionStatus(status) {
      state.connectionStatus = status;
    },
    get bootId() {
      return state.bootId;
    },
    get uptimeSeconds() {
      return uptimeSeconds(state);
    },
    get epochSeconds() {
      return uptimeSeconds(state);
    },
    clearMappings() {
      table.clear();
    },
    async reboot(rebootOptions = {}) {
      table.clear();
      state.startedAt = config.now();
      state.bootId++;
      if (rebootOptions.announce ?? true) await ssdp.announce("ssdp:alive");
    },
    close() {
      closed ??= (async () => {
        clearInterval(sweep);
        await ssdp.announce("ssdp:byebye");
        await closeOpened();
      })();
      return closed;
    },
  };
}
