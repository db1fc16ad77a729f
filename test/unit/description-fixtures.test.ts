import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeDescriptionBody } from "../../src/upnp/description/decode-description.js";
import { parseDeviceDescription, type DeviceDescription } from "../../src/upnp/description/device-description.js";

// Compiled to build/test/unit, the fixtures stay in the source tree.
const fixtureDirectory = fileURLToPath(new URL("../../../test/fixtures/descriptions/", import.meta.url));
const fixtureNames = readdirSync(fixtureDirectory)
  .filter((file) => file.endsWith(".xml"))
  .map((file) => file.slice(0, -".xml".length))
  .sort();

test("there are golden description fixtures", () => {
  assert.ok(fixtureNames.length >= 10, `only ${fixtureNames.length} fixtures found in ${fixtureDirectory}`);
});

for (const name of fixtureNames) {
  test(`golden description: ${name}`, () => {
    const expected = JSON.parse(readFileSync(`${fixtureDirectory}${name}.json`, "utf8")) as DeviceDescription;
    // Decoded as fetchDeviceDescription decodes a body, so BOM and invalid bytes take the real path.
    const text = decodeDescriptionBody(readFileSync(`${fixtureDirectory}${name}.xml`));
    const actual = parseDeviceDescription(text, expected.descriptionUrl);
    // Through JSON so that an absent optional field and one set to undefined compare equal.
    assert.deepEqual(JSON.parse(JSON.stringify(actual)), expected);
  });
}
