// Start-up: each command loads only what it needs, and the package's `porthole` is the bundle
// built by `npm run build` (docs/benchmarks.md has the timings).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { virtualGateway } from "./support/virtual-gateway-fixture.js";
import { cliPath } from "./cli-runner.js";

const mainPath = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const recorder = fileURLToPath(new URL("./support/record-imports.js", import.meta.url));

const run = promisify(execFile);

/**
 * The modules of porthole's own source that `porthole ...args` loads (tsc's output, one file per
 * module). Asynchronous: the gateway it talks to runs in this process.
 */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "porthole-imports-"));
  try {
    const log = path.join(dir, "imports.log");
    await run(process.execPath, ["--import", recorder, mainPath, ...args], { env: { ...process.env, PORTHOLE_IMPORT_LOG: log } });
    const root = new URL("../../src/", import.meta.url).href;
    return [...new Set(readFileSync(log, "utf8").split("\n"))].filter((url) => url.startsWith(root)).map((url) => url.slice(root.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("porthole --help loads the command line and nothing of the library", async () => {
  const loaded = await modulesLoadedBy(["--help"]);
  assert.ok(loaded.includes("cli/run-cli.js"), loaded.join(", "));
  assert.deepEqual(loaded.filter((module) => !/^(cli|errors|util)\//.test(module)), []);
  assert.ok(!loaded.some((module) => module.startsWith("cli/commands/")), loaded.join(", "));
});

test("porthole ip --gateway URL loads no virtual gateway, no Redot facade, no discovery, no NAT-PMP or PCP and no other command", async (t) => {
  const gateway = await virtualGateway(t);
  const loaded = await modulesLoadedBy(["ip", "--gateway", gateway.descriptionUrl]);
  assert.ok(loaded.includes("cli/commands/ip.js"), loaded.join(", "));
  // ssdp-socket.js may come in: the UPnP mapper's announcement listener closes its socket with it; the search itself may not.
  assert.deepEqual(loaded.filter((module) => /^virtual-gateway\/|^compat\/upnp|^cli\/commands\/(?!ip\.js)|find-gateways|ssdp-search\.js/.test(module)), []);
  // Nor NAT-PMP and PCP, which a UPnP gateway named by URL does not need (PCP's nonces load node:crypto).
  assert.deepEqual(loaded.filter((module) => /^(natpmp|pcp)\//.test(module)), []);
  // With discovery, its code comes in.
  const discovering = await modulesLoadedBy(["ip", "--ssdp-target", `${gateway.ssdpAddress.address}:${gateway.ssdpAddress.port}`]);
  assert.ok(discovering.includes("upnp/gateway/find-gateways.js"), discovering.join(", "));
});

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

test("the package's porthole is the launcher npm run build makes, and npm pack ships it with its bundle and code cache", async () => {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { bin: Record<string, string> };
  assert.equal(path.resolve(repoRoot, manifest.bin["porthole"]!), cliPath);
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot });
  const files = new Set((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path));
  for (const file of readdirSync(path.dirname(cliPath))) assert.ok(files.has(`build/bin/${file}`), file);
  assert.deepEqual(readdirSync(path.dirname(cliPath)).sort(), ["porthole-cli.cjs", "porthole-cli.cjs.cache", "porthole.cjs"]);
  const version = await run(process.execPath, [cliPath, "--version"]);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});

test("the launcher runs the bundle with the build's code cache, and without it when V8 refuses the cache", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "porthole-bin-"));
  try {
    cpSync(path.dirname(cliPath), dir, { recursive: true });
    const launcher = path.join(dir, path.basename(cliPath));
    // The build's switch: the launcher says what became of the cache (and writes it again).
    const env = { ...process.env, PORTHOLE_WRITE_CODE_CACHE: "1" };
    const used = await run(process.execPath, [launcher, "--help"], { env });
    assert.match(used.stderr, /^code cache: used$/m);
    writeFileSync(path.join(dir, "porthole-cli.cjs.cache"), Buffer.alloc(4096, 7));
    const refused = await run(process.execPath, [launcher, "--help"], { env });
    assert.match(refused.stderr, /^code cache: refused$/m);
    assert.match(refused.stdout, /^Usage: porthole /);
    rmSync(path.join(dir, "porthole-cli.cjs.cache"));
    const none = await run(process.execPath, [launcher, "--help"]);
    assert.match(none.stdout, /^Usage: porthole /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
