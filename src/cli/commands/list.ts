import type { PortMappingEntry } from "../../index.js";
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
}

export function listedMappingJson(entry: PortMappingEntry): ListedMappingJson {
  return {
    protocol: entry.protocol,
    externalPort: entry.externalPort,
    internalClient: entry.internalClient,
    internalPort: entry.internalPort,
    description: entry.description,
    lease: entry.leaseSeconds,
    enabled: entry.enabled,
    remoteHost: entry.remoteHost,
  };
}

/** The mapping table as aligned columns, each line after `indent`; also used by `porthole demo`. */
export function printMappingTable(context: CommandContext, mappings: readonly ListedMappingJson[], indent = ""): void {
  const { terminal } = context;
  if (mappings.length === 0) {
    terminal.print(`${indent}${terminal.out.dim("(no port mappings)")}`);
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
  const table = formatTable(header, rows, { alignRight: [1], styleHeader: terminal.out.bold });
  terminal.print(table.replace(/^/gm, indent));
}

/** `porthole list`: the gateway's whole mapping table. */
export const list: Command = async (context) => {
  const { terminal, signal } = context;
  const settings = clientSettings(context.line.values, terminal);
  const gateway = await connectGateway(context, settings);
  const mappings = (await gateway.listPortMappings({ signal, timeoutMs: settings.timeoutMs })).entries.map(listedMappingJson);
  if (terminal.json) terminal.printJson({ mappings });
  else printMappingTable(context, mappings);
};
