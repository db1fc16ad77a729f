/**
 * `npm run bundle`: the `porthole` command as the package ships it, in build/bin/.
 *
 * - porthole-cli.cjs: the command line and the library code it uses, one CommonJS file. Node's ES
 *   module loader (resolving, reading and linking each file, and the internals it loads) cost
 *   `porthole ip --gateway URL` 17 ms and `--help` 3 ms on the bench's machine; a CommonJS file
 *   skips it. Each command's code stays lazy inside: `porthole --help` runs none of it.
 * - porthole.cjs: the launcher (src/cli/launcher.cts), which runs the bundle with V8's code cache.
 * - porthole-cli.cjs.cache: that cache. V8 compiles a function when it first runs, so the cache
 *   holds what a few commands ran against a virtual gateway on loopback (no traffic leaves this
 *   host), each run adding to what the previous one wrote.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { startVirtualGateway } from "../src/virtual-gateway/index.js";

const outDir = "build/bin";
const launcher = `${outDir}/porthole.cjs`;
const common = { platform: "node", format: "cjs", target: "node20", logLevel: "warning" } as const;

rmSync(outDir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  outfile: `${outDir}/porthole-cli.cjs`,
  // The version lookup walks up from its own file (src/cli/package-version.ts); a getter, so that
  // only `--version` pays for the URL.
  define: { "import.meta": "__importMeta" },
  banner: { js: `const __importMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };` },
  // Less to read and hash at each start; names are kept, for readable stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
});
await build({ ...common, entryPoints: ["src/cli/launcher.cts"], outfile: launcher });
await trainCodeCache();

async function trainCodeCache(): Promise<void> {
  const run = promisify(execFile);
  const gateway = await startVirtualGateway();
  // PCP's `map` keeps a secret in porthole's configuration directory: a throw-away one here.
  const configDir = mkdtempSync(join(tmpdir(), "porthole-build-"));
  const url = gateway.descriptionUrl;
  const portControl = `${gateway.portControlAddress.address}:${gateway.portControlAddress.port}`;
  const runs = [
    ["--help"],
    ["ip", "--gateway", url],
    ["map", "47001", "--gateway", url],
    ["list", "--gateway", url],
    ["unmap", "47001", "--gateway", url],
    ["map", "47002", "--protocol", "pcp", "--gateway-address", portControl],
    ["unmap", "47002", "--protocol", "pcp", "--gateway-address", portControl],
  ];
  try {
    for (const [index, args] of runs.entries()) {
      const { stderr } = await run(process.execPath, [launcher, ...args], { env: { ...process.env, PORTHOLE_WRITE_CODE_CACHE: "1", PORTHOLE_CONFIG_DIR: configDir } });
      const verdict = /^code cache: (\w+)/m.exec(stderr)?.[1];
      if (verdict !== (index === 0 ? "none" : "used")) throw new Error(`porthole ${args.join(" ")}: the code cache was ${verdict ?? "not reported"}:\n${stderr}`);
    }
  } finally {
    await gateway.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}
