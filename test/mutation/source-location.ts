import { readFile } from "node:fs/promises";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";

/** Where a compiled offset comes from in the TypeScript source (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Maps offsets of one compiled file back to its TypeScript source through tsc's source map. */
export class SourceLocator {
  readonly #map: SourceMap | undefined;
  readonly #lineStarts: number[];
  readonly #compiledFile: string;
  readonly #repository: string;

  private constructor(compiledFile: string, compiled: string, map: SourceMap | undefined, repository: string) {
    this.#compiledFile = compiledFile;
    this.#map = map;
    this.#repository = repository;
    this.#lineStarts = [0];
    for (let i = compiled.indexOf("\n"); i !== -1; i = compiled.indexOf("\n", i + 1)) this.#lineStarts.push(i + 1);
  }

  static async load(compiledFile: string, compiled: string, repository: string): Promise<SourceLocator> {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(await readFile(`${compiledFile}.map`, "utf8")) as SourceMapPayload);
    } catch {
      map = undefined;
    }
    return new SourceLocator(compiledFile, compiled, map, repository);
  }

  locate(offset: number): SourceLocation {
    let line = 0;
    while (line + 1 < this.#lineStarts.length && this.#lineStarts[line + 1]! <= offset) line++;
    const column = offset - this.#lineStarts[line]!;
    const entry = this.#map?.findEntry(line, column);
    if (entry && "originalSource" in entry && entry.originalSource) {
      const source = entry.originalSource.startsWith("file:") ? new URL(entry.originalSource).pathname : path.resolve(path.dirname(this.#compiledFile), entry.originalSource);
      return { file: path.relative(this.#repository, source), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    }
    return { file: path.relative(this.#repository, this.#compiledFile), line: line + 1, column: column + 1 };
  }
}
