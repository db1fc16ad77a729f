#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// Ctrl-C and SIGTERM abort the command, which closes its sockets (or stops `porthole gateway`).
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => stop.abort(new Error(`stopped by ${signal}`));
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, stop.signal);
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
process.exitCode = code;
