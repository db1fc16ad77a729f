import { networkInterfaces } from "node:os";
import { isIPv4 } from "node:net";
import { InvalidArgumentError } from "../../errors/errors.js";
import { portMapperFinder } from "../../discovery/port-mapper-finder.js";
import type { FindPortMapperOptions } from "../../discovery/port-mapper-attempts.js";
import type { ManagedPort } from "../../manager/managed-port.js";
import type { ManagedPortEvents, PortIdentity } from "../../manager/managed-port-events.js";
import type { ManagedPortOptions } from "../../manager/managed-port-options.js";
import { MappingManager } from "../../manager/mapping-manager.js";
import { methodName } from "../../mapping/method-names.js";
import { maxTimeoutMs } from "../../util/check-arguments.js";
import { startDeadline } from "../../util/deadline.js";
import { parseCheckInterval, parseDescription, parseLease, parsePort, parseProtocols } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { CommandLine } from "../command-line.js";
import { mapperSettings, type MapperSettings } from "../connect-mapper.js";
import { recoverableNonces } from "../pcp-secret.js";
import { errorJson } from "../error-report.js";
import { ExitCode } from "../exit-codes.js";
import type { Terminal } from "../terminal.js";
import { escaped, type Printable } from "../terminal-text.js";
import { formatLease, hostPort } from "../wording.js";

/** Everything `hold` is asked, checked before any traffic: one managed port per port and protocol. */
function heldPorts(line: CommandLine): ManagedPortOptions[] {
  const { values } = line;
  const ports = line.operands.map((operand) => parsePort(operand, "<port>"));
  const repeated = ports.find((port, i) => ports.indexOf(port) !== i);
  if (repeated !== undefined) throw new InvalidArgumentError(`port ${repeated} is given twice`, "port");
  if (values.ipv6 && values["any-port"]) throw new InvalidArgumentError("with --ipv6 a pinhole opens the port itself: there is no other port for --any-port to take");
  const common = {
    leaseSeconds: values.lease === undefined ? undefined : parseLease(values.lease),
    description: values.description === undefined ? undefined : parseDescription(values.description),
    anyPort: values["any-port"] === true,
    // Unset, the library's minute.
    checkIntervalMs: values["check-interval"] === undefined ? undefined : parseCheckInterval(values["check-interval"]) * 1000,
  };
  const protocols = parseProtocols(values.proto ?? "tcp");
  return ports.flatMap((internalPort) => protocols.map((protocol) => ({ ...common, protocol, internalPort })));
}

/**
 * With `--interface`, the router's SSDP announcements (`ssdp:alive` after a reboot) are heard on
 * that interface, so a UPnP mapping comes back at once instead of at the next check. Joining the
 * SSDP group is traffic on the interface, so it is done only on one the user named.
 */
function announcementInterface(wanted: string | undefined): string | undefined {
  if (wanted === undefined || isIPv4(wanted)) return wanted;
  return networkInterfaces()[wanted]?.find((info) => info.family === "IPv4")?.address;
}

function findOptions(context: CommandContext, settings: MapperSettings): FindPortMapperOptions {
  const listenOn = announcementInterface(settings.find.upnp?.multicastInterface);
  return {
    ...settings.find,
    pcp: { ...settings.find.pcp, nonceFor: recoverableNonces(context) },
    ...(listenOn === undefined ? {} : { upnpMapper: { ...settings.find.upnpMapper, announcements: { multicastInterface: listenOn } } }),
  };
}

/** An event as `hold --json` prints it: `{"event": name, ...payload}`, unknowns as null, errors as the error document's part. */
function eventJson(name: string, identity: PortIdentity, payload: object): Record<string, unknown> {
  const document: Record<string, unknown> = { event: name };
  for (const [key, value] of Object.entries({ ...identity, ...payload })) document[key] = (value as unknown) instanceof Error ? errorJson(value) : (value ?? null);
  return document;
}

/** `12:00:01`: when an event happened, in local time, for a status that runs for hours. */
function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** One line of the text status: the time, what happened, to which port, and what it means. */
function eventLine(terminal: Terminal, name: keyof ManagedPortEvents, port: PortIdentity, detail: Printable): void {
  const { out } = terminal;
  const styled = name === "lost" || name === "error" ? out.yellow(name.padEnd(12)) : name === "released" ? out.dim(name.padEnd(12)) : out.green(name.padEnd(12));
  terminal.print(escaped`${out.dim(clock())} ${styled} ${port.protocol} ${port.internalPort}  ${detail}`);
}

function grantedText(event: ManagedPortEvents["mapped"][0]): Printable {
  const external = hostPort(event.externalAddress ?? "?", event.externalPort);
  return escaped`reachable at ${external} → ${event.internalClient}:${event.internalPort}, lease ${formatLease(event.lifetime)}, via ${methodName(event.method)}`;
}

/** Prints every event of `port`: one JSON line each with `--json`, else one line of status. */
function report(terminal: Terminal, port: ManagedPort): void {
  const line = <K extends keyof ManagedPortEvents>(name: K, identity: PortIdentity, payload: object, detail: () => Printable): void => {
    if (terminal.json) terminal.printJson(eventJson(name, identity, payload));
    else eventLine(terminal, name, identity, detail());
  };
  port.on("mapped", (event) => line("mapped", event, event, () => grantedText(event)));
  port.on("renewed", (event) => line("renewed", event, event, () => grantedText(event)));
  port.on("restored", (event) => line("restored", event, event, () => grantedText(event)));
  port.on("port-changed", (event) => line("port-changed", event, event, () => escaped`${grantedText(event)} (was port ${event.previousExternalPort})`));
  port.on("lost", (event) => line("lost", event, event, () => escaped`${event.reason}: ${event.message}`));
  port.on("external-address-changed", (event) =>
    line("external-address-changed", event, event, () => escaped`external address now ${event.externalAddress} (was ${event.previousExternalAddress})`),
  );
  port.on("error", (error) => {
    const identity: PortIdentity = { protocol: port.protocol, internalPort: port.internalPort, externalPort: port.externalPort, externalAddress: port.externalAddress, method: port.method };
    line("error", identity, { error }, () => escaped`${error.message} (still trying)`);
  });
  port.on("released", (event) => line("released", event, event, () => (event.removed ? "removed from the gateway" : "nothing left to remove")));
}

/** Resolves when `signal` aborts: Ctrl-C, SIGTERM, or an output nobody reads any more. */
function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

/**
 * `porthole hold <port>...`: maps each port through a `MappingManager` and keeps it open —
 * renewed, checked every `--check-interval`, put back after a router reboot — printing every
 * event, until Ctrl-C or SIGTERM; then it releases every mapping, prints `released` for each and
 * exits 0. `--timeout` is the budget of the first mappings: until each port is mapped once, a
 * failure ends the command as it would end `map` (exit 1, or 3 when no gateway answers).
 */
export const hold: Command = async (context) => {
  // Its signal is only Ctrl-C, SIGTERM or a closed output: the budget is for the first mappings.
  const { terminal, signal: stopSignal } = context;
  const requests = heldPorts(context.line);
  const settings = mapperSettings(context, { family: context.line.values.ipv6 ? 6 : 4 });
  const manager = new MappingManager({ findMapper: portMapperFinder(findOptions(context, settings)) });
  const ports = requests.map((request) => manager.openPort(request));
  for (const port of ports) report(terminal, port);
  context.facts.protocol = settings.protocol;
  context.facts.gatewayUrl = settings.client.gatewayUrl;
  const first = startDeadline("porthole hold (the first mappings)", context.timeoutMs ?? maxTimeoutMs, stopSignal);
  try {
    await Promise.all(ports.map((port) => port.ready({ signal: first.signal, timeoutMs: maxTimeoutMs })));
  } catch (error) {
    // Released first, so the failure is the last word; Ctrl-C meanwhile is a stop like any other.
    await manager.close();
    if (stopSignal.aborted) return ExitCode.success;
    throw error;
  } finally {
    first.dispose();
  }
  if (!terminal.json) terminal.note(terminal.err.dim(`holding ${ports.length === 1 ? "1 mapping" : `${ports.length} mappings`}; Ctrl-C or SIGTERM releases ${ports.length === 1 ? "it" : "them"}`));
  await untilStopped(stopSignal);
  await manager.close();
  return ExitCode.success;
};
