// Replays every input the long fuzz run once found crashing a parser (test/fixtures/fuzz-crashes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { crashDirectory, loadCrashes } from "../fuzz/crash-fixtures.js";
import { fuzzTarget } from "../fuzz/fuzz-targets.js";

test("the crash fixture folder exists", () => {
  assert.ok(existsSync(crashDirectory), crashDirectory);
});

for (const { file, fixture } of loadCrashes()) {
  test(`fuzz crash ${file} (${fixture.target}: ${fixture.error.split("\n")[0]!.slice(0, 80)}) is fixed`, () => {
    const outcome = fuzzTarget(fixture.target).run(fixture.input);
    assert.equal(typeof outcome, "string");
  });
}
