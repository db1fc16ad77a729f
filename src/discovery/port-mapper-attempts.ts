import { InvalidArgumentError, NoGatewayError, PortholeError, type GatewayProtocol } from "../errors/errors.js";
import { methodName } from "../mapping/method-names.js";
import type { PortMapper } from "../mapping/port-mapper.js";
import { defaultGatewayIPv4, defaultGatewayIPv6 } from "../net/default-gateway.js";
import { readOnce, systemHostNetwork, type HostNetwork } from "../net/host-network.js";
import type { NatPmpPortMapperOptions } from "../natpmp/natpmp-port-mapper.js";
import type { PcpPortMapperOptions } from "../pcp/pcp-port-mapper.js";
import { checkChoice, checkOptionsObject, checkString, checkTimeoutMs } from "../util/check-arguments.js";
import type { CallOptions, RequestOptions } from "../util/deadline.js";
import { UpnpPinholeMapper, type UpnpPinholeMapperOptions } from "../upnp/firewall/upnp-pinhole-mapper.js";
import { isUsableRank } from "../upnp/gateway/connection-status.js";
import type { FindGatewayOptions } from "../upnp/gateway/find-gateways.js";
import { gatewayFromUrl } from "../upnp/gateway/probe-gateway.js";
import type { WanConnection } from "../upnp/gateway/wan-connection.js";
import { UpnpPortMapper, type UpnpPortMapperOptions } from "../upnp/upnp-port-mapper.js";

/** Which protocol to speak: one of them, or `auto` to ask all at once and take the best that answers. */
export type ProtocolChoice = "auto" | GatewayProtocol;

export interface FindPortMapperOptions extends CallOptions {
  /** Time budget of the whole search. @default 10000 */
  timeoutMs?: number | undefined;
  /** @default "auto" */
  protocol?: ProtocolChoice | undefined;
  /**
   * 4: IPv4 port mappings (NAT); 6: IPv6 firewall pinholes, through PCP or UPnP's
   * WANIPv6FirewallControl (NAT-PMP has no IPv6). @default 4
   */
  family?: 4 | 6 | undefined;
  /** Where NAT-PMP and PCP requests go. @default the host's default gateway of the family */
  gatewayAddress?: string | undefined;
  /** UPnP: the description URL of a gateway remembered from an earlier run; skips the SSDP search. */
  gatewayUrl?: string | undefined;
  /**
   * UPnP: the gateway, from a search of the caller's own, in place of this call's search (and of
   * `gatewayUrl`), so that one search serves several calls: `porthole discover --ipv6` lists the
   * gateways and probes for pinholes with one. Called when UPnP is asked.
   */
  upnpGateway?: ((signal: AbortSignal | undefined) => Promise<WanConnection>) | undefined;
  /** UPnP discovery's options (search targets, interface, listening time, ...). */
  upnp?: Omit<FindGatewayOptions, "signal" | "timeoutMs"> | undefined;
  upnpMapper?: UpnpPortMapperOptions | undefined;
  upnpPinhole?: UpnpPinholeMapperOptions | undefined;
  natPmp?: NatPmpPortMapperOptions | undefined;
  pcp?: PcpPortMapperOptions | undefined;
  /**
   * After NAT-PMP answers, how long to wait for PCP's answer from the same gateway before settling
   * for NAT-PMP; also how long the datagram protocols are waited for at all once UPnP has answered.
   * A gateway that speaks PCP answers it as fast as NAT-PMP, and one that does not refuses at once
   * (RFC 6887 §9), so this only matters where a firewall drops one of them. @default 50
   */
  preferenceGraceMs?: number | undefined;
  /**
   * What is read of this host (its interfaces, its routes, among them the default gateway), by
   * every protocol; `upnp.hostNetwork` overrides it for the SSDP search. @default the system's
   */
  hostNetwork?: HostNetwork | undefined;
}

/** The order of preference when several protocols answer (docs/protocols.md says why). */
export const protocolPreference: readonly GatewayProtocol[] = ["pcp", "natpmp", "upnp"];

/** One protocol being tried: it resolves with a mapper the gateway answered, or rejects saying why not. */
export interface Attempt {
  protocol: GatewayProtocol;
  /** Settles when the gateway answered (or refused, or stayed silent until the search ended). */
  outcome: Promise<PortMapper>;
}

export interface CheckedFindOptions {
  timeoutMs: number;
  protocol: ProtocolChoice;
  family: 4 | 6;
  preferenceGraceMs: number;
}

export const defaultFindTimeoutMs = 10_000;

export function checkFindOptions(options: FindPortMapperOptions): CheckedFindOptions {
  checkOptionsObject("options", options);
  const family = options.family ?? 4;
  if (family !== 4 && family !== 6) throw new InvalidArgumentError(`family must be 4 or 6, got ${JSON.stringify(family)}`);
  const protocol = checkChoice("protocol", options.protocol, ["auto", "upnp", "pcp", "natpmp"] as const) ?? "auto";
  if (protocol === "natpmp" && family === 6) throw new InvalidArgumentError("NAT-PMP maps IPv4 only: for IPv6 use PCP or UPnP");
  checkString("gatewayAddress", options.gatewayAddress);
  checkString("gatewayUrl", options.gatewayUrl);
  return {
    timeoutMs: checkTimeoutMs("timeoutMs", options.timeoutMs) ?? defaultFindTimeoutMs,
    protocol,
    family,
    preferenceGraceMs: checkTimeoutMs("preferenceGraceMs", options.preferenceGraceMs) ?? 50,
  };
}

/** The gateway the caller gave, the one its URL names, or the best the search finds. */
async function gatewayToAsk(options: FindPortMapperOptions, signal: AbortSignal | undefined): Promise<WanConnection> {
  if (options.upnpGateway !== undefined) return options.upnpGateway(signal);
  if (options.gatewayUrl !== undefined) return gatewayFromUrl(options.gatewayUrl, { ...options.upnp, signal });
  // The SSDP search is loaded only when there is something to search: with a URL, none
  // (`porthole ip --gateway URL` starts faster without it, docs/benchmarks.md).
  return (await import("../upnp/gateway/find-gateways.js")).findGateway({ ...options.upnp, signal });
}

/** A WAN connection the UPnP part found, refused when it cannot map (not connected, no usable address). */
async function findConnection(options: FindPortMapperOptions, signal: AbortSignal | undefined): Promise<WanConnection> {
  const connection = await gatewayToAsk(options, signal);
  const rank = connection.status?.rank;
  if (rank !== undefined && !isUsableRank(rank)) {
    const address = connection.status?.externalAddress;
    throw new NoGatewayError(`the UPnP gateway ${connection.descriptionUrl ?? connection.controlUrl} is not connected${address ? ` (external address ${address})` : ""}`);
  }
  return connection;
}

/** The UPnP IGD's IPv6 firewall, when it has one that is on and lets pinholes be opened. */
async function findPinholeMapper(options: FindPortMapperOptions, signal: AbortSignal | undefined): Promise<PortMapper> {
  const connection = await findConnection(options, signal);
  const service = connection.description?.firewallControlServices[0];
  if (service === undefined) throw new NoGatewayError("the UPnP gateway has no IPv6 firewall control (WANIPv6FirewallControl) to open pinholes with");
  const mapper = new UpnpPinholeMapper(service, { hostNetwork: options.hostNetwork, ...options.upnpPinhole });
  const status = await mapper.getFirewallStatus({ signal });
  if (!status.firewallEnabled) throw new NoGatewayError("the UPnP gateway's IPv6 firewall is off: inbound IPv6 needs no pinhole there");
  if (!status.inboundPinholeAllowed) throw new NoGatewayError("the UPnP gateway's IPv6 firewall does not allow inbound pinholes (a setting of the router)");
  return mapper;
}

// NAT-PMP and PCP are loaded when first asked: a search for UPnP alone (`porthole ip --gateway
// URL`) then never loads node:crypto, which PCP's nonces need (docs/benchmarks.md). Loaded once.
let natPmpModule: Promise<typeof import("../natpmp/natpmp-port-mapper.js")> | undefined;
let pcpModule: Promise<typeof import("../pcp/pcp-port-mapper.js")> | undefined;

/** A gateway address NAT-PMP and PCP can be asked at, or a reason why there is none. */
function portControlAddress(options: FindPortMapperOptions, family: 4 | 6, host: HostNetwork): string {
  if (options.gatewayAddress !== undefined) return options.gatewayAddress;
  const address = family === 6 ? defaultGatewayIPv6(host) : defaultGatewayIPv4(host, options.upnp?.multicastInterface || undefined);
  if (address === undefined) throw new NoGatewayError(`this host has no IPv${family} default gateway to ask`, { nothingAnswered: true });
  return address;
}

/**
 * Starts every attempt the options allow, all at the same moment (the datagrams to port 5351
 * leave beside the SSDP search), each under `call` (its signal and budget). A NAT-PMP or PCP attempt succeeds with the
 * gateway's answer to a cheap request (the external address; an ANNOUNCE), not a mapping.
 */
export function startAttempts(given: FindPortMapperOptions, checked: CheckedFindOptions, call: RequestOptions): Attempt[] {
  const { signal } = call;
  // The host as this search found it, each table read once for every protocol. (A pinhole mapper
  // found here reads the host afresh at each mapping: it gets the host, not this snapshot.)
  const host = readOnce(given.hostNetwork ?? systemHostNetwork);
  const options = { ...given, upnp: { hostNetwork: host, ...given.upnp } };
  const wanted = (protocol: GatewayProtocol): boolean => checked.protocol === "auto" || checked.protocol === protocol;
  const attempts: Attempt[] = [];
  // `run` is async: whatever it throws, even before its first await, comes as a rejection.
  const begin = (protocol: GatewayProtocol, run: () => Promise<PortMapper>): void => {
    const outcome = run();
    // A rejection nobody awaits yet (the race may settle first) must not become unhandled.
    outcome.catch(() => {});
    attempts.push({ protocol, outcome });
  };
  // Worked out once for NAT-PMP and PCP; a missing default gateway fails each attempt on its own.
  let address: string | undefined;
  const gatewayAddress = (): string => (address ??= portControlAddress(options, checked.family, host));
  if (wanted("pcp")) {
    begin("pcp", async () => {
      const { PcpPortMapper } = await (pcpModule ??= import("../pcp/pcp-port-mapper.js"));
      const mapper = new PcpPortMapper(gatewayAddress(), options.pcp);
      await mapper.client.announce(call);
      return mapper;
    });
  }
  if (wanted("natpmp") && checked.family === 4) {
    begin("natpmp", async () => {
      const { NatPmpPortMapper } = await (natPmpModule ??= import("../natpmp/natpmp-port-mapper.js"));
      const mapper = new NatPmpPortMapper(gatewayAddress(), options.natPmp);
      await mapper.client.getExternalAddress(call);
      return mapper;
    });
  }
  if (wanted("upnp")) {
    begin("upnp", async () =>
      checked.family === 6 ? findPinholeMapper(options, signal) : new UpnpPortMapper(await findConnection(options, signal), options.upnpMapper),
    );
  }
  return attempts;
}

/** Why nothing usable was found, one clause per protocol tried. */
export function noMapperError(failures: ReadonlyArray<{ protocol: GatewayProtocol; error: unknown }>): NoGatewayError {
  const clauses = failures.map(({ protocol, error }) => `${methodName(protocol)}: ${error instanceof Error ? error.message : String(error)}`);
  // Nothing answered when every protocol stayed silent, was refused before any gateway spoke, or
  // could not even send (a SocketError: no route for the search, no address of its family).
  const nothingAnswered = failures.every(({ error }) =>
    error instanceof NoGatewayError ? error.nothingAnswered : !(error instanceof PortholeError) || error.code === "PORTHOLE_TIMEOUT" || error.code === "PORTHOLE_SOCKET_ERROR",
  );
  return new NoGatewayError(`no gateway maps ports here: ${clauses.join("; ")}`, { nothingAnswered, cause: new AggregateError(failures.map(({ error }) => error)) });
}
