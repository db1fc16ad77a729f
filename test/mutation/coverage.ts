import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A block range of V8's precise coverage: `count` runs of `[startOffset, endOffset)`. */
interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  url: string;
  functions: { ranges: CoverageRange[] }[];
}

/**
 * What one test file ran of each target file, per process it started (a test may run code in a
 * child process: the CLI, the hostile clients). Read from the NODE_V8_COVERAGE directory of a run.
 */
export class TestFileCoverage {
  /** Build-relative target path -> one list of ranges per process that loaded it. */
  readonly #ranges = new Map<string, CoverageRange[][]>();

  static async read(directory: string, buildDirectory: string, targets: readonly string[]): Promise<TestFileCoverage> {
    const coverage = new TestFileCoverage();
    const byUrl = new Map(targets.map((target) => [pathToFileURL(path.join(buildDirectory, target)).href, target]));
    for (const name of await readdir(directory)) {
      if (!name.endsWith(".json")) continue;
      const { result } = JSON.parse(await readFile(path.join(directory, name), "utf8")) as { result: ScriptCoverage[] };
      for (const script of result) {
        const target = byUrl.get(script.url);
        if (target === undefined) continue;
        const list = coverage.#ranges.get(target) ?? [];
        list.push(script.functions.flatMap((fn) => fn.ranges));
        coverage.#ranges.set(target, list);
      }
    }
    return coverage;
  }

  /**
   * True when some process of this test ran the code at `offset` of `target`. V8's ranges nest;
   * the innermost range holding the offset gives its count (the later one when two are equal,
   * as a block range follows the function range it refines).
   */
  ran(target: string, offset: number): boolean {
    return (this.#ranges.get(target) ?? []).some((ranges) => {
      let innermost: CoverageRange | undefined;
      for (const range of ranges) {
        if (range.startOffset > offset || offset >= range.endOffset) continue;
        if (innermost === undefined || range.endOffset - range.startOffset <= innermost.endOffset - innermost.startOffset) innermost = range;
      }
      return innermost !== undefined && innermost.count > 0;
    });
  }

  /** True when some process loaded `target` at all. */
  loaded(target: string): boolean {
    return this.#ranges.has(target);
  }
}
