import { access, rm, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { runCommand } from "./run-command.js";

/** What the rig needs: the daemon with its nftables backend, and the reference clients. */
export const rigPackages = ["miniupnpd", "miniupnpd-nftables", "nftables", "miniupnpc", "natpmpc"] as const;

/** The installed state of each package, asked of dpkg. */
export async function missingPackages(names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    const result = await runCommand("dpkg-query", ["-W", "-f=${db:Status-Status}", name]);
    if (result.code !== 0 || result.stdout.trim() !== "installed") missing.push(name);
  }
  return missing;
}

const policyRcPath = "/usr/sbin/policy-rc.d";

/**
 * Installs the packages that are missing (as root, with apt). While apt runs, a `policy-rc.d` that
 * answers 101 keeps the package scripts from starting the miniupnpd service: started from its
 * stock config, it would listen on the machine's real network.
 */
export async function installMissingPackages(names: readonly string[]): Promise<void> {
  const missing = await missingPackages(names);
  if (missing.length === 0) return;
  console.log(`gateway rig: installing ${missing.join(" ")}`);
  const ownPolicy = !(await exists(policyRcPath));
  if (ownPolicy) await writeFile(policyRcPath, "#!/bin/sh\n# Written by porthole's gateway test rig while apt runs.\nexit 101\n", { mode: 0o755 });
  try {
    await aptGet(["update"]);
    await aptGet(["install", "-y", "--no-install-recommends", ...missing]);
  } finally {
    if (ownPolicy) await rm(policyRcPath, { force: true });
  }
  const stillMissing = await missingPackages(names);
  if (stillMissing.length > 0) throw new Error(`apt-get did not install: ${stillMissing.join(" ")}`);
}

const aptTimeoutMs = 10 * 60_000;

/** apt-get with its output shown, so a CI log says what went wrong. */
function aptGet(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("apt-get", args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), aptTimeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`apt-get ${args.join(" ")} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
