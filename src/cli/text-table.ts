/** Column `n` of a table is aligned left unless `alignRight` has it. */
export interface TableOptions {
  readonly alignRight?: readonly number[];
  /** Applied to the header row after padding, so escape codes do not upset the widths. */
  readonly styleHeader?: (text: string) => string;
}

/** Rows of text as columns padded to their widest cell, two spaces apart, without trailing blanks. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (options.alignRight?.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const styleHeader = options.styleHeader ?? ((text: string) => text);
  return [styleHeader(line(header)), ...rows.map(line)].join("\n");
}
