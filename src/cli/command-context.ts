import type { CommandLine } from "./command-line.js";
import type { ErrorFacts } from "./error-report.js";
import type { ExitCodeValue } from "./exit-codes.js";
import type { Terminal } from "./terminal.js";

/** What every command gets. */
export interface CommandContext {
  readonly line: CommandLine;
  readonly terminal: Terminal;
  /**
   * Aborted by Ctrl-C or SIGTERM, by an output nobody reads any more, and — for the commands that
   * talk to a gateway — with a `TimeoutError` when the command's time budget (`timeoutMs`) runs out;
   * not for `hold`, which runs until stopped and spends `timeoutMs` on its first mappings only.
   */
  readonly signal: AbortSignal;
  /** `--timeout`: the time budget of the whole command; undefined for `gateway` and `demo`, which run until stopped. */
  readonly timeoutMs: number | undefined;
  /** The environment: `PORTHOLE_CONFIG_DIR`, `XDG_CONFIG_HOME` (where the PCP secret is kept). */
  readonly env: NodeJS.ProcessEnv;
  /** Filled in as the command learns things, for the hint if it fails. */
  readonly facts: ErrorFacts;
}

/**
 * Runs one command; resolves when it is done (with the exit code when it reported a failure
 * itself, as `unmap --proto both` does for each protocol), rejects with what failed.
 */
export type Command = (context: CommandContext) => Promise<ExitCodeValue | void>;
