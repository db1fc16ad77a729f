/**
 * The long fuzz run: `npm run fuzz` (at least 100,000 cases per parser).
 *
 *   node build/test/fuzz/run-fuzz.js [--runs=100000] [--seed=N] [--target=parseXml]
 *
 * Prints, per parser, the cases run, what they ended in (a value, or which PortholeError) and the
 * slowest case. A crash (any other exception, or a malformed value) is shrunk by fast-check and
 * written to test/fixtures/fuzz-crashes/, which `npm test` replays; the exit code is then 1.
 */
import fc from "fast-check";
import { saveCrash } from "./crash-fixtures.js";
import { fuzzTargets, type FuzzTarget } from "./fuzz-targets.js";

interface TargetReport {
  name: string;
  runs: number;
  outcomes: Map<string, number>;
  slowestMs: number;
  seconds: number;
  crash: string | undefined;
}

function option(argv: readonly string[], name: string): string | undefined {
  return argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function fuzz(target: FuzzTarget, runs: number, seed: number): TargetReport {
  const outcomes = new Map<string, number>();
  let slowestMs = 0;
  const started = performance.now();
  const property = fc.property(target.input, (input) => {
    const caseStarted = performance.now();
    const outcome = target.run(input);
    slowestMs = Math.max(slowestMs, performance.now() - caseStarted);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  });
  const details = fc.check(property, { numRuns: runs, seed });
  const report: TargetReport = { name: target.name, runs: details.numRuns, outcomes, slowestMs, seconds: (performance.now() - started) / 1000, crash: undefined };
  if (details.failed && details.counterexample !== null) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    report.crash = saveCrash({ target: target.name, input: details.counterexample[0], error, seed: details.seed });
  }
  return report;
}

function main(argv: readonly string[]): number {
  const runs = Number(option(argv, "runs") ?? 100_000);
  const seed = Number(option(argv, "seed") ?? Date.now() % 2 ** 31);
  const only = option(argv, "target");
  const targets = fuzzTargets.filter((target) => only === undefined || target.name === only);
  console.log(`fuzzing ${targets.length} parsers, ${runs} cases each, seed ${seed}`);
  let crashes = 0;
  for (const target of targets) {
    const report = fuzz(target, runs, seed);
    const outcomes = [...report.outcomes].sort((a, b) => b[1] - a[1]).map(([outcome, count]) => `${outcome} ${count}`).join(", ");
    console.log(
      `${report.name.padEnd(24)} ${String(report.runs).padStart(7)} cases in ${report.seconds.toFixed(1)} s, slowest ${report.slowestMs.toFixed(1)} ms | ${outcomes}`,
    );
    if (report.crash !== undefined) {
      crashes++;
      console.log(`  CRASH written to ${report.crash}`);
    }
  }
  console.log(crashes === 0 ? "no crashes" : `${crashes} parser(s) crashed`);
  return crashes === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
