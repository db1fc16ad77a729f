import { HttpError, InvalidArgumentError, NoGatewayError, PortholeError, TimeoutError } from "../index.js";
import { resultNameOf, resultOf } from "../compat/result-of.js";
import type { Terminal } from "./terminal.js";
import { doubleNatNote } from "./wording.js";

/** What a command learnt before failing that makes the hint precise. */
export interface ErrorFacts {
  /** The command that failed, for "see porthole map --help". */
  command?: string | undefined;
  /** `--gateway URL`, when discovery was skipped. */
  gatewayUrl?: string | undefined;
  /** The gateway's external address as discovery saw it; "" when it reported none. */
  externalAddress?: string | undefined;
  /** A refused port and the mapping that holds it, looked up after a 718. */
  conflict?: { port: number; protocol: string; holder: string | undefined } | undefined;
}

/** The `--json` error document (docs/cli.md). */
export interface ErrorDocument {
  error: {
    /** porthole's error code (`PORTHOLE_TIMEOUT`, ...); null for an unexpected failure. */
    code: string | null;
    /** The Redot/Godot `UPNPResult` of the failure, and its name. */
    result: number;
    resultName: string;
    upnpCode: number | null;
    message: string;
  };
}

export function errorDocument(error: unknown): ErrorDocument {
  const message = error instanceof Error ? error.message : String(error);
  const portholeError = error instanceof PortholeError ? error : undefined;
  return {
    error: {
      code: portholeError?.code ?? null,
      result: resultOf(error),
      resultName: resultNameOf(error),
      upnpCode: portholeError?.upnpCode ?? null,
      message,
    },
  };
}

/** ConflictInMappingEntry and ConflictWithOtherMechanisms: someone else holds the port. */
export const conflictCodes: ReadonlySet<number> = new Set([718, 729]);

/** What to try next, in plain words, or undefined when there is nothing useful to say. */
export function hintFor(error: unknown, facts: ErrorFacts): string | undefined {
  if (error instanceof InvalidArgumentError) {
    return facts.command ? `see "porthole ${facts.command} --help"` : `see "porthole --help"`;
  }
  if (error instanceof NoGatewayError) {
    if (facts.gatewayUrl !== undefined) {
      return `nothing usable at ${facts.gatewayUrl}: check the URL ("porthole discover" prints each gateway's description URL)`;
    }
    return error.nothingAnswered
      ? "no UPnP device answered: UPnP may be off on the router, or multicast is blocked on this network (WSL2, Docker, VPN). " +
          "Try --interface NAME, or --gateway URL if you know the description URL"
      : "devices answered, but none offers port mapping (no WANIPConnection or WANPPPConnection service, or it is disconnected)";
  }
  if (error instanceof TimeoutError) return `the gateway did not answer in ${error.timeoutMs} ms; check the address, or raise --timeout`;
  if (error instanceof HttpError && error.status === undefined) return `nothing answered at ${error.url}; check --gateway`;
  if (!(error instanceof PortholeError) || error.upnpCode === undefined) return undefined;
  const code = error.upnpCode;
  if (conflictCodes.has(code) && facts.conflict) {
    const { port, protocol, holder } = facts.conflict;
    const who = holder ? `it is mapped to ${holder}` : "another host or a static forward holds it";
    return `${protocol} port ${port} is taken: ${who}. Pick another port, or add --any-port to let the gateway choose`;
  }
  if (code === 606) {
    return "the router's UPnP access control refused this: many routers let a host map only to its own address, " +
      "and only ports from 1024 up (miniupnpd secure_mode). Check the router's UPnP settings";
  }
  if (code === 501 && facts.externalAddress !== undefined) {
    const note = doubleNatNote(facts.externalAddress);
    if (note) return `${note}; routers in that position often refuse every mapping`;
  }
  if (code === 714) return `no such mapping; "porthole list" shows the gateway's table`;
  if (code === 728) return `the gateway's mapping table is full; remove unused mappings ("porthole list", "porthole unmap")`;
  return undefined;
}

/** Writes the error: a JSON document on stdout with `--json`, else plain words on stderr. */
export function reportError(terminal: Terminal, error: unknown, facts: ErrorFacts): void {
  const document = errorDocument(error);
  if (terminal.json) {
    terminal.printJson(document);
    return;
  }
  const { err } = terminal;
  const { resultName, upnpCode, message } = document.error;
  terminal.note(`${err.red(err.bold("porthole: error:"))} ${message}`);
  terminal.note(err.dim(`  ${resultName}${upnpCode === null ? "" : `, UPnP error ${upnpCode}`}`));
  const hint = hintFor(error, facts);
  if (hint !== undefined) terminal.note(`  ${err.cyan("hint:")} ${hint}`);
}
