import type { CommandLine } from "./command-line.js";
import type { ErrorFacts } from "./error-report.js";
import type { Terminal } from "./terminal.js";

/** What every command gets. */
export interface CommandContext {
  readonly line: CommandLine;
  readonly terminal: Terminal;
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /** Filled in as the command learns things, for the hint if it fails. */
  readonly facts: ErrorFacts;
}

/** Runs one command; resolves when it succeeded, rejects with what failed. */
export type Command = (context: CommandContext) => Promise<void>;
