import { NoGatewayError, discoverDevices, gatewayFromUrl, type WanConnection } from "../../index.js";
import type { Command, CommandContext } from "../command-context.js";
import { clientSettings, type ClientSettings } from "../connect.js";
import { doubleNatNote, shortServiceType } from "../wording.js";

/** One gateway in `porthole discover --json` (docs/cli.md). */
export interface DiscoveredGatewayJson {
  location: string | null;
  controlUrl: string;
  serviceType: string;
  /** NewConnectionStatus as the gateway said it ("Connected", ...); null when GetStatusInfo failed. */
  status: string | null;
  externalAddress: string | null;
  localAddress: string | null;
  doubleNat: boolean;
}

export function gatewayJson(gateway: WanConnection): DiscoveredGatewayJson {
  return {
    location: gateway.descriptionUrl ?? null,
    controlUrl: gateway.controlUrl,
    serviceType: gateway.serviceType,
    status: gateway.status?.connectionStatus ?? null,
    externalAddress: gateway.status?.externalAddress ?? null,
    localAddress: gateway.localAddress ?? null,
    doubleNat: gateway.status?.doubleNat ?? false,
  };
}

/** Every gateway that answers, in the order their probes finish. */
async function findAll(context: CommandContext, settings: ClientSettings): Promise<WanConnection[]> {
  const { terminal, signal } = context;
  context.facts.gatewayUrl = settings.gatewayUrl;
  if (settings.gatewayUrl !== undefined) return [await gatewayFromUrl(settings.gatewayUrl, { ...settings.search, signal })];
  const gateways: WanConnection[] = [];
  let devices = 0;
  await terminal.withSpinner("Searching for gateways…", async () => {
    for await (const { probe } of discoverDevices({ ...settings.search, signal })) {
      devices++;
      if (probe.gateway) gateways.push(probe.gateway);
      else terminal.trace(`${probe.descriptionUrl} is not a usable gateway${probe.error ? `: ${probe.error.message}` : ""}`);
    }
  });
  if (gateways.length === 0) {
    throw devices === 0
      ? new NoGatewayError("no UPnP device answered the search", { nothingAnswered: true })
      : new NoGatewayError(`${devices} UPnP device(s) answered, none of them a gateway that maps ports`);
  }
  return gateways;
}

function printGateway(context: CommandContext, gateway: DiscoveredGatewayJson): void {
  const { terminal } = context;
  const { out } = terminal;
  const row = (label: string, value: string): void => terminal.print(`  ${out.dim(label.padEnd(17))}${value}`);
  terminal.print(out.bold(gateway.location ?? gateway.controlUrl));
  row("service", shortServiceType(gateway.serviceType));
  row("status", gateway.status ?? "unknown (GetStatusInfo failed)");
  row("external address", gateway.externalAddress ?? "none reported");
  row("local address", gateway.localAddress ?? "unknown");
  const note = doubleNatNote(gateway.externalAddress ?? undefined);
  if (note !== undefined) row("warning", out.yellow(note));
}

/** `porthole discover`: every gateway found, with its status and addresses. */
export const discover: Command = async (context) => {
  const settings = clientSettings(context.line.values, context.terminal);
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
