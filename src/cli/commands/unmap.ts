import { InvalidArgumentError } from "../../errors/errors.js";
import { methodName } from "../../mapping/method-names.js";
import type { MappingMethod, TransportProtocol } from "../../mapping/port-mapper.js";
import { parseInternalClient, parsePort, parseProtocols } from "../argument-checks.js";
import type { Command } from "../command-context.js";
import { connectMapper, mapperSettings } from "../connect-mapper.js";
import { recoverableNonces } from "../pcp-secret.js";
import { errorJson, reportError, type ErrorJson } from "../error-report.js";
import { exitCodeFor } from "../exit-codes.js";
import { escaped } from "../terminal-text.js";

/** One mapping in `porthole unmap --json` (docs/cli.md). */
export interface RemovedMappingJson {
  protocol: TransportProtocol;
  externalPort: number;
  /** The internal port NAT-PMP, PCP and pinholes name the mapping by; null over UPnP, which names it by the external port. */
  internalPort: number | null;
  /** The protocol it was removed through ("upnp-pinhole" for a UPnP IPv6 pinhole). */
  method: MappingMethod;
}

/** What became of one protocol in `porthole unmap --json`. */
export interface UnmapResultJson extends RemovedMappingJson {
  removed: boolean;
  /** Why it was not removed; null when it was. */
  error: ErrorJson | null;
}

/**
 * `porthole unmap <port>`: removes the mapping of that port, per protocol, through whichever
 * protocol the gateway speaks. UPnP names a mapping by its external port; NAT-PMP and PCP by the
 * internal port (`--internal-port`, default <port>), and PCP only with the nonce it was made with
 * (the CLI's secret, pcp-secret.ts); with `--ipv6` it closes the pinhole of that port. Each
 * protocol is tried even when another failed (a TCP 714 says nothing about UDP); the command
 * fails when any did, saying which.
 */
export const unmap: Command = async (context) => {
  const { terminal, line, facts } = context;
  const ipv6 = line.values.ipv6 === true;
  const externalPort = parsePort(line.positionals["port"], "<port>");
  const internalPort = line.values["internal-port"] === undefined ? externalPort : parsePort(line.values["internal-port"], "--internal-port");
  if (ipv6 && internalPort !== externalPort) throw new InvalidArgumentError("with --ipv6 a pinhole is named by its one port: --internal-port cannot differ from <port>", "port");
  // A pinhole is also named by the address it opens toward; an IPv4 mapping by its port alone.
  if (!ipv6 && line.values["internal-client"] !== undefined) throw new InvalidArgumentError("unmap names an IPv4 mapping by its port: --internal-client is for --ipv6 pinholes");
  const internalClient = parseInternalClient(line.values["internal-client"], ipv6);
  const protocols = parseProtocols(line.values.proto ?? "tcp");
  const settings = mapperSettings(context, { family: ipv6 ? 6 : 4, internalClient });
  const mapper = await connectMapper(context, settings, recoverableNonces(context));
  const results: UnmapResultJson[] = [];
  let firstFailure: { error: unknown } | undefined;
  for (const protocol of protocols) {
    const key: RemovedMappingJson = { protocol, externalPort, internalPort: mapper.method === "upnp" ? null : internalPort, method: mapper.method };
    const subject = `${protocol} port ${externalPort}`;
    try {
      await mapper.unmap({ protocol, externalPort, internalPort }, settings.client.call);
      results.push({ ...key, removed: true, error: null });
      if (!terminal.json) terminal.print(escaped`${terminal.out.green("removed")} ${subject} via ${methodName(mapper.method)}`);
    } catch (error) {
      // Ctrl-C and --timeout end the whole command, not one protocol.
      if (settings.client.call.signal.aborted) throw error;
      results.push({ ...key, removed: false, error: errorJson(error, subject) });
      firstFailure ??= { error };
      if (!terminal.json) reportError(terminal, error, facts, subject);
    }
  }
  const removed: RemovedMappingJson[] = results.filter((r) => r.removed).map(({ protocol, externalPort: port, internalPort: key, method }) => ({ protocol, externalPort: port, internalPort: key, method }));
  if (terminal.json) {
    // `error`, as in every failure's document, is the first protocol that failed; `results` has each.
    const failed = results.find((result) => result.error !== null);
    terminal.printJson({ removed, results, ...(failed ? { error: failed.error } : {}) });
  }
  return firstFailure === undefined ? undefined : exitCodeFor(firstFailure.error);
};
