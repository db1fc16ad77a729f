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
  ],
  "mapping policy": ["src/upnp/gateway/add-port-mapping.ts", "src/upnp/gateway/connection-status.ts", "src/upnp/gateway/probe-gateway.ts"],
  "mapping table": ["src/virtual-gateway/port-mapping-table.ts", "src/virtual-gateway/port-mapping-actions.ts"],
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

export function areaOf(sourceFile: string): string {
  return Object.entries(mutationAreas).find(([, files]) => files.includes(sourceFile))?.[0] ?? "other";
}

/** `src/xml/parse-xml.ts` -> `src/xml/parse-xml.js`, the compiled file under build/. */
export function compiledPath(sourceFile: string): string {
  return sourceFile.replace(/\.ts$/, ".js");
}
