import { InvalidArgumentError, NoGatewayError } from "../errors/errors.js";
import { parseHttpUrl } from "../http/http-url.js";
import { systemHostNetwork, type HostNetwork } from "../net/host-network.js";
import type { FindGatewayOptions } from "../upnp/gateway/find-gateways.js";
import { gatewayFromUrl, type ProbeOptions } from "../upnp/gateway/probe-gateway.js";
import type { WanConnection } from "../upnp/gateway/wan-connection.js";
import { ssdpSearchDefaults, type SsdpTraceEvent } from "../upnp/ssdp/ssdp-search-options.js";
import { maxTimeoutMs } from "../util/check-arguments.js";
import { parseSsdpTarget } from "./argument-checks.js";
import type { CommandContext } from "./command-context.js";
import type { ErrorFacts } from "./error-report.js";
import { ssdpTracer } from "./verbose-trace.js";

/**
 * The time limit each library call gets of its own: none. `--timeout` is the budget of the whole
 * command, enforced by the command's signal, so no call may give up earlier on a limit the user
 * never set (and be told to raise --timeout for it).
 */
const noLimitOfItsOwn = maxTimeoutMs;

/** How a command finds and talks to its gateway, from the common options, checked before any traffic. */
export interface ClientSettings {
  /** `--gateway URL`: skip discovery. */
  readonly gatewayUrl: string | undefined;
  /** Discovery options, the command's signal included. */
  readonly search: FindGatewayOptions;
  /** Options of `gatewayFromUrl`. */
  readonly probe: ProbeOptions;
  /** Options of every call to the gateway: the command's signal, and no time limit of the call's own. */
  readonly call: { readonly signal: AbortSignal; readonly timeoutMs: number; readonly requestTimeoutMs: number };
}

/** The library's URL check, which keeps IPv6 zone ids (`%25eth0`) that WHATWG URL refuses. */
function checkGatewayUrl(text: string): string {
  try {
    parseHttpUrl(text);
  } catch {
    throw new InvalidArgumentError(`--gateway must be the http:// URL of a device description, got ${JSON.stringify(text)}`);
  }
  return text;
}

/**
 * `--interface`: the name or an address of one of this host's interfaces (for an IPv4 search, one
 * with an IPv4 address). A wrong one is a usage error naming those that exist, found before any
 * traffic, rather than a send error from the socket.
 */
export function checkInterface(wanted: string, ipv6: boolean, host: HostNetwork = systemHostNetwork): string {
  const family = ipv6 ? "IPv6" : "IPv4";
  const interfaces = Object.entries(host.interfaces()).map(([name, infos]) => ({ name, addresses: (infos ?? []).filter((info) => info.family === family) }));
  const found = interfaces.some(({ name, addresses }) => addresses.length > 0 && (name === wanted || addresses.some((info) => info.address === wanted)));
  // An IPv6 zone may be given as an interface index, which os.networkInterfaces() does not report.
  if (found || (ipv6 && /^\d+$/.test(wanted))) return wanted;
  const existing = interfaces
    .filter(({ addresses }) => addresses.length > 0)
    .map(({ name, addresses }) => `${name} (${addresses.map((info) => info.address).join(", ")})`);
  throw new InvalidArgumentError(
    `--interface ${JSON.stringify(wanted)} is not an interface of this host with an ${family} address; ` +
      (existing.length > 0 ? `it has: ${existing.join(", ")}` : `it has none`),
  );
}

/**
 * The `onTrace` of discovery: counts the replies whose LOCATION is refused, so that a failed
 * discovery can say so, and writes the `--verbose` trace.
 */
function searchTracer(context: CommandContext): (event: SsdpTraceEvent) => void {
  const verbose = context.terminal.verbose ? ssdpTracer(context.terminal) : undefined;
  return (event) => {
    if (event.type === "location-refused") {
      const refused = (context.facts.refusedReplies ??= { count: 0, location: event.reply.location, reason: event.reason });
      refused.count++;
    }
    verbose?.(event);
  };
}

export function clientSettings(context: CommandContext, host: HostNetwork = systemHostNetwork): ClientSettings {
  const { values } = context.line;
  const { signal } = context;
  const budgetMs = context.timeoutMs ?? noLimitOfItsOwn;
  const targets = (values["ssdp-target"] ?? []).map(parseSsdpTarget);
  const noLimits = { timeoutMs: noLimitOfItsOwn, descriptionTimeoutMs: noLimitOfItsOwn, controlTimeoutMs: noLimitOfItsOwn };
  const search: FindGatewayOptions = {
    // --ssdp-target replaces multicast: for tests, and networks where multicast is blocked.
    ...(targets.length > 0 ? { multicast: false, unicastTargets: targets } : {}),
    ...(values.interface !== undefined ? { multicastInterface: checkInterface(values.interface, values.ipv6 === true, host) } : {}),
    ...(values.ipv6 ? { ipv6: true } : {}),
    // The library's listening time, but at most half the budget: the rest is for the gateway's answers.
    listenMs: Math.min(ssdpSearchDefaults.listenMs, Math.floor(budgetMs / 2)),
    ...noLimits,
    probeTimeoutMs: noLimitOfItsOwn,
    onTrace: searchTracer(context),
    signal,
  };
  const gatewayUrl = values.gateway === undefined ? undefined : checkGatewayUrl(values.gateway);
  return { gatewayUrl, search, probe: { ...noLimits, signal }, call: { signal, timeoutMs: noLimitOfItsOwn, requestTimeoutMs: noLimitOfItsOwn } };
}

/**
 * Discovery found nothing but refused some replies' LOCATION: say that, rather than "no UPnP
 * device answered".
 */
export function explainRefusedReplies(error: unknown, facts: ErrorFacts): unknown {
  const refused = facts.refusedReplies;
  if (!(error instanceof NoGatewayError) || !error.nothingAnswered || refused === undefined) return error;
  const replies = refused.count === 1 ? "1 search reply was" : `${refused.count} search replies were`;
  return new NoGatewayError(`no usable search reply: ${replies} ignored, for LOCATION ${refused.location}: ${refused.reason}`, { cause: error });
}

/** The best gateway discovery finds. Discovery's code is loaded only when there is no --gateway URL. */
async function discoverGateway(context: CommandContext, settings: ClientSettings): Promise<WanConnection> {
  const { findGateway } = await import("../upnp/gateway/find-gateways.js");
  return context.terminal.withSpinner("Searching for a gateway…", () => findGateway(settings.search));
}

/** The gateway named by `--gateway`, or the best one discovery finds; records its external address for hints. */
export async function connectGateway(context: CommandContext, settings: ClientSettings): Promise<WanConnection> {
  const { terminal, facts } = context;
  facts.gatewayUrl = settings.gatewayUrl;
  let gateway: WanConnection;
  try {
    gateway = settings.gatewayUrl !== undefined ? await gatewayFromUrl(settings.gatewayUrl, settings.probe) : await discoverGateway(context, settings);
  } catch (error) {
    throw explainRefusedReplies(error, facts);
  }
  terminal.trace(`using ${gateway.descriptionUrl ?? gateway.controlUrl} (${gateway.serviceType})`);
  if (gateway.status) facts.externalAddress = gateway.status.externalAddress ?? "";
  return gateway;
}
