import type { TransportProtocol } from "../../mapping/port-mapper.js";
import { parsePort, parseProtocols } from "../argument-checks.js";
import type { Command } from "../command-context.js";
import { clientSettings, connectGateway } from "../connect.js";
import { errorJson, reportError, type ErrorJson } from "../error-report.js";
import { exitCodeFor } from "../exit-codes.js";
import { escaped } from "../terminal-text.js";

/** One mapping in `porthole unmap --json` (docs/cli.md). */
export interface RemovedMappingJson {
  protocol: TransportProtocol;
  externalPort: number;
}

/** What became of one protocol in `porthole unmap --json`. */
export interface UnmapResultJson extends RemovedMappingJson {
  removed: boolean;
  /** Why it was not removed; null when it was. */
  error: ErrorJson | null;
}

/**
 * `porthole unmap <port>`: removes the mapping of that external port, per protocol. Each protocol
 * is tried even when another failed (a TCP 714 says nothing about UDP); the command fails when
 * any did, saying which.
 */
export const unmap: Command = async (context) => {
  const { terminal, line, facts } = context;
  const externalPort = parsePort(line.positionals["port"], "<port>");
  const protocols = parseProtocols(line.values.proto ?? "tcp");
  const settings = clientSettings(context);
  const gateway = await connectGateway(context, settings);
  const results: UnmapResultJson[] = [];
  let firstFailure: { error: unknown } | undefined;
  for (const protocol of protocols) {
    const subject = `${protocol} port ${externalPort}`;
    try {
      await gateway.deletePortMapping({ externalPort, protocol }, settings.call);
      results.push({ protocol, externalPort, removed: true, error: null });
      if (!terminal.json) terminal.print(escaped`${terminal.out.green("removed")} ${subject}`);
    } catch (error) {
      // Ctrl-C and --timeout end the whole command, not one protocol.
      if (settings.call.signal.aborted) throw error;
      results.push({ protocol, externalPort, removed: false, error: errorJson(error, subject) });
      firstFailure ??= { error };
      if (!terminal.json) reportError(terminal, error, facts, subject);
    }
  }
  const removed: RemovedMappingJson[] = results.filter((r) => r.removed).map(({ protocol }) => ({ protocol, externalPort }));
  if (terminal.json) {
    // `error`, as in every failure's document, is the first protocol that failed; `results` has each.
    const failed = results.find((result) => result.error !== null);
    terminal.printJson({ removed, results, ...(failed ? { error: failed.error } : {}) });
  }
  return firstFailure === undefined ? undefined : exitCodeFor(firstFailure.error);
};
