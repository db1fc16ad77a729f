import { readFileSync } from "node:fs";
import { type Command, type CommandContext } from "./command-context.js";
import { commandNames, parseCommandLine, type CommandLine, type CommandName } from "./command-line.js";
import { demo } from "./commands/demo.js";
import { discover } from "./commands/discover.js";
import { gateway } from "./commands/gateway.js";
import { ip } from "./commands/ip.js";
import { list } from "./commands/list.js";
import { map } from "./commands/map.js";
import { unmap } from "./commands/unmap.js";
import { errorDocument, reportError, type ErrorFacts } from "./error-report.js";
import { ExitCode, exitCodeFor, type ExitCodeValue } from "./exit-codes.js";
import { helpText } from "./help-text.js";
import { Terminal, type CliStreams } from "./terminal.js";
import { traceHttp } from "./verbose-trace.js";

const commands: Readonly<Record<CommandName, Command>> = { discover, ip, map, unmap, list, gateway, demo };

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

/** The JSON switch as typed, even when the rest of the command line is wrong, so errors come out in the asked form. */
function wantsJson(args: readonly string[]): boolean {
  return args.includes("--json");
}

/** Runs `porthole` with these arguments until done, or until `signal` aborts, and returns the exit code. */
export async function runCli(args: readonly string[], streams: CliStreams, signal: AbortSignal): Promise<ExitCodeValue> {
  let line: CommandLine;
  try {
    line = parseCommandLine(args);
  } catch (error) {
    reportError(new Terminal(streams, { json: wantsJson(args), verbose: false }), error, { command: commandWord(args) });
    return ExitCode.usage;
  }
  const terminal = new Terminal(streams, { json: line.values.json === true, verbose: line.values.verbose === true });
  if (line.values.version) {
    terminal.print(packageVersion());
    return ExitCode.success;
  }
  if (line.values.help) {
    terminal.print(helpText(line.command).trimEnd());
    return ExitCode.success;
  }
  if (line.command === undefined) {
    // No command is a usage error: the overview goes where errors go.
    terminal.note(helpText(undefined).trimEnd());
    return ExitCode.usage;
  }
  const facts: ErrorFacts = { command: line.command };
  const context: CommandContext = { line, terminal, signal, facts };
  const stopTracing = terminal.verbose ? traceHttp(terminal) : () => {};
  try {
    await commands[line.command](context);
    return ExitCode.success;
  } catch (error) {
    if (signal.aborted) {
      if (terminal.json) terminal.printJson(errorDocument(signal.reason));
      else terminal.note("interrupted");
      return ExitCode.interrupted;
    }
    reportError(terminal, error, facts);
    return exitCodeFor(error);
  } finally {
    stopTracing();
  }
}

/** The command named on a command line that did not parse, for the hint. */
function commandWord(args: readonly string[]): string | undefined {
  return args.find((arg) => (commandNames as readonly string[]).includes(arg));
}
