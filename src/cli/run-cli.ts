import { startDeadline, type Deadline } from "../util/deadline.js";
import { parseTimeout } from "./argument-checks.js";
import { type Command, type CommandContext } from "./command-context.js";
import { commandNames, commandTakes, parseCommandLine, type CommandLine, type CommandName, type OptionValues } from "./command-line.js";
import type { ErrorFacts } from "./error-report.js";
import { ExitCode, exitCodeFor, type ExitCodeValue } from "./exit-codes.js";
import { defaultTimeoutOf, helpText } from "./help-text.js";
import { OutputFailure } from "./output-failure.js";
import { packageVersion } from "./package-version.js";
import { Terminal, type CliStreams } from "./terminal.js";
import { joinText } from "./terminal-text.js";

/**
 * Each command is loaded when it runs, so that `porthole --help` loads no library code and
 * `porthole ip` no virtual gateway (start-up time: docs/benchmarks.md).
 */
const commands: Readonly<Record<CommandName, () => Promise<Command>>> = {
  discover: async () => (await import("./commands/discover.js")).discover,
  ip: async () => (await import("./commands/ip.js")).ip,
  map: async () => (await import("./commands/map.js")).map,
  unmap: async () => (await import("./commands/unmap.js")).unmap,
  list: async () => (await import("./commands/list.js")).list,
  hold: async () => (await import("./commands/hold.js")).hold,
  doctor: async () => (await import("./commands/doctor.js")).doctor,
  gateway: async () => (await import("./commands/gateway.js")).gateway,
  demo: async () => (await import("./commands/demo.js")).demo,
};

/** The JSON switch as typed, even when the rest of the command line is wrong, so errors come out in the asked form. */
function wantsJson(args: readonly string[]): boolean {
  return args.includes("--json");
}

/**
 * Writes a failure and returns its exit code. The reporting code (hints, result codes) is loaded
 * only when something failed.
 */
async function failed(terminal: Terminal, error: unknown, facts: ErrorFacts): Promise<ExitCodeValue> {
  const { reportError } = await import("./error-report.js");
  reportError(terminal, error, facts);
  return exitCodeFor(error);
}

/** Our own multi-line text (help), written line by line so that its line breaks stay line breaks. */
const ownLines = (text: string) => joinText(text.trimEnd().split("\n"));

/**
 * The deadline of a command that talks to a gateway: `--timeout` is the time budget of the whole
 * command; when it runs out the command's signal aborts with a `TimeoutError`. `hold` runs until
 * stopped: it gets the budget for its first mappings and keeps that deadline itself.
 */
function commandDeadline(command: CommandName, values: OptionValues, signal: AbortSignal): { timeoutMs: number; deadline: Deadline | undefined } | undefined {
  if (!commandTakes(command, "timeout")) return undefined;
  const timeoutMs = values.timeout === undefined ? defaultTimeoutOf(command) : parseTimeout(values.timeout);
  return { timeoutMs, deadline: command === "hold" ? undefined : startDeadline(`porthole ${command}`, timeoutMs, signal) };
}

/**
 * Runs `porthole` with these arguments until done, or until `signal` aborts (Ctrl-C, SIGTERM, or
 * an `OutputFailure`), and returns the exit code.
 */
export async function runCli(args: readonly string[], streams: CliStreams, signal: AbortSignal): Promise<ExitCodeValue> {
  let line: CommandLine;
  try {
    line = parseCommandLine(args);
  } catch (error) {
    const command = commandWord(args);
    return failed(new Terminal(streams, { json: wantsJson(args), verbose: false, jsonLines: command === "hold" }), error, { command });
  }
  // hold reports each event as it happens: one JSON document per line, its failure included.
  const terminal = new Terminal(streams, { json: line.values.json === true, verbose: line.values.verbose === true, jsonLines: line.command === "hold" });
  if (line.values.version) {
    if (terminal.json) terminal.printJson({ version: packageVersion() });
    else terminal.print(packageVersion());
    return ExitCode.success;
  }
  if (line.values.help) {
    terminal.print(ownLines(await helpText(line.command)));
    return ExitCode.success;
  }
  if (line.command === undefined) {
    // No command is a usage error: the overview goes where errors go.
    terminal.note(ownLines(await helpText(undefined)));
    return ExitCode.usage;
  }
  const facts: ErrorFacts = { command: line.command };
  let budget: ReturnType<typeof commandDeadline>;
  let stopTracing = (): void => {};
  try {
    budget = commandDeadline(line.command, line.values, signal);
    const context: CommandContext = { line, terminal, signal: budget?.deadline?.signal ?? signal, timeoutMs: budget?.timeoutMs, env: streams.env, facts };
    if (terminal.verbose) stopTracing = (await import("./verbose-trace.js")).traceHttp(terminal);
    const command = await commands[line.command]();
    return (await command(context)) ?? ExitCode.success;
  } catch (error) {
    if (signal.aborted) return stopped(terminal, signal.reason);
    return failed(terminal, error, facts);
  } finally {
    budget?.deadline?.dispose();
    stopTracing();
  }
}

/** The command was stopped from outside: Ctrl-C or SIGTERM, or an output that can no longer be written. */
async function stopped(terminal: Terminal, reason: unknown): Promise<ExitCodeValue> {
  // The stream is broken: main.ts has said what happened, where it still could.
  if (reason instanceof OutputFailure) return reason.readerGone ? ExitCode.outputClosed : ExitCode.failed;
  if (terminal.json) terminal.printJson((await import("./error-report.js")).errorDocument(reason));
  else terminal.note("interrupted");
  return ExitCode.interrupted;
}

/** The command named on a command line that did not parse, for the hint. */
function commandWord(args: readonly string[]): string | undefined {
  return args.find((arg) => (commandNames as readonly string[]).includes(arg));
}
