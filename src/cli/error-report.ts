import { HttpError, InvalidArgumentError, MappingDroppedError, NoGatewayError, PortholeError, PortUnavailableError, TimeoutError } from "../errors/errors.js";
import type { GatewayProtocol } from "../errors/porthole-error.js";
import type { ProtocolChoice } from "../discovery/port-mapper-attempts.js";
import { resultNameOf, resultOf } from "../compat/result-of.js";
import { methodName } from "../mapping/method-names.js";
import { isSearchWithoutRoute } from "./exit-codes.js";
import type { Terminal } from "./terminal.js";
import { escaped, type Printable } from "./terminal-text.js";
import { externalAddressVerdict } from "./wording.js";

/** Search replies whose LOCATION discovery would not follow (see `allowForeignLocations`). */
export interface RefusedReplies {
  count: number;
  /** The first reply's LOCATION and why it was refused. */
  location: string;
  reason: string;
}

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
  /** Replies discovery ignored because of their LOCATION. */
  refusedReplies?: RefusedReplies | undefined;
  /** The protocol asked for (`--protocol`, after what the other options say). */
  protocol?: ProtocolChoice | undefined;
}

/** The error part of the `--json` error document (docs/cli.md). */
export interface ErrorJson {
  /** porthole's error code (`PORTHOLE_TIMEOUT`, ...); null for an unexpected failure. */
  code: string | null;
  /** The Redot/Godot `UPNPResult` of the failure, and its name. */
  result: number;
  resultName: string;
  upnpCode: number | null;
  /** The protocol whose gateway refused ("upnp", "natpmp", "pcp"), and its own code; null when no gateway refused. */
  protocol: GatewayProtocol | null;
  protocolCode: number | null;
  message: string;
}

/** The `--json` error document (docs/cli.md). */
export interface ErrorDocument {
  error: ErrorJson;
}

/** `error` as JSON; `subject` ("TCP port 8080") goes in front of the message when one command did several things. */
export function errorJson(error: unknown, subject?: string): ErrorJson {
  const message = error instanceof Error ? error.message : String(error);
  const portholeError = error instanceof PortholeError ? error : undefined;
  return {
    code: portholeError?.code ?? null,
    result: resultOf(error),
    resultName: resultNameOf(error),
    upnpCode: portholeError?.upnpCode ?? null,
    protocol: portholeError?.protocolCode === undefined ? null : (portholeError.protocol ?? null),
    protocolCode: portholeError?.protocolCode ?? null,
    message: subject === undefined ? message : `${subject}: ${message}`,
  };
}

export function errorDocument(error: unknown): ErrorDocument {
  return { error: errorJson(error) };
}

/** ConflictInMappingEntry and ConflictWithOtherMechanisms: someone else holds the port. */
export const conflictCodes: ReadonlySet<number> = new Set([718, 729]);

function noGatewayHint(error: NoGatewayError, facts: ErrorFacts): string {
  if (facts.gatewayUrl !== undefined) {
    return `nothing usable at ${facts.gatewayUrl}: check the URL ("porthole discover" prints each gateway's description URL)`;
  }
  if (facts.refusedReplies !== undefined) {
    return "porthole follows a LOCATION only when it is an http: URL on the replying host or on a network of the interface " +
      "the reply came in on, because anyone on the network can answer a search. If you trust that device, give its " +
      "description URL with --gateway URL";
  }
  if (facts.protocol === "pcp" || facts.protocol === "natpmp") {
    const name = methodName(facts.protocol);
    return `no gateway answered ${name}: the router may have it off or not speak it. "porthole doctor" says what it answers; --protocol auto asks every protocol`;
  }
  if (facts.protocol === "auto") {
    return error.nothingAnswered
      ? "nothing answered UPnP, NAT-PMP or PCP: port mapping may be off on the router, or multicast is blocked on this network (WSL2, Docker, VPN). " +
          `"porthole doctor" says which; or name the gateway: --gateway URL (UPnP), --gateway-address ADDR (NAT-PMP, PCP), --interface NAME`
      : `the gateway answered, but none of its protocols can map ports here (each one's answer is above); "porthole doctor" says why`;
  }
  return error.nothingAnswered
    ? "no UPnP device answered: UPnP may be off on the router, or multicast is blocked on this network (WSL2, Docker, VPN). " +
        "Try --interface NAME, or --gateway URL if you know the description URL"
    : "devices answered, but none offers port mapping (no WANIPConnection or WANPPPConnection service, or it is disconnected)";
}

/** PCP's NOT_AUTHORIZED (RFC 6887 §7.4). */
const pcpNotAuthorized = 2;

/** What to try after NAT-PMP or PCP refused, or undefined. */
function portControlHint(error: PortholeError, facts: ErrorFacts): string | undefined {
  if (error.protocol === "pcp" && error.protocolCode === pcpNotAuthorized && facts.command === "unmap") {
    return "a PCP router removes a mapping only for the nonce it was made with: this one was made by another program, " +
      "by porthole as another user, or before porthole's secret (pcp-secret in its configuration directory) changed. It goes when its lease runs out";
  }
  return undefined;
}

/** What each protocol answered, when several were asked (`findPortMapper` gathers them in an AggregateError). */
function failuresOf(error: NoGatewayError): unknown[] {
  return error.cause instanceof AggregateError ? error.cause.errors : [];
}

/** What to try next, in plain words, or undefined when there is nothing useful to say. */
export function hintFor(error: unknown, facts: ErrorFacts): string | undefined {
  if (error instanceof InvalidArgumentError) {
    return facts.command ? `see "porthole ${facts.command} --help"` : `see "porthole --help"`;
  }
  if (isSearchWithoutRoute(error) || (error instanceof NoGatewayError && failuresOf(error).some(isSearchWithoutRoute))) {
    return "this host has no route for the search (no multicast route, no default route, or no address of that family): " +
      "name the gateway with --gateway URL, or the interface to search on with --interface NAME";
  }
  if (error instanceof NoGatewayError) return noGatewayHint(error, facts);
  if (error instanceof TimeoutError) {
    return `raise --timeout: it is the time budget of the whole command, and ${error.timeoutMs} ms were not enough`;
  }
  if (error instanceof HttpError && error.status === undefined) return `nothing answered at ${error.url}; check --gateway`;
  if (error instanceof MappingDroppedError) {
    return "the router accepted the mapping, then dropped it: asked right after, it no longer lists it (DD-WRT and others do this). " +
      "Mappings on this router cannot be relied on; check its UPnP settings";
  }
  if (error instanceof PortUnavailableError) {
    return `port ${error.wantedPort} is taken (the gateway offered ${error.offeredPort}): pick another, or add --any-port to take the one it offers`;
  }
  if (error instanceof PortholeError && error.upnpCode === undefined && error.protocolCode !== undefined) return portControlHint(error, facts);
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
    const { note } = externalAddressVerdict(facts.externalAddress);
    if (note) return `${note}; routers in that position often refuse every mapping`;
  }
  if (code === 714) return `no such mapping; "porthole list" shows the gateway's table`;
  if (code === 728) return `the gateway's mapping table is full; remove unused mappings ("porthole list", "porthole unmap")`;
  return undefined;
}

/**
 * Writes the error: a JSON document on stdout with `--json`, else plain words on stderr, every
 * part from outside (messages carry what routers said) escaped. `subject` ("TCP port 8080") says
 * which part of the command failed, when it did several.
 */
export function reportError(terminal: Terminal, error: unknown, facts: ErrorFacts, subject?: string): void {
  if (terminal.json) {
    terminal.printJson(errorDocument(error));
    return;
  }
  const { err } = terminal;
  const { resultName, protocol, protocolCode, message } = errorJson(error, subject);
  terminal.note(escaped`${err.red(err.bold("porthole: error:"))} ${message}`);
  const theirs = protocol === null || protocolCode === null ? "" : `, ${methodName(protocol)} ${protocol === "upnp" ? "error" : "result"} ${protocolCode}`;
  terminal.note(err.dim(`  ${resultName}${theirs}`));
  const hint: Printable | undefined = hintFor(error, facts);
  if (hint !== undefined) terminal.note(escaped`  ${err.cyan("hint:")} ${hint}`);
}
