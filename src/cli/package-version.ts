import { readFileSync } from "node:fs";

/**
 * The version in porthole's package.json, found by walking up from this file: the CLI runs both
 * from tsc's output (build/src/cli/) and from the bundle (build/bin/), at different depths.
 */
export function packageVersion(): string {
  for (let url = new URL("./", import.meta.url); url.pathname !== "/"; url = new URL("../", url)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL("package.json", url), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "porthole") return manifest.version ?? "unknown";
    } catch {
      // No package.json here (or not ours): look one level up.
    }
  }
  return "unknown";
}
