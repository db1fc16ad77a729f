import { ExitCode } from "./exit-codes.js";
import { OutputFailure, watchOutput } from "./output-failure.js";
import { runCli } from "./run-cli.js";

// Ctrl-C and SIGTERM abort the command, which closes its sockets (or stops `porthole gateway`);
// so does a stdout or stderr that can no longer be written.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => stop.abort(new Error(`stopped by ${signal}`));
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

let outputFailure: OutputFailure | undefined;
const exitCodeOf = (failure: OutputFailure) => (failure.readerGone ? ExitCode.outputClosed : ExitCode.failed);
watchOutput(process, (failure) => {
  outputFailure = failure;
  // A closed pipe is the reader's choice: stop without a word. Anything else is said in one
  // line, on stderr unless stderr is what failed.
  if (!failure.readerGone && failure.stream === "stdout" && !process.stderr.destroyed) process.stderr.write(`porthole: error: ${failure.message}\n`);
  process.exitCode = exitCodeOf(failure);
  stop.abort(failure);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, stop.signal).then((code) => {
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.exitCode = outputFailure === undefined ? code : exitCodeOf(outputFailure);
});
