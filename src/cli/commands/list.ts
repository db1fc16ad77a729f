import type { PortMappingEntry } from "../../upnp/igd/igd-client.js";
import { InvalidArgumentError } from "../../errors/errors.js";
import { methodName } from "../../mapping/method-names.js";
import { parseMaxEntries, parseProtocolChoice } from "../argument-checks.js";
import type { Command, CommandContext } from "../command-context.js";
import { clientSettings, connectGateway } from "../connect.js";
import { formatTable } from "../text-table.js";
import { formatLease } from "../wording.js";

/** One row of `porthole list --json` (docs/cli.md). */
export interface ListedMappingJson {
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  /** Seconds left; 0 = permanent. */
  lease: number;
  enabled: boolean;
  /** "" = any remote host. */
  remoteHost: string;
  /** Only UPnP lists mappings: always "upnp". */
  method: "upnp";
  /** The gateway's external address, the same on every row; null when it reports none. */
  externalAddress: string | null;
}

export function listedMappingJson(entry: PortMappingEntry, externalAddress: string | null): ListedMappingJson {
  return {
    protocol: entry.protocol,
    externalPort: entry.externalPort,
    internalClient: entry.internalClient,
    internalPort: entry.internalPort,
    description: entry.description,
    lease: entry.leaseSeconds,
    enabled: entry.enabled,
    remoteHost: entry.remoteHost,
    method: "upnp",
    externalAddress,
  };
}

/**
 * `--protocol`: only UPnP has an action that lists a gateway's mappings (GetGenericPortMappingEntry);
 * NAT-PMP and PCP have none (RFC 6886, RFC 6887), so asking for them is a usage error, not an
 * empty table that would look like a gateway with no mappings.
 */
function checkListable(choice: string | undefined): void {
  if (choice === undefined) return;
  const protocol = parseProtocolChoice(choice);
  if (protocol === "pcp" || protocol === "natpmp") {
    throw new InvalidArgumentError(`${methodName(protocol)} has no way to list a gateway's mappings: list works over UPnP only (--protocol upnp or auto)`);
  }
}

/** The mapping table as aligned columns, each line after `indent`; also used by `porthole demo`. */
export function printMappingTable(context: CommandContext, mappings: readonly ListedMappingJson[], indent = ""): void {
  const { terminal } = context;
  if (mappings.length === 0) {
    terminal.print(terminal.out.dim(`${indent}(no port mappings)`));
    return;
  }
  const rows = mappings.map((m) => [
    m.protocol,
    String(m.externalPort),
    `${m.internalClient}:${m.internalPort}`,
    formatLease(m.lease),
    m.enabled ? "yes" : "no",
    m.remoteHost || "any",
    m.description,
  ]);
  const header = ["PROTO", "EXTERNAL", "INTERNAL", "LEASE", "ENABLED", "REMOTE", "DESCRIPTION"];
  terminal.print(formatTable(header, rows, { alignRight: [1], styleHeader: terminal.out.bold, indent }));
}

/** `porthole list`: the UPnP gateway's mapping table, up to `--max-entries`. */
export const list: Command = async (context) => {
  const { terminal, line } = context;
  checkListable(line.values.protocol);
  const maxEntries = line.values["max-entries"] === undefined ? undefined : parseMaxEntries(line.values["max-entries"]);
  const settings = clientSettings(context);
  const gateway = await connectGateway(context, settings);
  const table = await gateway.listPortMappings({ ...settings.call, maxEntries });
  const mappings = table.entries.map((entry) => listedMappingJson(entry, gateway.status?.externalAddress ?? null));
  if (terminal.json) {
    terminal.printJson({ mappings, truncated: table.truncated });
    return;
  }
  printMappingTable(context, mappings);
  if (table.truncated) {
    terminal.warn(`the list stops at ${mappings.length} entries: the gateway may hold more (raise --max-entries, up to 65536)`);
  }
};
