import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const probe = `
import { UPNP, UPNPDevice, UPNPResult, IGDStatus, findGateway, startVirtualGateway } from "porthole";
const upnp = new UPNP();
console.log(JSON.stringify({
  upnp: typeof upnp.discover, device: new UPNPDevice().igdStatus, conflict: UPNPResult.CONFLICT_WITH_OTHER_MAPPING,
  ok: IGDStatus.OK, find: typeof findGateway, virtual: typeof startVirtualGateway,
}));
`;
const expected = { upnp: "function", device: 9, conflict: 13, ok: 0, find: "function", virtual: "function" };

test('import from "porthole" works from the repository root (self-reference through exports)', async () => {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: repoRoot });
  assert.deepEqual(JSON.parse(stdout), expected);
});

test('import from "porthole" works in a project that installs the packed package', async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), "porthole-consumer-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const { stdout: packed } = await run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], { cwd: repoRoot });
  const tarball = path.join(work, packed.trim().split("\n").pop()!);
  const consumer = path.join(work, "consumer");
  await run("mkdir", ["-p", consumer]);
  await writeFile(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module" }));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: consumer });
  await writeFile(path.join(consumer, "probe.js"), probe);
  const { stdout } = await run(process.execPath, ["probe.js"], { cwd: consumer });
  assert.deepEqual(JSON.parse(stdout), expected);
});
