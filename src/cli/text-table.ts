import { escapeControl, joinText, type TerminalText } from "./terminal-text.js";

/** Column `n` of a table is aligned left unless `alignRight` has it. */
export interface TableOptions {
  readonly alignRight?: readonly number[];
  /** Applied to the header row after padding, so escape codes do not upset the widths. */
  readonly styleHeader?: (text: string) => TerminalText;
  /** Put before every line. */
  readonly indent?: string;
}

/**
 * Rows of text as columns padded to their widest cell, two spaces apart, without trailing blanks.
 * Cells are escaped first (terminal-text.ts), so a description with a line break or an escape
 * sequence stays in its cell and the widths hold.
 */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): TerminalText {
  const cells = rows.map((row) => row.map(escapeControl));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? "").length)));
  const indent = options.indent ?? "";
  const columns = (row: readonly string[]): string =>
    row
      .map((cell, column) => (options.alignRight?.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const headerLine = options.styleHeader ? options.styleHeader(columns(header)) : columns(header);
  return joinText([joinText([indent, headerLine], ""), ...cells.map((row) => indent + columns(row))]);
}
