import { probePortMappers, type ProtocolProbe } from "../discovery/probe-port-mappers.js";
import { TimeoutError, type GatewayProtocol } from "../errors/errors.js";
import { methodName } from "../mapping/method-names.js";
import type { MappingMethod, PortMapper } from "../mapping/port-mapper.js";
import { NATPMP_SERVER_PORT } from "../natpmp/natpmp-messages.js";
import { checkOptionsObject, checkPort, checkTimeoutMs } from "../util/check-arguments.js";
import { delay, SequentialBudget, type CallOptions, type RequestOptions } from "../util/deadline.js";
import type { WanConnection } from "../upnp/gateway/wan-connection.js";
import { discoverDevices, type FindGatewaysOptions } from "../upnp/gateway/find-gateways.js";
import { isUsableRank } from "../upnp/gateway/connection-status.js";
import { buildMSearch, IGD_SEARCH_TARGETS, SSDP_IPV4_MULTICAST, SSDP_PORT } from "../upnp/ssdp/ssdp-message.js";
import { searchSsdp } from "../upnp/ssdp/ssdp-search.js";
import { UpnpPortMapper } from "../upnp/upnp-port-mapper.js";
import { externalAddressFindings, externalAddressUnknown } from "./address-findings.js";
import { checkEnvironment } from "./environment-checks.js";
import type { Finding } from "./finding.js";
import { systemHostEnvironment, type HostEnvironment } from "./host-environment.js";
import { protocolFindings, type ProtocolEvidence } from "./protocol-findings.js";
import { testMappingFindings, tryTestMapping, type TestMappingOutcome } from "./test-mapping.js";
import { hasRouteTo, probeUdpPort, type UdpReachability } from "./udp-reachability.js";

export interface DiagnoseOptions extends CallOptions {
  /**
   * Time budget of the whole diagnosis, the test mapping included: every step gets what is left
   * of it. Removing the test mapping may take at most 250 ms more, so that a diagnosis that ran
   * out of time does not leave its mapping on the router. @default 3000
   */
  timeoutMs?: number | undefined;
  /** Where the machine's own setup is read. @default the system's */
  environment?: HostEnvironment | undefined;
  /** The router's address. @default the IPv4 default gateway */
  gatewayAddress?: string | undefined;
  /** The router's SSDP port, for the unicast check. @default 1900 */
  ssdpPort?: number | undefined;
  /** The router's NAT-PMP/PCP port. @default 5351 */
  portControlPort?: number | undefined;
  /** How to search for UPnP devices (an interface, unicast targets, ...). */
  upnp?: Omit<FindGatewaysOptions, "signal" | "timeoutMs"> | undefined;
  /** Make, read back and remove a test mapping of a random high UDP port. @default true */
  testMapping?: boolean | undefined;
  /** After the test mapping, send a datagram to the external address to see if it loops back. @default true */
  checkHairpin?: boolean | undefined;
}

/** What each protocol did, in a word, for the report. */
export type ProtocolState = "answers" | "refused" | "silent" | "not-asked";

/** The diagnosis: the summary first, what was found, then each problem with its fix. */
export interface Diagnosis {
  /** One line: whether ports can be opened here, and how, or why not. */
  summary: string;
  /** A test mapping worked and leads somewhere the internet can reach (or the test was skipped and a protocol works). */
  canOpenPorts: boolean;
  /** Something answered as a gateway (any protocol), even one that cannot map. */
  gatewayFound: boolean;
  /** The protocol porthole would use. */
  method: MappingMethod | undefined;
  facts: {
    /** The default route in use: its gateway undefined for a route straight out of its interface (`default dev ppp0`). */
    defaultRoute: { gateway: string | undefined; interfaceName: string } | undefined;
    candidateInterfaces: string[];
    gatewayAddress: string | undefined;
    localAddress: string | undefined;
    externalAddress: string | undefined;
    protocols: Record<GatewayProtocol, ProtocolState>;
    /** `removed`, when mapped: whether the router confirmed that the test mapping is gone again. */
    testMapping: { state: TestMappingOutcome["state"] | "not-tried"; externalPort?: number | undefined; internalPort?: number | undefined; removed?: boolean | undefined };
  };
  findings: Finding[];
}

const defaultDiagnoseTimeoutMs = 3000;
/** How long the single datagrams get to be refused before the searches start: a refusal takes ~1 ms. */
const refusalWaitMs = 100;
/** The first request of each protocol gets this long to answer; the test mapping gets the rest. */
const probeShareOfBudget = 0.6;

/**
 * Finds out whether ports can be opened from this machine, and if not why, with every check run
 * at once within `timeoutMs`: the machine's own setup (route, VPN, container, WSL, interfaces),
 * which of UPnP, PCP and NAT-PMP answer (and refused or silent when not), the gateway's
 * external address, and a test mapping of a random high port that is read back and always removed.
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<Diagnosis> {
  checkOptionsObject("options", options);
  const timeoutMs = checkTimeoutMs("timeoutMs", options.timeoutMs) ?? defaultDiagnoseTimeoutMs;
  const ssdpPort = options.ssdpPort === undefined ? SSDP_PORT : checkPort("ssdpPort", options.ssdpPort);
  const portControlPort = options.portControlPort === undefined ? NATPMP_SERVER_PORT : checkPort("portControlPort", options.portControlPort);
  const host = options.environment ?? systemHostEnvironment;
  const environment = checkEnvironment(host);
  const gatewayAddress = options.gatewayAddress ?? environment.defaultGateway;
  // The searches start the budget's clock and take their share of it; each later step gets what is left.
  const budget = new SequentialBudget(timeoutMs, options.signal);
  const started = budget.next();
  const probeBudget = { ...started, timeoutMs: Math.floor(started.timeoutMs * probeShareOfBudget) };
  const skipped = Promise.resolve("skipped" as const);
  const searchOnlyByMulticast = options.upnp?.multicast !== false && gatewayAddress !== undefined;
  // First the two single datagrams: a router sends only a few ICMP port unreachables a second
  // (Linux: a burst of 6), and the searches below would use them up before "refused" is heard.
  const reachability = Promise.all([
    gatewayAddress === undefined ? skipped : probeUdpPort(gatewayAddress, ssdpPort, Buffer.from(buildMSearch({ searchTarget: IGD_SEARCH_TARGETS[0]!, mx: 1, host: `${SSDP_IPV4_MULTICAST}:${SSDP_PORT}` })), probeBudget),
    gatewayAddress === undefined ? skipped : probeUdpPort(gatewayAddress, portControlPort, Buffer.from([0, 0]), probeBudget),
  ]);
  await Promise.race([reachability, delay(refusalWaitMs, options.signal)]);
  const [multicastRoute, [ssdpUnicast, portControl], multicastReplies, upnp, datagramProbes] = await Promise.all([
    // A named interface sends multicast out of it whatever the routes say.
    options.upnp?.multicastInterface ? Promise.resolve(true) : hasRouteTo(SSDP_IPV4_MULTICAST, SSDP_PORT),
    reachability,
    searchOnlyByMulticast ? countMulticastReplies(options, probeBudget) : Promise.resolve(undefined),
    findUpnpConnection(options, probeBudget),
    gatewayAddress === undefined
      ? Promise.resolve([] as ProtocolProbe[])
      : Promise.all(
          (["pcp", "natpmp"] as const).map((protocol) =>
            probePortMappers({ ...probeBudget, protocol, gatewayAddress, pcp: { gatewayPort: portControlPort }, natPmp: { gatewayPort: portControlPort } }).then((probes) => probes[0]!),
          ),
        ),
  ]);
  const pcp = datagramProbes.find((probe) => probe.protocol === "pcp");
  const natPmp = datagramProbes.find((probe) => probe.protocol === "natpmp");
  const evidence: ProtocolEvidence = {
    multicastRoute,
    ssdpUnicast,
    multicastReplies,
    portControl,
    upnp: upnp === undefined ? { found: false } : { found: true, connected: upnp.status?.connected ?? false, connectionStatus: upnp.status?.connectionStatus },
    pcp: pcp === undefined ? { usable: false } : pcp.usable ? { usable: true } : { usable: false, error: pcp.error },
    natPmp: natPmp === undefined ? { usable: false } : natPmp.usable ? { usable: true } : { usable: false, error: natPmp.error },
  };
  const mapper = bestMapper(pcp, natPmp, upnp);
  const testing = options.testMapping !== false && mapper !== undefined;
  const outcome = testing ? await tryTestMapping(mapper, { budget, leaseSeconds: 120, checkHairpin: options.checkHairpin !== false }) : undefined;
  const asked = outcome?.state === "mapped" ? { address: outcome.mapping.externalAddress, outOfTime: false } : await externalAddressOf(mapper, upnp, budget.next());
  const externalAddress = asked.address;
  const findings = [
    ...environment.findings,
    ...protocolFindings(evidence),
    // What the router did with the mapping says more than what its address suggests: first.
    ...(outcome === undefined || mapper === undefined ? [] : testMappingFindings(outcome, methodName(mapper.method))),
    ...(mapper === undefined ? [] : asked.outOfTime ? [externalAddressUnknown] : externalAddressFindings(externalAddress)),
  ];
  const gatewayFound = upnp !== undefined || evidence.pcp.usable || evidence.natPmp.usable || hasProtocolAnswer(pcp) || hasProtocolAnswer(natPmp);
  const reachable = !findings.some((finding) => finding.severity === "problem" && finding.id.startsWith("external-address"));
  const canOpenPorts = mapper !== undefined && (outcome === undefined || outcome.state === "mapped") && reachable;
  return {
    summary: summaryLine({ canOpenPorts, gatewayFound, mapper, outcome, evidence, findings }),
    canOpenPorts,
    gatewayFound,
    method: mapper?.method,
    facts: {
      defaultRoute: environment.defaultRoute,
      candidateInterfaces: environment.candidateInterfaces,
      gatewayAddress,
      localAddress: outcome?.state === "mapped" ? outcome.mapping.internalClient : upnp?.localAddress,
      externalAddress,
      protocols: {
        upnp: upnp !== undefined ? "answers" : stateOf(ssdpUnicast),
        pcp: pcp?.usable || hasProtocolAnswer(pcp) ? "answers" : stateOf(portControl),
        natpmp: natPmp?.usable || hasProtocolAnswer(natPmp) ? "answers" : stateOf(portControl),
      },
      testMapping:
        outcome === undefined
          ? { state: "not-tried" }
          : outcome.state === "mapped"
            ? { state: "mapped", externalPort: outcome.mapping.externalPort, internalPort: outcome.mapping.internalPort, removed: outcome.removed }
            : { state: outcome.state },
    },
    findings,
  };
}

/** The best UPnP WAN connection discovery found, whatever its state; undefined when no gateway answered. */
async function findUpnpConnection(options: DiagnoseOptions, budget: RequestOptions): Promise<WanConnection | undefined> {
  let best: WanConnection | undefined;
  try {
    for await (const { probe } of discoverDevices({ listenMs: Math.min(1500, budget.timeoutMs), ...options.upnp, ...budget })) {
      const rank = probe.gateway?.status?.rank;
      if (rank !== undefined && (best === undefined || rank < best.status!.rank)) best = probe.gateway;
    }
  } catch {
    // Out of time or no socket: what was found stands; silence is reported by the unicast check.
  }
  return best;
}

/** How many devices answer a search sent only by multicast (not to the gateway directly). */
async function countMulticastReplies(options: DiagnoseOptions, budget: RequestOptions): Promise<number> {
  let replies = 0;
  try {
    const search = { ...options.upnp, multicast: true, unicastTargets: [], unicastToDefaultGateway: false, listenMs: Math.min(1500, budget.timeoutMs), signal: budget.signal };
    for await (const _reply of searchSsdp(search)) replies++;
  } catch {
    // No multicast route or out of time: the count so far stands.
  }
  return replies;
}

/** PCP, then NAT-PMP, then UPnP (docs/protocols.md); a UPnP gateway only when it can map. */
function bestMapper(pcp: ProtocolProbe | undefined, natPmp: ProtocolProbe | undefined, upnp: WanConnection | undefined): PortMapper | undefined {
  if (pcp?.usable) return pcp.mapper;
  if (natPmp?.usable) return natPmp.mapper;
  if (upnp !== undefined && isUsableRank(upnp.status!.rank)) return new UpnpPortMapper(upnp);
  return undefined;
}

/** What the gateway says its external address is; `outOfTime` when the budget ended before it said. */
async function externalAddressOf(mapper: PortMapper | undefined, upnp: WanConnection | undefined, request: RequestOptions): Promise<{ address: string | undefined; outOfTime: boolean }> {
  const heard = upnp?.status?.externalAddress;
  if (mapper === undefined) return { address: heard, outOfTime: false };
  // No time left: asking would only send a request whose answer nobody waits for (over PCP, a
  // throw-away mapping).
  if (request.timeoutMs === 0) return { address: heard, outOfTime: heard === undefined };
  try {
    return { address: await mapper.getExternalAddress(request), outOfTime: false };
  } catch (error) {
    return { address: heard, outOfTime: heard === undefined && (error instanceof TimeoutError || request.signal?.aborted === true) };
  }
}

/** A protocol that refused with a code of its own still answered: the router speaks it. */
function hasProtocolAnswer(probe: ProtocolProbe | undefined): boolean {
  return probe !== undefined && !probe.usable && typeof (probe.error as { protocolCode?: unknown }).protocolCode === "number";
}

function stateOf(reachability: UdpReachability | "skipped"): ProtocolState {
  if (reachability === "skipped") return "not-asked";
  if (reachability === "answered") return "answers";
  return reachability === "refused" ? "refused" : "silent";
}

function summaryLine(state: { canOpenPorts: boolean; gatewayFound: boolean; mapper: PortMapper | undefined; outcome: TestMappingOutcome | undefined; evidence: ProtocolEvidence; findings: Finding[] }): string {
  if (state.canOpenPorts) return `ports can be opened via ${methodName(state.mapper!.method)}`;
  const problem = state.findings.find((finding) => finding.severity === "problem");
  if (!state.gatewayFound) {
    // The machine's own setup (no route, a VPN, WSL's NAT) explains the silence better than the silence.
    if (problem !== undefined && !problem.id.startsWith("upnp") && !problem.id.startsWith("pmp")) return `no gateway found: ${problem.title}`;
    const upnp = state.evidence.ssdpUnicast === "refused" ? "UPnP is off" : "nothing answers UPnP";
    return `no gateway found: ${upnp} and nothing answers NAT-PMP/PCP`;
  }
  if (state.mapper === undefined) {
    return `ports cannot be opened: ${problem?.title ?? "the gateway answers but none of UPnP, NAT-PMP and PCP can map"}`;
  }
  return `ports cannot be opened via ${methodName(state.mapper.method)}: ${problem?.title ?? "the test mapping failed"}`;
}
