/**
 * The source files `npm run mutate` mutates by default, by area: the parsers of what routers send,
 * the mapping policy, and the virtual gateway's mapping table (issue 10: "tests that bite").
 */
export const mutationAreas: Readonly<Record<string, readonly string[]>> = {
  parsers: [
    "src/xml/parse-xml.ts",
    "src/http/http-response-parser.ts",
    "src/upnp/ssdp/ssdp-message.ts",
    "src/upnp/soap/soap-response.ts",
    "src/upnp/description/control-url-policy.ts",
    "src/upnp/description/decode-description.ts",
    "src/upnp/description/description-urls.ts",
    "src/upnp/description/device-description.ts",
    "src/upnp/description/fetch-description.ts",
    "src/upnp/description/wan-service-type.ts",
    "src/upnp/igd/port-listing.ts",
    "src/upnp/igd/port-mapping-entry.ts",
    "src/upnp/igd/uptime.ts",
    "src/net/default-gateway.ts",
  ],
  "mapping policy": ["src/upnp/gateway/add-port-mapping.ts", "src/upnp/gateway/connection-status.ts", "src/upnp/gateway/probe-gateway.ts"],
  "mapping table": ["src/virtual-gateway/port-mapping-table.ts", "src/virtual-gateway/port-mapping-actions.ts"],
  "NAT-PMP/PCP wire": [
    "src/natpmp/natpmp-requests.ts",
    "src/natpmp/natpmp-responses.ts",
    "src/natpmp/natpmp-epoch.ts",
    "src/pcp/pcp-requests.ts",
    "src/pcp/pcp-responses.ts",
    "src/pcp/pcp-fields.ts",
    "src/pcp/pcp-epoch.ts",
    "src/port-control/epoch-watch.ts",
  ],
};

/**
 * Test files not run against mutants unless `--tests` names them: the package test packs and
 * installs the package, and the CLI tests start a process per command (they are a third of the
 * suite's time) while the CLI is no target here; they reach the library only end to end, through
 * code the library's own tests cover. Leaving them out can only lower the score, never raise it.
 */
export function isExcludedTestFile(name: string): boolean {
  return name === "package-exports.test.js" || name.startsWith("cli-");
}

const fuzz = ["fuzz-parsers", "fuzz-crashes"];
const description = ["description-decode", "description-fetch", "description-fixtures", "description-parse", "hostile-description", "gateway-probe", ...fuzz];
const igdParsers = ["igd-client", "igd-actions", "gateway-status", "mapping-policy", ...fuzz];
const policy = ["mapping-policy", "gateway-mapping", "hostile-nothing-lost", "igd-remove-own-mapping", "api-edge", "compat-upnp", "router-quirks"];
const probing = ["gateway-probe", "gateway-status", "gateway-find", "api-edge", "hostile-description", "compat-upnp"];
const portControlWire = ["natpmp-codec", "pcp-codec", "epoch-rules", "natpmp-client", "pcp-client", ...fuzz];
const virtualTable = ["virtual-gateway-soap", "virtual-gateway-table", "virtual-gateway-leases", "virtual-gateway-quirks", "virtual-gateway-profiles", "gateway-mapping"];

/**
 * The unit tests of each default target, by test file name: a mutant runs only those of them that
 * ran its code (from the coverage pass). A survivor runs every one of its tests, so running the
 * whole suite's 40 files for each would take hours; the score is what a file's own tests notice.
 * `--all-tests` runs every covering test file instead; files not listed here always do.
 */
export const testsOf: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(mutationAreas["NAT-PMP/PCP wire"]!.map((file) => [file, portControlWire])),
  "src/xml/parse-xml.ts": ["xml-parse", "soap-response", "hostile-injection", "igd-client", ...description],
  "src/http/http-response-parser.ts": ["http-response-parser", "http-request", "hostile-http", "soap-call", "description-fetch", ...fuzz],
  "src/upnp/ssdp/ssdp-message.ts": ["ssdp-message", "ssdp-search", "hostile-ssdp", "hostile-injection", ...fuzz],
  "src/upnp/soap/soap-response.ts": ["soap-response", "soap-call", "igd-actions", "igd-client", ...fuzz],
  "src/upnp/description/control-url-policy.ts": description,
  "src/upnp/description/decode-description.ts": description,
  "src/upnp/description/description-urls.ts": description,
  "src/upnp/description/device-description.ts": description,
  "src/upnp/description/fetch-description.ts": description,
  "src/upnp/description/wan-service-type.ts": description,
  "src/upnp/igd/port-listing.ts": igdParsers,
  "src/upnp/igd/port-mapping-entry.ts": igdParsers,
  "src/upnp/igd/uptime.ts": igdParsers,
  "src/net/default-gateway.ts": ["ssdp-default-gateway", "doctor-environment", "doctor-diagnose"],
  "src/upnp/gateway/add-port-mapping.ts": policy,
  "src/upnp/gateway/connection-status.ts": probing,
  "src/upnp/gateway/probe-gateway.ts": probing,
  "src/virtual-gateway/port-mapping-table.ts": virtualTable,
  "src/virtual-gateway/port-mapping-actions.ts": virtualTable,
};

export function areaOf(sourceFile: string): string {
  return Object.entries(mutationAreas).find(([, files]) => files.includes(sourceFile))?.[0] ?? "other";
}

/** `src/xml/parse-xml.ts` -> `src/xml/parse-xml.js`, the compiled file under build/. */
export function compiledPath(sourceFile: string): string {
  return sourceFile.replace(/\.ts$/, ".js");
}
