import type { Writable } from "node:stream";
import { escaped, rawOf, wrapText, type Printable, type TerminalText } from "./terminal-text.js";

/** The streams and environment a command runs with; tests and `main.ts` pass the process's own. */
export interface CliStreams {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** Colour only on a terminal, never with NO_COLOR set to anything non-empty (no-color.org) or TERM=dumb. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb";
}

/** Styles for one stream; each escapes what it is given (see terminal-text.ts). */
export interface Style {
  bold(text: Printable): TerminalText;
  dim(text: Printable): TerminalText;
  green(text: Printable): TerminalText;
  yellow(text: Printable): TerminalText;
  red(text: Printable): TerminalText;
  cyan(text: Printable): TerminalText;
}

const sgr = (open: number, close: number) => (text: Printable) => wrapText(`\x1b[${open}m`, text, `\x1b[${close}m`);
const plain = (text: Printable): TerminalText => escaped`${text}`;

export function styleFor(enabled: boolean): Style {
  if (!enabled) return { bold: plain, dim: plain, green: plain, yellow: plain, red: plain, cyan: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39), cyan: sgr(36, 39) };
}

const spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const spinnerIntervalMs = 80;

/**
 * Where a command writes: its result on stdout (text or one JSON document), everything else —
 * notes, warnings, the verbose trace, the spinner — on stderr, so `porthole ip` can be piped.
 * Every line is escaped on its way out (terminal-text.ts) except JSON, which JSON.stringify
 * already escapes.
 */
export class Terminal {
  readonly json: boolean;
  /** JSON as one document per line, for a command that reports as it goes (`hold`). */
  readonly jsonLines: boolean;
  readonly verbose: boolean;
  /** Styles for what goes to stdout and to stderr; each stream decides on its own colour. */
  readonly out: Style;
  readonly err: Style;
  readonly #streams: CliStreams;

  constructor(streams: CliStreams, options: { json: boolean; verbose: boolean; jsonLines?: boolean }) {
    this.#streams = streams;
    this.json = options.json;
    this.jsonLines = options.jsonLines ?? false;
    this.verbose = options.verbose;
    this.out = styleFor(colourEnabled(streams.stdout, streams.env));
    this.err = styleFor(colourEnabled(streams.stderr, streams.env));
  }

  /** Writes unless the stream already failed (its reader went away: see output-failure.ts). */
  #write(stream: Writable, raw: string): void {
    if (!stream.destroyed) stream.write(raw);
  }

  /** A line of the result, in text mode. */
  print(text: Printable = ""): void {
    this.#write(this.#streams.stdout, `${rawOf(text)}\n`);
  }

  /**
   * "  label   value", the label dimmed in a column `labelWidth` wide. A longer label keeps one
   * space before its value, so the two never run together.
   */
  printRow(label: string, value: Printable, labelWidth = 17): void {
    this.print(escaped`  ${this.out.dim(`${label.padEnd(labelWidth - 1)} `)}${value}`);
  }

  /** The result, in JSON mode: one document (on one line with `jsonLines`). */
  printJson(value: unknown): void {
    this.#write(this.#streams.stdout, `${this.jsonLines ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
  }

  /** A diagnostic line on stderr. */
  note(text: Printable): void {
    this.#write(this.#streams.stderr, `${rawOf(text)}\n`);
  }

  warn(text: Printable): void {
    this.note(escaped`${this.err.yellow("note:")} ${text}`);
  }

  /** A line of the `--verbose` trace. */
  trace(text: Printable): void {
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
      this.#write(stderr, `\r${rawOf(escaped`${this.err.cyan(spinnerFrames[frame++ % spinnerFrames.length]!)} ${label}`)}`);
    };
    draw();
    const timer = setInterval(draw, spinnerIntervalMs);
    try {
      return await task();
    } finally {
      clearInterval(timer);
      this.#write(stderr, "\r\x1b[K");
    }
  }
}
