import { UpnpActionError } from "../../errors/errors.js";
import type { TransportProtocol } from "../../mapping/port-mapper.js";
import { DEFAULT_DESCRIPTION, DEFAULT_LEASE_SECONDS, type PortMapping, type WanConnection } from "../../upnp/gateway/wan-connection.js";
import { parseDescription, parseIpv4, parseLease, parsePort, parseProtocols } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { CommandLine } from "../command-line.js";
import { clientSettings, connectGateway, type ClientSettings } from "../connect.js";
import { conflictCodes } from "../error-report.js";
import { escaped } from "../terminal-text.js";
import { aLease, externalAddressVerdict, formatLease, grantedLease } from "../wording.js";

/** One mapping in `porthole map --json` (docs/cli.md). */
export interface MadeMappingJson {
  protocol: TransportProtocol;
  externalPort: number;
  internalPort: number;
  internalClient: string;
  /** Seconds the gateway granted; 0 = permanent. */
  lease: number;
  description: string;
  externalAddress: string | null;
}

interface MapRequest {
  readonly externalPort: number;
  readonly internalPort: number;
  readonly protocols: TransportProtocol[];
  readonly leaseSeconds: number;
  readonly description: string;
  readonly internalClient: string | undefined;
  readonly anyPort: boolean;
}

/** Time the clean-up after a failure gets of its own: the command's signal may already be aborted (Ctrl-C, --timeout). */
const cleanupTimeoutMs = 5000;

/** Everything `map` is asked, checked before any traffic. */
function mapRequest(line: CommandLine): MapRequest {
  const { values } = line;
  const externalPort = parsePort(line.positionals["port"], "<port>");
  return {
    externalPort,
    internalPort: values["internal-port"] === undefined ? externalPort : parsePort(values["internal-port"], "--internal-port"),
    protocols: parseProtocols(values.proto ?? "tcp"),
    leaseSeconds: values.lease === undefined ? DEFAULT_LEASE_SECONDS : parseLease(values.lease),
    description: parseDescription(values.description ?? DEFAULT_DESCRIPTION),
    internalClient: values["internal-client"] === undefined ? undefined : parseIpv4(values["internal-client"], "--internal-client"),
    anyPort: values["any-port"] === true,
  };
}

/** After a conflict, who holds the port, for the hint. */
async function recordConflict(context: CommandContext, gateway: WanConnection, port: number, protocol: TransportProtocol, settings: ClientSettings): Promise<void> {
  const holder = await gateway.getPortMapping(port, protocol, settings.call).catch(() => undefined);
  context.facts.conflict = {
    port,
    protocol,
    holder: holder && `${holder.internalClient}:${holder.internalPort}${holder.description ? ` ("${holder.description}")` : ""}`,
  };
}

async function addOne(context: CommandContext, gateway: WanConnection, request: MapRequest, protocol: TransportProtocol, settings: ClientSettings): Promise<PortMapping> {
  try {
    return await gateway.addPortMapping({
      externalPort: request.externalPort,
      internalPort: request.internalPort,
      protocol,
      leaseSeconds: request.leaseSeconds,
      description: request.description,
      internalClient: request.internalClient,
      anyPort: request.anyPort,
      ...settings.call,
    });
  } catch (error) {
    if (error instanceof UpnpActionError && conflictCodes.has(error.upnpCode)) {
      await recordConflict(context, gateway, request.externalPort, protocol, settings);
    }
    throw error;
  }
}

/**
 * Removes what this run mapped before a later protocol failed, so `--proto both` leaves both or
 * neither. It runs on its own time budget: after Ctrl-C or --timeout the command's signal is aborted.
 */
async function undo(context: CommandContext, gateway: WanConnection, made: readonly PortMapping[]): Promise<void> {
  for (const mapping of made) {
    try {
      await gateway.deletePortMapping(mapping, { timeoutMs: cleanupTimeoutMs });
      context.terminal.trace(`removed ${mapping.protocol} ${mapping.externalPort} again`);
    } catch (error) {
      context.terminal.warn(
        `could not remove ${mapping.protocol} port ${mapping.externalPort} again (${String(error)}); ` +
          `remove it with "porthole unmap ${mapping.externalPort} --proto ${mapping.protocol.toLowerCase()}"`,
      );
    }
  }
}

async function externalAddressOf(gateway: WanConnection, settings: ClientSettings): Promise<string | null> {
  const known = gateway.status?.externalAddress;
  if (known !== undefined) return known;
  // The mappings are made: a gateway that will not say its address does not undo them.
  const asked = await gateway.getExternalAddress(settings.call).catch((error: unknown) => {
    if (settings.call.signal.aborted) throw error;
    return "";
  });
  return asked === "" ? null : asked;
}

/** A mapping as `map --json` shows it (docs/cli.md); `askedLease`, when known, absorbs the read-back's lag. */
export function madeMappingJson(mapping: PortMapping, externalAddress: string | null, askedLease?: number): MadeMappingJson {
  return {
    protocol: mapping.protocol,
    externalPort: mapping.externalPort,
    internalPort: mapping.internalPort,
    internalClient: mapping.internalClient,
    lease: askedLease === undefined ? mapping.leaseSeconds : grantedLease(askedLease, mapping.leaseSeconds),
    description: mapping.description,
    externalAddress,
  };
}

function printMapping(context: CommandContext, mapping: MadeMappingJson, request: MapRequest): void {
  const { terminal } = context;
  const { out } = terminal;
  const external = `${mapping.externalAddress ?? "?"}:${mapping.externalPort}`;
  terminal.print(
    escaped`${out.green("mapped")} ${mapping.protocol} ${out.bold(external)} → ${mapping.internalClient}:${mapping.internalPort}  lease ${formatLease(mapping.lease)}  "${mapping.description}"`,
  );
  if (mapping.externalPort !== request.externalPort) {
    terminal.warn(`${mapping.protocol} port ${request.externalPort} was taken; the gateway gave port ${mapping.externalPort}`);
  }
  if (mapping.lease !== request.leaseSeconds) {
    terminal.warn(`asked for ${aLease(request.leaseSeconds)}, the gateway granted ${aLease(mapping.lease)}`);
  }
}

/** `porthole map <port>`: adds a mapping (or two with `--proto both`) and prints what the gateway granted. */
export const map: Command = async (context) => {
  const { terminal } = context;
  const request = mapRequest(context.line);
  const settings = clientSettings(context);
  const gateway = await connectGateway(context, settings);
  const made: PortMapping[] = [];
  try {
    for (const protocol of request.protocols) made.push(await addOne(context, gateway, request, protocol, settings));
  } catch (error) {
    await undo(context, gateway, made);
    throw error;
  }
  const externalAddress = await externalAddressOf(gateway, settings);
  const mappings = made.map((m) => madeMappingJson(m, externalAddress, request.leaseSeconds));
  const { note } = externalAddressVerdict(externalAddress);
  if (note !== undefined) terminal.warn(note);
  if (terminal.json) terminal.printJson({ mappings });
  else for (const mapping of mappings) printMapping(context, mapping, request);
};
