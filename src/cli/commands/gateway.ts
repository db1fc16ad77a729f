import { InvalidArgumentError, quirkProfiles, startVirtualGateway, type QuirkProfileName, type VirtualGateway, type VirtualGatewayOptions } from "../../index.js";
import { parseIpAddress, parseListenPort } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { OptionValues } from "../command-line.js";
import type { Terminal } from "../terminal.js";

type VirtualGatewayActivity = Parameters<NonNullable<VirtualGatewayOptions["onActivity"]>>[0];

/** `porthole gateway --json`, printed once it runs (docs/cli.md). */
export interface RunningGatewayJson {
  descriptionUrl: string;
  ssdp: { address: string; port: number };
  httpPort: number;
  igdVersion: 1 | 2;
  externalAddress: string;
  quirks: QuirkProfileName[];
  multicastInterface: string | null;
}

function isProfileName(name: string): name is QuirkProfileName {
  return Object.hasOwn(quirkProfiles, name);
}

/** `--quirk a --quirk b,c`: the profile names, each checked. */
export function parseQuirks(texts: readonly string[]): QuirkProfileName[] {
  return texts.flatMap((text) => text.split(",")).map((name) => {
    const trimmed = name.trim();
    if (!isProfileName(trimmed)) {
      throw new InvalidArgumentError(`unknown quirk "${trimmed}"; "porthole gateway --help" lists them`);
    }
    return trimmed;
  });
}

function gatewayOptions(values: OptionValues): VirtualGatewayOptions & { igdVersion: 1 | 2; profiles: QuirkProfileName[] } {
  const igd = values.igd ?? "2";
  if (igd !== "1" && igd !== "2") throw new InvalidArgumentError(`--igd must be 1 or 2, got ${JSON.stringify(igd)}`);
  return {
    address: parseIpAddress(values.address ?? "127.0.0.1", "--address"),
    httpPort: parseListenPort(values["http-port"] ?? "0", "--http-port"),
    ssdpPort: parseListenPort(values["ssdp-port"] ?? "0", "--ssdp-port"),
    igdVersion: igd === "1" ? 1 : 2,
    profiles: parseQuirks(values.quirk ?? []),
    ...(values["external-address"] !== undefined ? { externalAddress: values["external-address"] } : {}),
    ...(values["multicast-interface"] !== undefined
      ? { multicastInterface: parseIpAddress(values["multicast-interface"], "--multicast-interface") }
      : {}),
  };
}

function describeArguments(args: ReadonlyArray<readonly [string, string]>): string {
  return args
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name.replace(/^New/, "")}=${value}`)
    .join(" ");
}

/** One stderr line per thing the gateway did. */
export function activityLine(activity: VirtualGatewayActivity): string {
  switch (activity.type) {
    case "search":
      return `M-SEARCH from ${activity.from.address}:${activity.from.port} for ${activity.searchTarget} → ${activity.replies} ${activity.replies === 1 ? "reply" : "replies"}`;
    case "http":
      return `${activity.method} ${activity.path} from ${activity.clientAddress} → ${activity.status}`;
    case "control": {
      const outcome = activity.upnpCode === undefined ? "ok" : `UPnP error ${activity.upnpCode}`;
      return `${activity.action || "(no action)"} from ${activity.clientAddress} ${describeArguments(activity.arguments)} → ${outcome}`.replace(/ +/g, " ");
    }
  }
}

function printRunning(terminal: Terminal, info: RunningGatewayJson): void {
  const { out } = terminal;
  const row = (label: string, value: string): void => terminal.print(`  ${out.dim(label.padEnd(17))}${value}`);
  terminal.print(out.bold(`porthole virtual gateway (InternetGatewayDevice:${info.igdVersion}) is running`));
  row("description URL", out.cyan(info.descriptionUrl));
  row("SSDP (unicast)", `${info.ssdp.address}:${info.ssdp.port}`);
  if (info.multicastInterface !== null) row("SSDP (multicast)", `239.255.255.250:1900 on ${info.multicastInterface}`);
  row("external address", info.externalAddress);
  row("quirks", info.quirks.length > 0 ? info.quirks.join(", ") : "none");
  terminal.print();
  terminal.print("Try, in another terminal:");
  terminal.print(`  porthole --gateway ${info.descriptionUrl} map 8080`);
  terminal.print(`  porthole --ssdp-target ${info.ssdp.address.includes(":") ? `[${info.ssdp.address}]` : info.ssdp.address}:${info.ssdp.port} discover`);
  terminal.print(`  upnpc -u ${info.descriptionUrl} -l`);
  terminal.print(out.dim("Press Ctrl-C to stop."));
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function runUntilStopped(context: CommandContext, gateway: VirtualGateway): Promise<void> {
  try {
    await untilAborted(context.signal);
  } finally {
    await gateway.close();
    context.terminal.note(context.terminal.err.dim("virtual gateway stopped"));
  }
}

/** `porthole gateway`: the virtual gateway in the foreground, logging what it does, until Ctrl-C. */
export const gateway: Command = async (context) => {
  const { terminal } = context;
  const options = gatewayOptions(context.line.values);
  const running = await startVirtualGateway({
    ...options,
    signal: context.signal,
    onActivity: (activity) => terminal.note(terminal.err.dim(activityLine(activity))),
  });
  const info: RunningGatewayJson = {
    descriptionUrl: running.descriptionUrl,
    ssdp: { ...running.ssdpAddress },
    httpPort: running.httpPort,
    igdVersion: options.igdVersion,
    externalAddress: running.externalAddress,
    quirks: options.profiles,
    multicastInterface: options.multicastInterface ?? null,
  };
  if (terminal.json) terminal.printJson(info);
  else printRunning(terminal, info);
  await runUntilStopped(context, running);
};
