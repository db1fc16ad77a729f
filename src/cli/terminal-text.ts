/**
 * What may reach the terminal. Routers, SSDP replies and the network supply text porthole prints
 * (mapping descriptions, addresses, friendly names, error text, URLs); a control character in it
 * could move the cursor, erase the screen or draw fake rows, and a bidi override could reorder
 * what the user reads. So every string written to the terminal is escaped by `escapeControl`,
 * except `TerminalText`, which only this module makes: from our own literals and styles, around
 * values it has escaped itself. The Terminal takes a plain string or a `TerminalText`, never
 * anything it has not escaped.
 */

/**
 * C0 controls (ESC, CR, LF, TAB ...), DEL, C1 controls (a lone 0x9B is a CSI on some terminals),
 * the bidi marks, embeddings, overrides and isolates (Trojan Source, CVE-2021-42574), and the
 * Unicode line and paragraph separators.
 */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeOne(character: string): string {
  const named1 = named[character];
  if (named1 !== undefined) return named1;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every character that could steer a terminal written out as an escape (`\x1b`, `\r`,
 * `\u202e`). Idempotent: what it returns has nothing left to escape.
 */
export function escapeControl(text: string): string {
  return text.replace(unsafe, escapeOne);
}

/** Text that is safe to write as it is: our own words and escape codes, with outside values escaped. */
class TerminalText {
  // No toString on purpose: a TerminalText put into a plain template string shows as
  // "[object Object]" in the tests instead of passing for text.
  constructor(readonly raw: string) {}
}

export type { TerminalText };

/** What the Terminal writes: plain strings are escaped whole, `TerminalText` is written as made. */
export type Printable = string | TerminalText;

/** The bytes to write for `text`. */
export function rawOf(text: Printable): string {
  return text instanceof TerminalText ? text.raw : escapeControl(text);
}

/**
 * A tagged template: the literal parts are ours and kept as written, every interpolated value is
 * escaped (a `TerminalText`, such as a styled word, is kept as it is).
 */
export function escaped(literals: TemplateStringsArray, ...values: ReadonlyArray<Printable | number>): TerminalText {
  let raw = literals[0]!;
  values.forEach((value, i) => {
    raw += (typeof value === "number" ? String(value) : rawOf(value)) + literals[i + 1]!;
  });
  return new TerminalText(raw);
}

/** Several pieces joined by `separator` (ours: "\n" keeps lines apart), each escaped unless it is `TerminalText`. */
export function joinText(parts: readonly Printable[], separator = "\n"): TerminalText {
  return new TerminalText(parts.map(rawOf).join(separator));
}

/** Text wrapped in an escape sequence of ours (a colour), its inside escaped. */
export function wrapText(open: string, text: Printable, close: string): TerminalText {
  return new TerminalText(`${open}${rawOf(text)}${close}`);
}
