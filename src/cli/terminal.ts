/** The streams and environment a command runs with; tests and `main.ts` pass the process's own. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** Colour only on a terminal, never with NO_COLOR set to anything non-empty (no-color.org) or TERM=dumb. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb";
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string): string => text;

export function styleFor(enabled: boolean): Style {
  if (!enabled) return { bold: plain, dim: plain, green: plain, yellow: plain, red: plain, cyan: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39), cyan: sgr(36, 39) };
}

const spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const spinnerIntervalMs = 80;

/**
 * Where a command writes: its result on stdout (text or one JSON document), everything else —
 * notes, warnings, the verbose trace, the spinner — on stderr, so `porthole ip` can be piped.
 */
export class Terminal {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Styles for what goes to stdout and to stderr; each stream decides on its own colour. */
  readonly out: Style;
  readonly err: Style;
  readonly #streams: CliStreams;

  constructor(streams: CliStreams, options: { json: boolean; verbose: boolean }) {
    this.#streams = streams;
    this.json = options.json;
    this.verbose = options.verbose;
    this.out = styleFor(colourEnabled(streams.stdout, streams.env));
    this.err = styleFor(colourEnabled(streams.stderr, streams.env));
  }

  /** A line of the result, in text mode. */
  print(text = ""): void {
    this.#streams.stdout.write(`${text}\n`);
  }

  /** The result, in JSON mode: one document. */
  printJson(value: unknown): void {
    this.#streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A diagnostic line on stderr. */
  note(text: string): void {
    this.#streams.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.note(`${this.err.yellow("note:")} ${text}`);
  }

  /** A line of the `--verbose` trace. */
  trace(text: string): void {
    if (this.verbose) this.note(this.err.dim(text));
  }

  /**
   * Shows a spinner on stderr while `task` runs, only when stderr is a terminal and no trace is
   * being written there.
   */
  async withSpinner<T>(label: string, task: () => Promise<T>): Promise<T> {
    const stderr = this.#streams.stderr;
    if (stderr.isTTY !== true || this.verbose) return task();
    let frame = 0;
    const draw = (): void => {
      stderr.write(`\r${this.err.cyan(spinnerFrames[frame++ % spinnerFrames.length]!)} ${label}`);
    };
    draw();
    const timer = setInterval(draw, spinnerIntervalMs);
    try {
      return await task();
    } finally {
      clearInterval(timer);
      stderr.write("\r\x1b[K");
    }
  }
}
