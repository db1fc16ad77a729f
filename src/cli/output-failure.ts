import type { Writable } from "node:stream";

/**
 * A write to stdout or stderr failed: the reader went away (EPIPE: `porthole demo | head -1`), or
 * the output cannot be stored (ENOSPC: `porthole list > /dev/full`, EIO ...). Without a listener
 * Node turns it into an uncaught exception with a stack trace.
 */
export class OutputFailure extends Error {
  override name = "OutputFailure";
  readonly stream: "stdout" | "stderr";
  /** The system error code, e.g. "EPIPE", "ENOSPC". */
  readonly errno: string | undefined;

  constructor(stream: "stdout" | "stderr", cause: unknown) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`cannot write to ${stream}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.stream = stream;
    this.errno = errno;
  }

  /** The reader closed its end: nobody wants the rest, which is no error to report (as git and ls, killed by SIGPIPE). */
  get readerGone(): boolean {
    return this.errno === "EPIPE";
  }
}

/**
 * Listens for write errors on both streams for the life of the process (an error can surface
 * after the command is done: a file's write fails on the next tick) and calls `onFailure` once,
 * for the first. Later errors of a broken stream are expected and ignored.
 */
export function watchOutput(streams: { stdout: Writable; stderr: Writable }, onFailure: (failure: OutputFailure) => void): void {
  let failed = false;
  for (const name of ["stdout", "stderr"] as const) {
    streams[name].on("error", (error: unknown) => {
      if (failed) return;
      failed = true;
      onFailure(new OutputFailure(name, error));
    });
  }
}
