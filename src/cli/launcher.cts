#!/usr/bin/env node
/**
 * The `porthole` command. It runs the command line's bundle (one CommonJS file, so that Node's
 * ES module loader never starts) with V8's code cache, which `npm run build` writes next to it:
 * with both, `porthole ip --gateway URL` starts about 30 ms sooner (docs/benchmarks.md). Node 20
 * has no compile cache of its own (`module.enableCompileCache` came in 22.1). V8 refuses a cache
 * made by another Node version or with other V8 flags, and the bundle is then compiled as if
 * there were none.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";

const bundlePath = join(__dirname, "porthole-cli.cjs");
const cachePath = `${bundlePath}.cache`;
// For the build only (scripts/bundle-cli.ts): say whether the cache was used, and write it again
// at exit with what this run compiled added.
const training = process.env["PORTHOLE_WRITE_CODE_CACHE"] === "1";

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

const cachedData = readCache();
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundlePath, "utf8")}\n})`, { filename: bundlePath, cachedData });
if (training) {
  process.stderr.write(`code cache: ${cachedData === undefined ? "none" : script.cachedDataRejected === false ? "used" : "refused"}\n`);
  process.once("exit", () => writeFileSync(cachePath, script.createCachedData()));
}
const bundle = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(bundle.exports, require, bundle, bundlePath, __dirname);
