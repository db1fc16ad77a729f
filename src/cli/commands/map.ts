import { InvalidArgumentError, UpnpActionError } from "../../errors/errors.js";
import { methodName } from "../../mapping/method-names.js";
import type { Mapping, MappingMethod, PortMapper, TransportProtocol } from "../../mapping/port-mapper.js";
import { UpnpPortMapper } from "../../upnp/upnp-port-mapper.js";
import { DEFAULT_DESCRIPTION, DEFAULT_LEASE_SECONDS } from "../../upnp/gateway/wan-connection.js";
import { parseDescription, parseInternalClient, parseLease, parsePort, parseProtocols } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import type { CommandLine } from "../command-line.js";
import { connectMapper, mapperSettings, type MapperSettings } from "../connect-mapper.js";
import { recoverableNonces } from "../pcp-secret.js";
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
  /** What the router shows; null where the protocol carries none (NAT-PMP, PCP, IPv6 pinholes). */
  description: string | null;
  externalAddress: string | null;
  /** How it was made: "upnp", "natpmp", "pcp" or "upnp-pinhole". */
  method: MappingMethod;
  /** A UPnP IPv6 pinhole's UniqueID; present only for those. */
  pinholeId?: number;
}

interface MapRequest {
  readonly externalPort: number;
  readonly internalPort: number;
  readonly protocols: TransportProtocol[];
  readonly leaseSeconds: number;
  readonly description: string;
  readonly internalClient: string | undefined;
  readonly anyPort: boolean;
  /** `--ipv6`: a firewall pinhole for our own IPv6 address, no translation. */
  readonly ipv6: boolean;
}

/** Time the clean-up after a failure gets of its own: the command's signal may already be aborted (Ctrl-C, --timeout). */
const cleanupTimeoutMs = 5000;

/**
 * What a pinhole cannot be: it opens the port on our own address, so there is neither another
 * internal port nor another external port to take.
 */
function checkPinholeRequest(line: CommandLine, externalPort: number, internalPort: number): void {
  if (internalPort !== externalPort) throw new InvalidArgumentError("with --ipv6 the pinhole opens <port> itself: --internal-port cannot differ from it", "port");
  if (line.values["any-port"]) throw new InvalidArgumentError("with --ipv6 the pinhole opens <port> itself: there is no other port for --any-port to take");
}

/** Everything `map` is asked, checked before any traffic. */
function mapRequest(line: CommandLine): MapRequest {
  const { values } = line;
  const ipv6 = values.ipv6 === true;
  const externalPort = parsePort(line.positionals["port"], "<port>");
  const internalPort = values["internal-port"] === undefined ? externalPort : parsePort(values["internal-port"], "--internal-port");
  if (ipv6) checkPinholeRequest(line, externalPort, internalPort);
  return {
    externalPort,
    internalPort,
    protocols: parseProtocols(values.proto ?? "tcp"),
    leaseSeconds: values.lease === undefined ? DEFAULT_LEASE_SECONDS : parseLease(values.lease),
    description: parseDescription(values.description ?? DEFAULT_DESCRIPTION),
    internalClient: parseInternalClient(values["internal-client"], ipv6),
    anyPort: values["any-port"] === true,
    ipv6,
  };
}

/** After UPnP's conflict error, who holds the port, for the hint (only UPnP can say). */
async function recordConflict(context: CommandContext, mapper: PortMapper, error: unknown, port: number, protocol: TransportProtocol, settings: MapperSettings): Promise<void> {
  if (!(error instanceof UpnpActionError && conflictCodes.has(error.upnpCode) && mapper instanceof UpnpPortMapper)) return;
  const holder = await mapper.connection.getPortMapping(port, protocol, settings.client.call).catch(() => undefined);
  context.facts.conflict = {
    port,
    protocol,
    holder: holder && `${holder.internalClient}:${holder.internalPort}${holder.description ? ` ("${holder.description}")` : ""}`,
  };
}

async function addOne(context: CommandContext, mapper: PortMapper, request: MapRequest, protocol: TransportProtocol, settings: MapperSettings): Promise<Mapping> {
  try {
    return await mapper.map(
      {
        protocol,
        externalPort: request.externalPort,
        internalPort: request.internalPort,
        leaseSeconds: request.leaseSeconds,
        description: request.description,
        anyPort: request.anyPort,
      },
      settings.client.call,
    );
  } catch (error) {
    await recordConflict(context, mapper, error, request.externalPort, protocol, settings);
    throw error;
  }
}

/**
 * Removes what this run mapped before a later protocol failed, so `--proto both` leaves both or
 * neither. It runs on its own time budget: after Ctrl-C or --timeout the command's signal is aborted.
 */
async function undo(context: CommandContext, made: readonly Mapping[]): Promise<void> {
  for (const mapping of made) {
    try {
      await mapping.release({ timeoutMs: cleanupTimeoutMs });
      context.terminal.trace(`removed ${mapping.protocol} ${mapping.externalPort} again`);
    } catch (error) {
      context.terminal.warn(
        `could not remove ${mapping.protocol} port ${mapping.externalPort} again (${String(error)}); ` +
          `remove it with "porthole unmap ${mapping.externalPort} --proto ${mapping.protocol.toLowerCase()}"`,
      );
    }
  }
}

/** The external address, from the mapping or asked; null when the gateway will not say. */
async function externalAddressOf(mapper: PortMapper, made: readonly Mapping[], settings: MapperSettings): Promise<string | null> {
  const known = made.find((mapping) => mapping.externalAddress !== undefined)?.externalAddress;
  if (known !== undefined) return known;
  // The mappings are made: a gateway that will not say its address does not undo them.
  return mapper.getExternalAddress(settings.client.call).catch((error: unknown) => {
    if (settings.client.call.signal.aborted) throw error;
    return null;
  });
}

/** The description as the router keeps it; only UPnP port mappings carry one. */
function storedDescription(method: MappingMethod, asked: string): string | null {
  return method === "upnp" ? asked : null;
}

/** A mapping as `map --json` shows it (docs/cli.md); `askedLease`, when known, absorbs a read-back's lag. */
export function madeMappingJson(mapping: Mapping, externalAddress: string | null, description: string, askedLease?: number): MadeMappingJson {
  return {
    protocol: mapping.protocol,
    externalPort: mapping.externalPort,
    internalPort: mapping.internalPort,
    internalClient: mapping.internalClient,
    lease: askedLease === undefined ? mapping.leaseSeconds : grantedLease(askedLease, mapping.leaseSeconds),
    description: storedDescription(mapping.method, description),
    externalAddress,
    method: mapping.method,
    ...(mapping.pinholeId === undefined ? {} : { pinholeId: mapping.pinholeId }),
  };
}

function printMapping(context: CommandContext, mapping: MadeMappingJson, request: MapRequest): void {
  const { terminal } = context;
  const { out } = terminal;
  const what = mapping.method === "upnp-pinhole" || request.ipv6 ? "opened" : "mapped";
  const external = request.ipv6 ? `[${mapping.externalAddress ?? "?"}]:${mapping.externalPort}` : `${mapping.externalAddress ?? "?"}:${mapping.externalPort}`;
  const target = request.ipv6 ? "" : escaped` → ${mapping.internalClient}:${mapping.internalPort}`;
  const described = mapping.description === null ? "" : escaped`  "${mapping.description}"`;
  const pinhole = mapping.pinholeId === undefined ? "" : `  pinhole ${mapping.pinholeId}`;
  terminal.print(
    escaped`${out.green(what)} ${mapping.protocol} ${out.bold(external)}${target}  lease ${formatLease(mapping.lease)}  via ${methodName(mapping.method)}${pinhole}${described}`,
  );
  if (mapping.externalPort !== request.externalPort) {
    terminal.warn(`${mapping.protocol} port ${request.externalPort} was taken; the gateway gave port ${mapping.externalPort}`);
  }
  if (mapping.lease !== request.leaseSeconds) {
    terminal.warn(`asked for ${aLease(request.leaseSeconds)}, the gateway granted ${aLease(mapping.lease)}`);
  }
}

/**
 * `porthole map <port>`: adds a mapping (or two with `--proto both`) through whichever protocol
 * the gateway speaks (`--protocol`), or with `--ipv6` opens a firewall pinhole, and prints what
 * the gateway granted.
 */
export const map: Command = async (context) => {
  const { terminal } = context;
  const request = mapRequest(context.line);
  const settings = mapperSettings(context, { family: request.ipv6 ? 6 : 4, internalClient: request.internalClient });
  const mapper = await connectMapper(context, settings, recoverableNonces(context));
  const made: Mapping[] = [];
  try {
    for (const protocol of request.protocols) made.push(await addOne(context, mapper, request, protocol, settings));
  } catch (error) {
    await undo(context, made);
    throw error;
  }
  const externalAddress = await externalAddressOf(mapper, made, settings);
  const mappings = made.map((m) => madeMappingJson(m, externalAddress, request.description, request.leaseSeconds));
  // A pinhole's address is our own: the IPv4 judgement of a WAN address does not apply.
  const { note } = request.ipv6 ? { note: undefined } : externalAddressVerdict(externalAddress);
  if (note !== undefined) terminal.warn(note);
  if (terminal.json) terminal.printJson({ mappings });
  else for (const mapping of mappings) printMapping(context, mapping, request);
};
