import { InvalidArgumentError, quirkProfiles, startVirtualGateway, type QuirkProfileName, type VirtualGateway, type VirtualGatewayOptions } from "../../index.js";
import { parseIpAddress, parseListenPort } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { OptionValues } from "../command-line.js";
import type { Terminal } from "../terminal.js";

type VirtualGatewayActivity = Parameters<NonNullable<VirtualGatewayOptions["onActivity"]>>[0];

/** `porthole gateway --json`, printed once it runs (docs/cli.md). The UPnP fields are null with UPnP off. */
export interface RunningGatewayJson {
  descriptionUrl: string | null;
  ssdp: { address: string; port: number } | null;
  httpPort: number | null;
  /** The NAT-PMP and PCP server; null with both off. */
  portControl: { address: string; port: number } | null;
  protocols: { upnp: boolean; natPmp: boolean; pcp: boolean };
  igdVersion: 1 | 2;
  externalAddress: string;
  quirks: QuirkProfileName[];
  multicastInterface: string | null;
}

/** Where gateways announce to every host (RFC 6886 §3.2.1, RFC 6887 §14.1.1): only with --multicast-interface. */
const announcementGroup = { address: "224.0.0.1", port: 5350 };

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
    portControlPort: parseListenPort(values["port-control-port"] ?? "0", "--port-control-port"),
    profiles: parseQuirks(values.quirk ?? []),
    ...(values["no-upnp"] ? { upnp: false } : {}),
    ...(values["no-natpmp"] ? { natPmp: false } : {}),
    ...(values["no-pcp"] ? { pcp: false } : {}),
    ...(values["external-address"] !== undefined ? { externalAddress: values["external-address"] } : {}),
    ...(values["multicast-interface"] !== undefined
      ? { multicastInterface: parseIpAddress(values["multicast-interface"], "--multicast-interface"), portControlAnnounceTo: [announcementGroup] }
      : {}),
  };
}

function describeArguments(args: ReadonlyArray<readonly [string, string]>): string {
  return args
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name.replace(/^New/, "")}=${value}`)
    .join(" ");
}

/** `NAT-PMP map UDP 5000 (suggested 5000, 3600 s) from 192.0.2.2:40000 → ok: external port 5000, 3600 s`. */
function portControlLine(activity: Extract<VirtualGatewayActivity, { type: "natpmp" | "pcp" }>): string {
  const { mapping, granted, resultCode } = activity;
  const asked =
    mapping === undefined
      ? activity.request
      : `map ${typeof mapping.protocol === "number" ? `protocol ${mapping.protocol}` : mapping.protocol} ${mapping.internalPort} (suggested ${mapping.suggestedExternalPort}, ${mapping.lifetimeSeconds} s)`;
  const outcome =
    resultCode === undefined ? "no answer" : resultCode !== 0 ? `result ${resultCode}` : granted === undefined ? "ok" : `ok: external port ${granted.externalPort}, ${granted.lifetimeSeconds} s`;
  return `${activity.type === "natpmp" ? "NAT-PMP" : "PCP"} ${asked} from ${activity.from.address}:${activity.from.port} → ${outcome}`;
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
    case "natpmp":
    case "pcp":
      return portControlLine(activity);
  }
}

function printRunning(terminal: Terminal, info: RunningGatewayJson): void {
  const { out } = terminal;
  const row = (label: string, value: string): void => terminal.print(`  ${out.dim(label.padEnd(17))}${value}`);
  const { protocols, portControl } = info;
  const spoken = [protocols.upnp ? `InternetGatewayDevice:${info.igdVersion}` : "", protocols.natPmp ? "NAT-PMP" : "", protocols.pcp ? "PCP" : ""].filter(Boolean);
  terminal.print(out.bold(`porthole virtual gateway (${spoken.join(", ")}) is running`));
  if (info.descriptionUrl !== null) row("description URL", out.cyan(info.descriptionUrl));
  if (info.ssdp !== null) row("SSDP (unicast)", `${info.ssdp.address}:${info.ssdp.port}`);
  if (info.ssdp !== null && info.multicastInterface !== null) row("SSDP (multicast)", `239.255.255.250:1900 on ${info.multicastInterface}`);
  if (portControl !== null) row(protocols.natPmp && protocols.pcp ? "NAT-PMP and PCP" : protocols.pcp ? "PCP" : "NAT-PMP", `${hostPort(portControl)} (UDP)`);
  row("external address", info.externalAddress);
  row("quirks", info.quirks.length > 0 ? info.quirks.join(", ") : "none");
  terminal.print();
  terminal.print("Try, in another terminal:");
  if (info.descriptionUrl !== null && info.ssdp !== null) {
    terminal.print(`  porthole --gateway ${info.descriptionUrl} map 8080`);
    terminal.print(`  porthole --ssdp-target ${hostPort(info.ssdp)} discover`);
    terminal.print(`  upnpc -u ${info.descriptionUrl} -l`);
  }
  if (portControl !== null && protocols.natPmp && portControl.port === 5351) terminal.print(`  natpmpc -g ${portControl.address} -a 8080 8080 tcp 3600`);
  terminal.print(out.dim("Press Ctrl-C to stop."));
}

function hostPort(endpoint: { address: string; port: number }): string {
  return `${endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address}:${endpoint.port}`;
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
  const { protocols } = running;
  const info: RunningGatewayJson = {
    descriptionUrl: protocols.upnp ? running.descriptionUrl : null,
    ssdp: protocols.upnp ? { ...running.ssdpAddress } : null,
    httpPort: protocols.upnp ? running.httpPort : null,
    portControl: protocols.natPmp || protocols.pcp ? { ...running.portControlAddress } : null,
    protocols: { ...protocols },
    igdVersion: options.igdVersion,
    externalAddress: running.externalAddress,
    quirks: options.profiles,
    multicastInterface: options.multicastInterface ?? null,
  };
  if (terminal.json) terminal.printJson(info);
  else printRunning(terminal, info);
  await runUntilStopped(context, running);
};
