import { InvalidArgumentError, NoGatewayError, SocketError } from "../errors/errors.js";

/** What `porthole` exits with; documented in docs/cli.md and `porthole --help`. */
export const ExitCode = {
  /** The command did what was asked (`gateway`: it ran until Ctrl-C or SIGTERM, as it should). */
  success: 0,
  /** The gateway refused the operation, talking to it failed, or the time budget (--timeout) ran out. */
  failed: 1,
  /** Bad command line: nothing was sent. */
  usage: 2,
  /** No usable gateway answered (or none at `--gateway URL`), or the search could not be sent. */
  noGateway: 3,
  /** Interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
  /** stdout or stderr closed by its reader (`| head -1`): 128 + SIGPIPE, what git or ls end with. */
  outputClosed: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Errors a socket reports when the search has nowhere to go: no route (ENETUNREACH, EHOSTUNREACH),
 * or no address to send it from (EADDRNOTAVAIL: IPv6 multicast on a host without IPv6 addresses).
 */
const noRouteCodes: ReadonlySet<string> = new Set(["ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"]);

/**
 * A search that could not be sent at all because there is no route for it (no multicast route:
 * a host without a default route, a container, a VPN that takes every route).
 */
export function isSearchWithoutRoute(error: unknown): error is SocketError {
  return error instanceof SocketError && noRouteCodes.has(String((error.cause as NodeJS.ErrnoException | undefined)?.code));
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof InvalidArgumentError) return ExitCode.usage;
  if (error instanceof NoGatewayError || isSearchWithoutRoute(error)) return ExitCode.noGateway;
  return ExitCode.failed;
}
