import { NoGatewayError } from "../../errors/errors.js";
import { discoverDevices } from "../../upnp/gateway/find-gateways.js";
import { gatewayFromUrl } from "../../upnp/gateway/probe-gateway.js";
import type { WanConnection } from "../../upnp/gateway/wan-connection.js";
import type { Command, CommandContext } from "../command-context.js";
import { clientSettings, explainRefusedReplies, type ClientSettings } from "../connect.js";
import { escaped, type Printable } from "../terminal-text.js";
import { externalAddressVerdict, shortServiceType } from "../wording.js";

/** One gateway in `porthole discover --json` (docs/cli.md). */
export interface DiscoveredGatewayJson {
  location: string | null;
  /** The device's friendlyName, as its description says it; null when it has none. */
  friendlyName: string | null;
  controlUrl: string;
  serviceType: string;
  /** NewConnectionStatus as the gateway said it ("Connected", ...); null when GetStatusInfo failed. */
  status: string | null;
  externalAddress: string | null;
  localAddress: string | null;
  /** True exactly when text mode warns of double NAT (`externalAddressVerdict`). */
  doubleNat: boolean;
}

export function gatewayJson(gateway: WanConnection): DiscoveredGatewayJson {
  const externalAddress = gateway.status?.externalAddress ?? null;
  return {
    location: gateway.descriptionUrl ?? null,
    friendlyName: gateway.description?.friendlyName ?? null,
    controlUrl: gateway.controlUrl,
    serviceType: gateway.serviceType,
    status: gateway.status?.connectionStatus ?? null,
    externalAddress,
    localAddress: gateway.localAddress ?? null,
    doubleNat: externalAddressVerdict(externalAddress).doubleNat,
  };
}

/** Every gateway that answers, in the order their probes finish. */
async function findAll(context: CommandContext, settings: ClientSettings): Promise<WanConnection[]> {
  const { terminal } = context;
  context.facts.gatewayUrl = settings.gatewayUrl;
  if (settings.gatewayUrl !== undefined) return [await gatewayFromUrl(settings.gatewayUrl, settings.probe)];
  const gateways: WanConnection[] = [];
  let devices = 0;
  await terminal.withSpinner("Searching for gateways…", async () => {
    for await (const { probe } of discoverDevices(settings.search)) {
      devices++;
      if (probe.gateway) gateways.push(probe.gateway);
      else terminal.trace(`${probe.descriptionUrl} is not a usable gateway${probe.error ? `: ${probe.error.message}` : ""}`);
    }
  });
  if (gateways.length === 0) {
    throw devices === 0
      ? explainRefusedReplies(new NoGatewayError("no UPnP device answered the search", { nothingAnswered: true }), context.facts)
      : new NoGatewayError(`${devices} UPnP device(s) answered, none of them a gateway that maps ports`);
  }
  return gateways;
}

function printGateway(context: CommandContext, gateway: DiscoveredGatewayJson): void {
  const { terminal } = context;
  const { out } = terminal;
  const row = (label: string, value: Printable): void => terminal.print(escaped`  ${out.dim(label.padEnd(17))}${value}`);
  terminal.print(out.bold(gateway.location ?? gateway.controlUrl));
  if (gateway.friendlyName !== null) row("name", gateway.friendlyName);
  row("service", shortServiceType(gateway.serviceType));
  row("status", gateway.status ?? "unknown (GetStatusInfo failed)");
  row("external address", gateway.externalAddress ?? "none reported");
  row("local address", gateway.localAddress ?? "unknown");
  const { note } = externalAddressVerdict(gateway.externalAddress);
  if (note !== undefined) row("warning", out.yellow(note));
}

/** `porthole discover`: every gateway found, with its status and addresses. */
export const discover: Command = async (context) => {
  const settings = clientSettings(context);
  const gateways = (await findAll(context, settings)).map(gatewayJson);
  if (context.terminal.json) {
    context.terminal.printJson({ gateways });
    return;
  }
  gateways.forEach((gateway, i) => {
    if (i > 0) context.terminal.print();
    printGateway(context, gateway);
  });
};
