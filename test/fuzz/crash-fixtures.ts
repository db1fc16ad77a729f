/**
 * Crash fixtures: every input the long fuzz run finds breaking a parser is written to
 * test/fixtures/fuzz-crashes/ as JSON, and a unit test replays them all, so a crash once found
 * stays fixed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One saved crash. */
export interface CrashFixture {
  /** Name of the fuzz target (see fuzz-targets.ts). */
  target: string;
  /** The input, exactly (JSON keeps lone surrogates and control characters as escapes). */
  input: string;
  /** What went wrong when it was found. */
  error: string;
  /** The fast-check seed of the run that found it. */
  seed: number;
}

// Compiled to build/test/fuzz, the fixtures stay in the source tree.
export const crashDirectory = fileURLToPath(new URL("../../../test/fixtures/fuzz-crashes/", import.meta.url));

/** Writes a crash under a name derived from its target and input; returns the file path. */
export function saveCrash(fixture: CrashFixture): string {
  mkdirSync(crashDirectory, { recursive: true });
  const digest = createHash("sha256").update(fixture.input).digest("hex").slice(0, 12);
  const path = `${crashDirectory}${fixture.target}-${digest}.json`;
  writeFileSync(path, `${JSON.stringify(fixture, null, 2)}\n`);
  return path;
}

/** Every saved crash, by file name. */
export function loadCrashes(): Array<{ file: string; fixture: CrashFixture }> {
  return readdirSync(crashDirectory)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, fixture: JSON.parse(readFileSync(`${crashDirectory}${file}`, "utf8")) as CrashFixture }));
}
