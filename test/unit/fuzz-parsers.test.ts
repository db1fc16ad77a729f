// The short fuzz run of every parser that reads network input (the long one is `npm run fuzz`):
// each must return a well-typed value or throw a PortholeError, whatever it is given.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzTargets } from "../fuzz/fuzz-targets.js";

/** Enough to catch a regression on every `npm test` without slowing it down. */
const casesPerParser = 500;

test("every network parser is fuzzed", () => {
  assert.deepEqual(
    fuzzTargets.map((target) => target.name).sort(),
    [
      "HttpResponseParser",
      "answerPortControl",
      "checkLocation",
      "decodeGatewayAnnouncement",
      "decodeNatPmpRequest",
      "decodeNatPmpResponse",
      "decodePcpRequest",
      "decodePcpResponse",
      "parseDeviceDescription",
      "parseHttpUrl",
      "parsePortListing",
      "parseSoapResponse",
      "parseSsdpNotify",
      "parseSsdpResponse",
      "parseXml",
    ],
  );
});

for (const target of fuzzTargets) {
  test(`fuzz ${target.name}: a typed value or a PortholeError, never anything else (${casesPerParser} cases)`, () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(target.input, (input) => {
        outcomes.add(target.run(input));
      }),
      { numRuns: casesPerParser },
    );
    assert.ok(outcomes.size > 0);
  });
}
