import type { TransportProtocol } from "../../index.js";
import { parsePort, parseProtocols } from "../argument-checks.js";
import type { Command } from "../command-context.js";
import { clientSettings, connectGateway } from "../connect.js";

/** One mapping in `porthole unmap --json` (docs/cli.md). */
export interface RemovedMappingJson {
  protocol: TransportProtocol;
  externalPort: number;
}

/** `porthole unmap <port>`: removes the mapping of that external port, per protocol. */
export const unmap: Command = async (context) => {
  const { terminal, signal, line } = context;
  const externalPort = parsePort(line.positionals["port"], "<port>");
  const protocols = parseProtocols(line.values.proto ?? "tcp");
  const settings = clientSettings(line.values, terminal);
  const gateway = await connectGateway(context, settings);
  const removed: RemovedMappingJson[] = [];
  for (const protocol of protocols) {
    await gateway.deletePortMapping({ externalPort, protocol }, { signal, timeoutMs: settings.timeoutMs });
    removed.push({ protocol, externalPort });
    if (!terminal.json) terminal.print(`${terminal.out.green("removed")} ${protocol} port ${externalPort}`);
  }
  if (terminal.json) terminal.printJson({ removed });
};
