import { InvalidArgumentError } from "../../errors/errors.js";
import { addressScope } from "../../net/address-scope.js";
import type { VirtualGatewayActivity } from "../../virtual-gateway/gateway-activity.js";
import type { VirtualGatewayOptions } from "../../virtual-gateway/gateway-config.js";
import { quirkProfiles, type QuirkProfileName } from "../../virtual-gateway/quirk-profiles.js";
import { startVirtualGateway, type VirtualGateway } from "../../virtual-gateway/virtual-gateway.js";
import { parseIpAddress, parseListenPort } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { OptionValues } from "../command-line.js";
import type { Terminal } from "../terminal.js";
import { escaped, type Printable } from "../terminal-text.js";
import { hostPort } from "../wording.js";

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
  }
}

function printRunning(terminal: Terminal, info: RunningGatewayJson): void {
  const { out } = terminal;
  const row = (label: string, value: Printable): void => terminal.print(escaped`  ${out.dim(label.padEnd(17))}${value}`);
  const ssdp = hostPort(info.ssdp.address, info.ssdp.port);
  terminal.print(out.bold(`porthole virtual gateway (InternetGatewayDevice:${info.igdVersion}) is running`));
  row("description URL", out.cyan(info.descriptionUrl));
  row("SSDP (unicast)", ssdp);
  if (info.multicastInterface !== null) row("SSDP (multicast)", `239.255.255.250:1900 on ${info.multicastInterface}`);
  row("external address", info.externalAddress);
  row("quirks", info.quirks.length > 0 ? info.quirks.join(", ") : "none");
  terminal.print();
  terminal.print("Try, in another terminal:");
  terminal.print(`  porthole --gateway ${info.descriptionUrl} map 8080`);
  terminal.print(`  porthole --ssdp-target ${ssdp} discover`);
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
