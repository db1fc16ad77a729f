import { NoGatewayError, type GatewayProtocol } from "../../errors/errors.js";
import { probePortMappers, type ProtocolProbe } from "../../discovery/probe-port-mappers.js";
import { noMapperError, type FindPortMapperOptions } from "../../discovery/port-mapper-attempts.js";
import { methodName } from "../../mapping/method-names.js";
import type { MappingMethod } from "../../mapping/port-mapper.js";
import { parseHttpUrl } from "../../http/http-url.js";
import { localAddressToward } from "../../net/local-address.js";
import { bestGateway, discoverDevices, type DiscoveredDevice } from "../../upnp/gateway/find-gateways.js";
import { gatewayFromUrl } from "../../upnp/gateway/probe-gateway.js";
import type { WanConnection } from "../../upnp/gateway/wan-connection.js";
import { maxTimeoutMs } from "../../util/check-arguments.js";
import type { Command, CommandContext } from "../command-context.js";
import { explainRefusedReplies } from "../connect.js";
import { mapperSettings, type MapperSettings } from "../connect-mapper.js";
import { escaped } from "../terminal-text.js";
import { externalAddressVerdict, shortServiceType } from "../wording.js";

/** Fields every entry of `porthole discover --json`'s `gateways` has (docs/cli.md). */
interface GatewayJsonBase {
  protocol: GatewayProtocol;
  /** Where requests go: the control URL's host for UPnP, the NAT-PMP/PCP server's address. */
  gatewayAddress: string;
  externalAddress: string | null;
  /** Our address toward the gateway. */
  localAddress: string | null;
  /** True exactly when text mode warns of double NAT (`externalAddressVerdict`). */
  doubleNat: boolean;
}

/** A UPnP gateway in `porthole discover --json`. */
export interface DiscoveredGatewayJson extends GatewayJsonBase {
  protocol: "upnp";
  location: string | null;
  /** The device's friendlyName, as its description says it; null when it has none. */
  friendlyName: string | null;
  controlUrl: string;
  serviceType: string;
  /** NewConnectionStatus as the gateway said it ("Connected", ...); null when GetStatusInfo failed. */
  status: string | null;
}

/** A NAT-PMP or PCP gateway in `porthole discover --json`. */
export interface PortControlGatewayJson extends GatewayJsonBase {
  protocol: "natpmp" | "pcp";
  /** The NAT-PMP/PCP server's port, 5351 on a router. */
  port: number;
}

type GatewayJson = DiscoveredGatewayJson | PortControlGatewayJson;

/** How one protocol could open IPv6 pinholes, in `porthole discover --ipv6 --json`. */
interface PinholeWayJson {
  method: MappingMethod;
  /** It answered, and (UPnP) its IPv6 firewall is on and allows inbound pinholes. */
  usable: boolean;
  gatewayAddress: string | null;
  /** Why not, when not usable: the firewall is off, allows no pinholes, the gateway has none ... */
  reason: string | null;
}

/** `ipv6` in `porthole discover --ipv6 --json`: what `porthole map --ipv6` would do. */
interface PinholesJson {
  /** The protocol `map --ipv6` would open pinholes with; null when none can. */
  method: MappingMethod | null;
  /** This host's address the pinholes open toward (a stable global IPv6 address); null when unknown. */
  address: string | null;
  ways: PinholeWayJson[];
}

export function gatewayJson(gateway: WanConnection): DiscoveredGatewayJson {
  const externalAddress = gateway.status?.externalAddress ?? null;
  return {
    protocol: "upnp",
    location: gateway.descriptionUrl ?? null,
    friendlyName: gateway.description?.friendlyName ?? null,
    controlUrl: gateway.controlUrl,
    serviceType: gateway.serviceType,
    status: gateway.status?.connectionStatus ?? null,
    externalAddress,
    localAddress: gateway.localAddress ?? null,
    doubleNat: externalAddressVerdict(externalAddress).doubleNat,
    gatewayAddress: parseHttpUrl(gateway.controlUrl).host,
  };
}

/** What discover's one UPnP search found: every device that answered it, or the gateway `--gateway` names. */
type UpnpSearch = { devices: DiscoveredDevice[] } | { named: WanConnection };

async function searchUpnp(context: CommandContext, settings: MapperSettings): Promise<UpnpSearch> {
  const { gatewayUrl, search, probe } = settings.client;
  if (gatewayUrl !== undefined) return { named: await gatewayFromUrl(gatewayUrl, probe) };
  const devices: DiscoveredDevice[] = [];
  for await (const device of discoverDevices(search)) {
    devices.push(device);
    const { probe: found } = device;
    if (!found.gateway) context.terminal.trace(`${found.descriptionUrl} is not a usable gateway${found.error ? `: ${found.error.message}` : ""}`);
  }
  return { devices };
}

/** Every UPnP gateway the search found, in the order their probes finished. */
function upnpGateways(context: CommandContext, found: UpnpSearch): WanConnection[] {
  if ("named" in found) return [found.named];
  const { devices } = found;
  const gateways = devices.flatMap(({ probe }) => (probe.gateway ? [probe.gateway] : []));
  if (gateways.length === 0) {
    throw devices.length === 0
      ? explainRefusedReplies(new NoGatewayError("no UPnP device answered the search", { nothingAnswered: true }), context.facts)
      : new NoGatewayError(`${devices.length} UPnP device(s) answered, none of them a gateway that maps ports`);
  }
  return gateways;
}

/**
 * Each protocol asked on its own, so that each is reported. NAT-PMP and PCP get as long as the
 * SSDP search listens: a gateway that speaks them answers in a round trip, and one that does not
 * refuses at once, so only a silent (filtered) port would make `discover` wait longer. UPnP waits
 * for the search to end, within the command's budget.
 */
function probeEach(settings: MapperSettings, protocols: readonly GatewayProtocol[], options: FindPortMapperOptions): Promise<ProtocolProbe[]> {
  const listenMs = settings.client.search.listenMs!;
  return Promise.all(
    protocols.map(async (protocol) => (await probePortMappers({ ...settings.find, ...options, protocol, timeoutMs: protocol === "upnp" ? maxTimeoutMs : listenMs }))[0]!),
  );
}

async function portControlJson(probe: Extract<ProtocolProbe, { usable: true }>, settings: MapperSettings): Promise<PortControlGatewayJson> {
  const { mapper } = probe;
  const port = settings.find.pcp?.gatewayPort ?? 5351;
  const [externalAddress, localAddress] = await Promise.all([
    mapper.getExternalAddress(settings.client.call).catch(() => null),
    localAddressToward(mapper.gatewayAddress, port).catch(() => null),
  ]);
  return {
    protocol: probe.protocol as "natpmp" | "pcp",
    gatewayAddress: mapper.gatewayAddress,
    port,
    externalAddress,
    localAddress,
    doubleNat: externalAddressVerdict(externalAddress).doubleNat,
  };
}

/** The datagram protocols the settings ask. */
function portControlProtocols(settings: MapperSettings): Array<"pcp" | "natpmp"> {
  const { protocol } = settings;
  return protocol === "auto" ? ["pcp", "natpmp"] : protocol === "upnp" ? [] : [protocol];
}

/** The protocols asked that open pinholes, in order of preference: PCP stands in for NAT-PMP, which has no IPv6. */
function pinholeProtocols(settings: MapperSettings): Array<"pcp" | "upnp"> {
  const { protocol } = settings;
  return protocol === "auto" ? ["pcp", "upnp"] : protocol === "upnp" ? ["upnp"] : ["pcp"];
}

/**
 * Every gateway that answers, by every protocol asked: PCP, NAT-PMP, then UPnP (the order of
 * preference). Fails only when nothing at all answered, saying what each protocol did.
 */
async function findAll(context: CommandContext, settings: MapperSettings, upnpSearch: Promise<UpnpSearch> | undefined): Promise<GatewayJson[]> {
  const { signal } = context;
  context.facts.gatewayUrl = settings.client.gatewayUrl;
  context.facts.protocol = settings.protocol;
  const [portControl, upnp] = await Promise.all([
    probeEach(settings, portControlProtocols(settings), { signal }),
    upnpSearch?.then((found) => ({ gateways: upnpGateways(context, found) })).catch((error: unknown) => ({ error })),
  ]);
  signal.throwIfAborted();
  const answered = portControl.filter((probe) => probe.usable);
  const entries: GatewayJson[] = [...(await Promise.all(answered.map((probe) => portControlJson(probe, settings))))];
  if (upnp !== undefined && "gateways" in upnp) entries.push(...upnp.gateways.map(gatewayJson));
  if (entries.length > 0) return entries;
  const failures = [
    ...portControl.map((probe) => ({ protocol: probe.protocol, error: (probe as { error: unknown }).error })),
    ...(upnp !== undefined && "error" in upnp ? [{ protocol: "upnp" as const, error: upnp.error }] : []),
  ];
  // One protocol asked: its own error, as before there were several.
  throw failures.length === 1 ? failures[0]!.error : noMapperError(failures);
}

/** `--ipv6`: which protocol would open pinholes, the firewall's answer, and our address (docs/ipv6.md). */
async function findPinholeWays(context: CommandContext, settings: MapperSettings, upnpSearch: Promise<UpnpSearch> | undefined): Promise<PinholesJson> {
  // The gateway `findGateway` would choose among those the search for the list found.
  const upnpGateway =
    upnpSearch &&
    (async (): Promise<WanConnection> => {
      const found = await upnpSearch;
      return "named" in found ? found.named : bestGateway(found.devices, settings.client.search.listenMs);
    });
  const probes = await probeEach(settings, pinholeProtocols(settings), { family: 6, upnpGateway, signal: context.signal });
  context.signal.throwIfAborted();
  const ways: PinholeWayJson[] = probes.map((probe) => ({
    method: probe.usable ? probe.mapper.method : probe.protocol === "upnp" ? "upnp-pinhole" : probe.protocol,
    usable: probe.usable,
    gatewayAddress: probe.usable ? probe.mapper.gatewayAddress : null,
    reason: probe.usable ? null : probe.error instanceof Error ? probe.error.message : String(probe.error),
  }));
  const chosen = probes.find((probe) => probe.usable);
  const address = chosen?.usable ? await chosen.mapper.getExternalAddress(settings.client.call).catch(() => null) : null;
  return { method: chosen?.usable ? chosen.mapper.method : null, address, ways };
}

function printGateway(context: CommandContext, gateway: GatewayJson): void {
  const { terminal } = context;
  const { out } = terminal;
  if (gateway.protocol === "upnp") {
    terminal.print(escaped`${out.bold(gateway.location ?? gateway.controlUrl)}  ${out.dim(methodName(gateway.protocol))}`);
    if (gateway.friendlyName !== null) terminal.printRow("name", gateway.friendlyName);
    terminal.printRow("service", shortServiceType(gateway.serviceType));
    terminal.printRow("status", gateway.status ?? "unknown (GetStatusInfo failed)");
  } else {
    terminal.print(escaped`${out.bold(`${gateway.gatewayAddress} port ${gateway.port}`)}  ${out.dim(methodName(gateway.protocol))}`);
  }
  terminal.printRow("external address", gateway.externalAddress ?? "none reported");
  terminal.printRow("local address", gateway.localAddress ?? "unknown");
  const { note } = externalAddressVerdict(gateway.externalAddress);
  if (note !== undefined) terminal.printRow("warning", out.yellow(note));
}

function printPinholes(context: CommandContext, pinholes: PinholesJson): void {
  const { terminal } = context;
  const { out } = terminal;
  terminal.print(out.bold("IPv6 pinholes"));
  terminal.printRow("would open with", pinholes.method === null ? out.yellow("nothing: no protocol can open one here") : methodName(pinholes.method));
  terminal.printRow("toward", pinholes.address ?? "unknown");
  for (const way of pinholes.ways) {
    terminal.printRow(methodName(way.method), way.usable ? `answers at ${way.gatewayAddress}` : out.yellow(way.reason ?? "no"));
  }
  terminal.print(out.dim("  (routers have no action that lists pinholes: see each one's ID in porthole map --ipv6)"));
}

/**
 * `porthole discover`: every gateway that answers, by every protocol asked, with its addresses;
 * with `--ipv6` (which also searches over IPv6) what would open IPv6 pinholes.
 */
export const discover: Command = async (context) => {
  const { terminal } = context;
  const settings = mapperSettings(context, { family: 4 });
  const ipv6 = context.line.values.ipv6 === true;
  const asksUpnp = settings.protocol === "auto" || settings.protocol === "upnp";
  const [gateways, pinholes] = await terminal.withSpinner("Searching for gateways…", () => {
    // One search for both: the list of gateways and, with --ipv6, the pinhole probe.
    const upnpSearch = asksUpnp ? searchUpnp(context, settings) : undefined;
    return Promise.all([findAll(context, settings, upnpSearch), ipv6 ? findPinholeWays(context, settings, upnpSearch) : undefined]);
  });
  if (terminal.json) {
    terminal.printJson({ gateways, ...(pinholes === undefined ? {} : { ipv6: pinholes }) });
    return;
  }
  gateways.forEach((gateway, i) => {
    if (i > 0) terminal.print();
    printGateway(context, gateway);
  });
  if (pinholes !== undefined) {
    terminal.print();
    printPinholes(context, pinholes);
  }
};
