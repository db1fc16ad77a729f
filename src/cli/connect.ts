import { InvalidArgumentError, findGateway, gatewayFromUrl, parseHttpUrl, type FindGatewayOptions, type WanConnection } from "../index.js";
import { parseSsdpTarget, parseTimeout } from "./argument-checks.js";
import type { CommandContext } from "./command-context.js";
import type { OptionValues } from "./command-line.js";
import type { Terminal } from "./terminal.js";
import { ssdpTracer } from "./verbose-trace.js";

/** How a command finds and talks to its gateway, from the common options, checked before any traffic. */
export interface ClientSettings {
  /** `--gateway URL`: skip discovery. */
  readonly gatewayUrl: string | undefined;
  /** Discovery options, and the time budgets of probing; `signal` is added per call. */
  readonly search: FindGatewayOptions;
  /** `--timeout`, for each SOAP call; undefined keeps the library's defaults. */
  readonly timeoutMs: number | undefined;
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

export function clientSettings(values: OptionValues, terminal: Terminal): ClientSettings {
  const timeoutMs = values.timeout === undefined ? undefined : parseTimeout(values.timeout);
  const targets = (values["ssdp-target"] ?? []).map(parseSsdpTarget);
  const search: FindGatewayOptions = {
    // --ssdp-target replaces multicast: for tests, and networks where multicast is blocked.
    ...(targets.length > 0 ? { multicast: false, unicastTargets: targets } : {}),
    ...(values.interface !== undefined ? { multicastInterface: values.interface } : {}),
    ...(values.ipv6 ? { ipv6: true } : {}),
    ...(timeoutMs !== undefined ? { listenMs: timeoutMs, descriptionTimeoutMs: timeoutMs, controlTimeoutMs: timeoutMs } : {}),
    ...(terminal.verbose ? { onTrace: ssdpTracer(terminal) } : {}),
  };
  const gatewayUrl = values.gateway === undefined ? undefined : checkGatewayUrl(values.gateway);
  return { gatewayUrl, search, timeoutMs };
}

/** The gateway named by `--gateway`, or the best one discovery finds; records its external address for hints. */
export async function connectGateway(context: CommandContext, settings: ClientSettings): Promise<WanConnection> {
  const { terminal, signal } = context;
  context.facts.gatewayUrl = settings.gatewayUrl;
  const gateway =
    settings.gatewayUrl !== undefined
      ? await gatewayFromUrl(settings.gatewayUrl, { ...settings.search, signal })
      : await terminal.withSpinner("Searching for a gateway…", () => findGateway({ ...settings.search, signal }));
  terminal.trace(`using ${gateway.descriptionUrl ?? gateway.controlUrl} (${gateway.serviceType})`);
  if (gateway.status) context.facts.externalAddress = gateway.status.externalAddress ?? "";
  return gateway;
}
