import type { Mutant } from "./mutants.js";
import type { SourceLocation } from "./source-location.js";
import { areaOf } from "./targets.js";

export type MutantStatus = "killed" | "timeout" | "survived" | "no-coverage";

export interface MutantResult {
  mutant: Mutant;
  location: SourceLocation;
  status: MutantStatus;
  /** The test file that failed (or timed out) on the mutant. */
  killedBy: string | undefined;
  testsRun: number;
  /** Time spent on this mutant, in milliseconds. */
  durationMs: number;
}

interface Tally {
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
}

function tally(results: readonly MutantResult[]): Tally {
  const count = (status: MutantStatus) => results.filter((result) => result.status === status).length;
  return { total: results.length, killed: count("killed"), timeout: count("timeout"), survived: count("survived"), noCoverage: count("no-coverage") };
}

/** Killed or timed out, of all mutants: a mutant no test runs counts as a survivor. */
function score({ total, killed, timeout }: Tally): string {
  return total === 0 ? "-" : `${((100 * (killed + timeout)) / total).toFixed(1)} %`;
}

function row(name: string, counts: Tally): string {
  return `${name.padEnd(48)} ${String(counts.total).padStart(5)} ${String(counts.killed).padStart(6)} ${String(counts.timeout).padStart(7)} ${String(counts.survived).padStart(8)} ${String(counts.noCoverage).padStart(8)}  ${score(counts).padStart(7)}`;
}

function groupBy(results: readonly MutantResult[], key: (result: MutantResult) => string): Map<string, MutantResult[]> {
  const groups = new Map<string, MutantResult[]>();
  for (const result of results) groups.set(key(result), [...(groups.get(key(result)) ?? []), result]);
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").slice(0, 70);

/** The run as text for the terminal (per file, per area, overall, every survivor) and as JSON. */
export function formatReport(results: readonly MutantResult[], seconds: number): { text: string; json: unknown } {
  const header = `${"".padEnd(48)} ${"total".padStart(5)} ${"killed".padStart(6)} ${"timeout".padStart(7)} ${"survived".padStart(8)} ${"no cover".padStart(8)}  ${"score".padStart(7)}`;
  const byFile = groupBy(results, (result) => result.location.file);
  const byArea = groupBy(results, (result) => areaOf(result.location.file));
  const survivors = results
    .filter((result) => result.status === "survived" || result.status === "no-coverage")
    .sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column);
  const lines = [
    header,
    ...[...byFile].map(([file, group]) => row(file, tally(group))),
    "",
    ...[...byArea].map(([area, group]) => row(`area: ${area}`, tally(group))),
    row("overall", tally(results)),
    "",
    `survivors (${survivors.length}):`,
    ...survivors.map(({ mutant, location, status }) => `  ${location.file}:${location.line}:${location.column} ${mutant.operator}${status === "no-coverage" ? " (no test runs it)" : ""}: ${oneLine(mutant.original)} -> ${oneLine(mutant.replacement)}`),
    "",
    `${results.length} mutants in ${seconds.toFixed(0)} s`,
  ];
  const json = {
    date: new Date().toISOString(),
    seconds: Math.round(seconds),
    overall: tally(results),
    areas: Object.fromEntries([...byArea].map(([area, group]) => [area, tally(group)])),
    files: Object.fromEntries([...byFile].map(([file, group]) => [file, tally(group)])),
    mutants: results.map(({ mutant, location, status, killedBy, testsRun, durationMs }) => ({
      location: `${location.file}:${location.line}:${location.column}`,
      operator: mutant.operator,
      original: mutant.original,
      replacement: mutant.replacement,
      status,
      killedBy,
      testsRun,
      durationMs: Math.round(durationMs),
    })),
  };
  return { text: lines.join("\n"), json };
}
