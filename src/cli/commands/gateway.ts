import { InvalidArgumentError } from "../../errors/errors.js";
import { methodName } from "../../mapping/method-names.js";
import { addressScope } from "../../net/address-scope.js";
import type { VirtualGatewayActivity } from "../../virtual-gateway/gateway-activity.js";
import type { VirtualGatewayOptions } from "../../virtual-gateway/gateway-config.js";
import { quirkProfiles, type QuirkProfileName } from "../../virtual-gateway/quirk-profiles.js";
import { startVirtualGateway, type VirtualGateway } from "../../virtual-gateway/virtual-gateway.js";
import { parseIpAddress, parseListenPort } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { OptionValues } from "../command-line.js";
import type { Terminal } from "../terminal.js";
import { hostPort } from "../wording.js";

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

/**
 * `--address`: where to serve, and the host of every URL the gateway hands out (LOCATION, control
 * URLs). 0.0.0.0 and :: would bind every interface but advertise URLs nobody can connect to.
 */
function parseServeAddress(text: string): string {
  const address = parseIpAddress(text, "--address");
  const unspecified = address.includes(":") ? /^[0:]+$/.test(address) : addressScope(address) === "unspecified";
  if (unspecified) {
    throw new InvalidArgumentError(
      `--address must be an address clients can connect to, as it goes into the URLs the gateway advertises; got ${JSON.stringify(text)}. ` +
        "Give 127.0.0.1, or this host's address on the network to serve",
    );
  }
  return address;
}

function gatewayOptions(values: OptionValues): VirtualGatewayOptions & { igdVersion: 1 | 2; profiles: QuirkProfileName[] } {
  const igd = values.igd ?? "2";
  if (igd !== "1" && igd !== "2") throw new InvalidArgumentError(`--igd must be 1 or 2, got ${JSON.stringify(igd)}`);
  return {
    address: parseServeAddress(values.address ?? "127.0.0.1"),
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
  return `${methodName(activity.type)} ${asked} from ${hostPort(activity.from.address, activity.from.port)} → ${outcome}`;
}

/**
 * One stderr line per thing the gateway did. Its parts come from whoever sent the request (a
 * description, a search target): the Terminal escapes the line as a whole.
 */
export function activityLine(activity: VirtualGatewayActivity): string {
  switch (activity.type) {
    case "search":
      return `M-SEARCH from ${hostPort(activity.from.address, activity.from.port)} for ${activity.searchTarget} → ${activity.replies} ${activity.replies === 1 ? "reply" : "replies"}`;
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
  const { protocols, portControl, ssdp } = info;
  const portControlSpoken = [protocols.natPmp ? methodName("natpmp") : "", protocols.pcp ? methodName("pcp") : ""].filter(Boolean);
  const spoken = [protocols.upnp ? `InternetGatewayDevice:${info.igdVersion}` : "", ...portControlSpoken].filter(Boolean);
  terminal.print(out.bold(`porthole virtual gateway (${spoken.join(", ")}) is running`));
  if (info.descriptionUrl !== null) terminal.printRow("description URL", out.cyan(info.descriptionUrl));
  if (ssdp !== null) terminal.printRow("SSDP (unicast)", hostPort(ssdp.address, ssdp.port));
  if (ssdp !== null && info.multicastInterface !== null) terminal.printRow("SSDP (multicast)", `239.255.255.250:1900 on ${info.multicastInterface}`);
  if (portControl !== null) terminal.printRow(portControlSpoken.join(" and "), `${hostPort(portControl.address, portControl.port)} (UDP)`);
  terminal.printRow("external address", info.externalAddress);
  terminal.printRow("quirks", info.quirks.length > 0 ? info.quirks.join(", ") : "none");
  terminal.print();
  terminal.print("Try, in another terminal:");
  if (info.descriptionUrl !== null && ssdp !== null) {
    terminal.print(`  porthole --gateway ${info.descriptionUrl} map 8080`);
    terminal.print(`  porthole --ssdp-target ${hostPort(ssdp.address, ssdp.port)} discover`);
    terminal.print(`  upnpc -u ${info.descriptionUrl} -l`);
  }
  if (portControl !== null && protocols.natPmp && portControl.port === 5351) terminal.print(`  natpmpc -g ${portControl.address} -a 8080 8080 tcp 3600`);
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

/**
 * `porthole gateway`: the virtual gateway in the foreground, logging what it does, until Ctrl-C or
 * SIGTERM. Being stopped is how it is meant to end, so it then exits 0 (not 130).
 */
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
