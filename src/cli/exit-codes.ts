import { InvalidArgumentError, NoGatewayError } from "../index.js";

/** What `porthole` exits with; documented in docs/cli.md and `porthole --help`. */
export const ExitCode = {
  /** The command did what was asked. */
  success: 0,
  /** The gateway refused the operation, or talking to it failed. */
  failed: 1,
  /** Bad command line: nothing was sent. */
  usage: 2,
  /** No usable gateway answered (or none at `--gateway URL`). */
  noGateway: 3,
  /** Interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof InvalidArgumentError) return ExitCode.usage;
  if (error instanceof NoGatewayError) return ExitCode.noGateway;
  return ExitCode.failed;
}
