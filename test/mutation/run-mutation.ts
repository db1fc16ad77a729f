/**
 * `npm run mutate`: mutation testing of chosen source files against the unit tests. Each mutant
 * is written into a scratch copy of build/ and only the test files that ran the mutated code
 * (known from a V8 coverage pass over every test file) are run against it, fastest first, until
 * one fails. A mutant no test notices "survived": the tests do not check that behaviour.
 *
 *   node build/test/mutation/run-mutation.js [--files a,b] [--max N] [--concurrency N]
 *     [--tests filter] [--all-tests] [--json report.json] [--list]
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { TestFileCoverage } from "./coverage.js";
import { generateMutants, type Mutant } from "./mutants.js";
import { formatReport, type MutantResult } from "./mutation-report.js";
import { runTestFile, type TestFileRun } from "./run-test-file.js";
import { ScratchRoot } from "./scratch-root.js";
import { SourceLocator } from "./source-location.js";
import { compiledPath, isExcludedTestFile, mutationAreas, testsOf } from "./targets.js";

const repository = fileURLToPath(new URL("../../../", import.meta.url));
const unitTestDirectory = "test/unit";
/** Longest a test file may take in the coverage pass. */
const coverageTimeoutMs = 180_000;

/** `src/x.js` under build/ -> `src/x.ts`. */
const sourceOf = (compiled: string): string => compiled.replace(/\.js$/, ".ts");

const { values: options } = parseArgs({
  options: {
    files: { type: "string" },
    max: { type: "string" },
    concurrency: { type: "string" },
    tests: { type: "string" },
    json: { type: "string" },
    list: { type: "boolean", default: false },
    "all-tests": { type: "boolean", default: false },
  },
});

/** Default files, or every source file whose path contains one of the `--files` parts. */
async function chooseSourceFiles(): Promise<string[]> {
  const defaults = Object.values(mutationAreas).flat();
  if (options.files === undefined) return defaults;
  const wanted = options.files.split(",").map((part) => part.trim()).filter(Boolean);
  const all = (await readdir(path.join(repository, "src"), { recursive: true })).map((file) => path.join("src", file)).filter((file) => file.endsWith(".ts"));
  return all.filter((file) => wanted.some((part) => file.includes(part))).sort();
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1, got ${text}`);
  return value;
}

/** `max` mutants spread evenly over the list, so every file keeps a share. */
function sample(mutants: Mutant[], max: number): Mutant[] {
  if (mutants.length <= max) return mutants;
  return Array.from({ length: max }, (_, i) => mutants[Math.floor((i * mutants.length) / max)]!);
}

/** Runs `task` for every item with `workers` workers, each bound to its own worker index. */
async function pool<T>(items: readonly T[], workers: number, task: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < items.length) await task(items[next++]!, worker);
    }),
  );
}

async function main(): Promise<void> {
  if (!existsSync(path.join(repository, "build", "src"))) throw new Error("build/ is missing: run `npm run build` first");
  const sourceFiles = await chooseSourceFiles();
  if (sourceFiles.length === 0) throw new Error(`no source file matches --files ${options.files}`);
  const targets = sourceFiles.map(compiledPath);
  const originals = new Map<string, string>();
  const locators = new Map<string, SourceLocator>();
  let mutants: Mutant[] = [];
  for (const target of targets) {
    const compiledFile = path.join(repository, "build", target);
    const source = await readFile(compiledFile, "utf8");
    originals.set(target, source);
    locators.set(target, await SourceLocator.load(compiledFile, source, repository));
    mutants.push(...generateMutants(target, source));
  }
  mutants = sample(mutants, positiveInteger("max", options.max, Number.MAX_SAFE_INTEGER));
  const locate = (mutant: Mutant) => locators.get(mutant.file)!.locate(mutant.start);

  if (options.list) {
    for (const mutant of mutants) {
      const where = locate(mutant);
      console.log(`${where.file}:${where.line}:${where.column} ${mutant.operator}: ${mutant.original.replace(/\s+/g, " ").slice(0, 60)} -> ${mutant.replacement.replace(/\s+/g, " ").slice(0, 60)}`);
    }
    console.log(`${mutants.length} mutants`);
    return;
  }

  const concurrency = positiveInteger("concurrency", options.concurrency, Math.min(2, availableParallelism()));
  const work = await mkdtemp(path.join(tmpdir(), "porthole-mutate-"));
  const cleanUp = () => rm(work, { recursive: true, force: true });
  process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
  try {
    const roots = await Promise.all(Array.from({ length: concurrency }, (_, i) => ScratchRoot.create(repository, path.join(work, `root-${i}`))));
    const testFiles = (await readdir(path.join(repository, "build", unitTestDirectory)))
      .filter((name) => name.endsWith(".test.js"))
      .filter((name) => (options.tests === undefined ? !isExcludedTestFile(name) : options.tests.split(",").some((part) => name.includes(part))))
      .map((name) => `build/${unitTestDirectory}/${name}`);

    const known = new Set(testFiles.map((file) => path.basename(file, ".test.js")));
    const unknown = Object.values(testsOf).flat().filter((name) => !known.has(name) && options.tests === undefined);
    if (unknown.length > 0) throw new Error(`targets.ts names test files that do not exist: ${[...new Set(unknown)].join(", ")}`);

    // Only the test files some mutant may run need the coverage pass: with every target's own tests
    // known, that is their union (a run over one file takes seconds, not the whole suite).
    const focusOf = (target: string): readonly string[] | undefined => (options["all-tests"] ? undefined : testsOf[sourceOf(target)]);
    const focused = targets.every((target) => focusOf(target) !== undefined) ? new Set(targets.flatMap((target) => focusOf(target)!)) : undefined;
    const passFiles = testFiles.filter((file) => focused === undefined || focused.has(path.basename(file, ".test.js")));

    // The coverage pass: which test file runs which code, and how long each takes unmutated.
    const started = performance.now();
    const baseline = new Map<string, { run: TestFileRun; coverage: TestFileCoverage }>();
    await pool(passFiles, concurrency, async (testFile, worker) => {
      const root = roots[worker]!;
      const coverageDirectory = path.join(work, "coverage", path.basename(testFile));
      const run = await runTestFile(root.root, testFile, coverageTimeoutMs, { NODE_V8_COVERAGE: coverageDirectory });
      const coverage = await TestFileCoverage.read(coverageDirectory, root.buildDirectory, targets);
      if (run.outcome !== "passed") console.error(`! ${testFile} ${run.outcome} without any mutant: left out`);
      else baseline.set(testFile, { run, coverage });
    });
    console.error(`coverage pass: ${baseline.size} test files in ${((performance.now() - started) / 1000).toFixed(0)} s; ${mutants.length} mutants`);

    const results: MutantResult[] = [];
    let done = 0;
    await pool(mutants, concurrency, async (mutant, worker) => {
      const focus = focusOf(mutant.file);
      const covering = [...baseline.entries()]
        .filter(([testFile]) => focus === undefined || focus.includes(path.basename(testFile, ".test.js")))
        .filter(([, { coverage }]) => coverage.ran(mutant.file, mutant.start))
        .sort(([, a], [, b]) => a.run.durationMs - b.run.durationMs);
      const mutantStarted = performance.now();
      const result: MutantResult = { mutant, location: locate(mutant), status: "no-coverage", killedBy: undefined, testsRun: 0, durationMs: 0 };
      if (covering.length > 0) {
        result.status = "survived";
        await roots[worker]!.withMutant(mutant, originals.get(mutant.file)!, async () => {
          for (const [testFile, { run }] of covering) {
            result.testsRun++;
            // Generous: the machine is shared, and a slow pass is not a kill.
            const { outcome } = await runTestFile(roots[worker]!.root, testFile, 2 * run.durationMs + 2000);
            if (outcome === "passed") continue;
            result.status = outcome === "timeout" ? "timeout" : "killed";
            result.killedBy = path.basename(testFile);
            return;
          }
        });
      }
      result.durationMs = performance.now() - mutantStarted;
      results.push(result);
      done++;
      if (done % 25 === 0 || done === mutants.length) {
        const elapsed = (performance.now() - started) / 1000;
        console.error(`[${done}/${mutants.length}] ${elapsed.toFixed(0)} s`);
      }
    });
    const report = formatReport(results, (performance.now() - started) / 1000);
    console.log(report.text);
    const jsonPath = options.json ?? path.join(repository, "build", "mutation-report.json");
    await writeFile(jsonPath, JSON.stringify(report.json, null, 2));
    console.error(`report written to ${path.relative(repository, jsonPath)}`);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
