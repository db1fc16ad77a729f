import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { httpRequest } from "../../src/http/http-request.js";
import { delay } from "../../src/util/deadline.js";
import { miniupnpdConfig, miniupnpdFirewallRuleset, defaultHttpPort, type MiniupnpdOptions } from "./miniupnpd-config.js";
import { isRunning, stopProcess, stopProcessesInNamespace } from "./processes.js";
import { runChecked, runCommand } from "./run-command.js";
import type { RigTopology } from "./rig-topology.js";

/** A miniupnpd running in the rig's gateway namespace. */
export interface RunningMiniupnpd {
  /** `http://192.0.2.1:<port>/rootDesc.xml` */
  readonly descriptionUrl: string;
  readonly httpPort: number;
  readonly pid: number;
  readonly configPath: string;
  /** What miniupnpd wrote on stdout/stderr: everything with `debug`, only startup errors without. */
  readLog(): Promise<string>;
  /** Stops the daemon and waits until it is gone (its ports are free again). Safe to call twice. */
  stop(): Promise<void>;
}

const defaultStartTimeoutMs = 10_000;

/**
 * Starts miniupnpd on the rig's gateway and resolves once it answers. The gateway runs one daemon
 * at a time: a daemon left over by an earlier test (one that failed before `stop()`) is stopped
 * first, and the firewall tables are loaded fresh, so no mapping leaks from one test to the next.
 */
export async function startMiniupnpd(rig: RigTopology, options: MiniupnpdOptions = {}): Promise<RunningMiniupnpd> {
  const namespace = rig.gateway.namespace;
  const httpPort = options.httpPort ?? defaultHttpPort;
  await stopProcessesInNamespace(namespace);
  await runChecked("ip", ["netns", "exec", namespace, "nft", "-f", "-"], { input: miniupnpdFirewallRuleset });

  const directory = await mkdtemp(join(rig.workDir, "miniupnpd-"));
  const configPath = join(directory, "miniupnpd.conf");
  const pidPath = join(directory, "miniupnpd.pid");
  const logPath = join(directory, "miniupnpd.log");
  await writeFile(configPath, miniupnpdConfig(rig, options, options.uuid ?? randomUUID()));
  const args = ["-f", configPath, "-P", pidPath, ...(options.igdVersion === 1 ? ["-1"] : []), ...(options.debug === true ? ["-d"] : [])];
  const readLog = (): Promise<string> => readFile(logPath, "utf8").catch(() => "");
  const deadlineAt = Date.now() + (options.startTimeoutMs ?? defaultStartTimeoutMs);

  const descriptionUrl = `http://${rig.gateway.lanIpv4}:${httpPort}/rootDesc.xml`;
  const failed = async (why: string): Promise<never> => {
    const log = (await readLog()).trim().split("\n").slice(-30).join("\n");
    throw new Error(`miniupnpd did not start (${why}), config ${configPath}; its output:\n${log || "(none; start it with debug: true to see its log)"}`);
  };

  const pid = await launch(namespace, args, logPath, options.debug === true ? undefined : pidPath, deadlineAt);
  if (pid === undefined) return failed("it exited or wrote no pid file");
  try {
    await waitUntilAnswering(pid, deadlineAt, () => isReady(rig, options, descriptionUrl));
  } catch (error) {
    await stopProcess(pid);
    return failed((error as Error).message);
  }
  return { descriptionUrl, httpPort, pid, configPath, readLog, stop: () => stopProcess(pid) };
}

/**
 * Spawns miniupnpd with its output going to a file, so nothing needs draining and the log is still
 * there when it dies. In the foreground (`-d`) its pid is the child's; daemonized, the launcher
 * exits after forking and the daemon's pid is read from the pid file. Undefined when it failed.
 */
async function launch(namespace: string, args: readonly string[], logPath: string, pidPath: string | undefined, deadlineAt: number): Promise<number | undefined> {
  const log = await open(logPath, "a");
  try {
    const child = spawn("ip", ["netns", "exec", namespace, "miniupnpd", ...args], { stdio: ["ignore", log.fd, log.fd] });
    const exited = new Promise<number | null>((resolve) => {
      child.once("error", () => resolve(null));
      child.once("exit", (code) => resolve(code));
    });
    if (pidPath === undefined) {
      // A foreground daemon a test forgot to stop must not keep the test process alive; the
      // runner's teardown kills it.
      child.unref();
      return child.pid;
    }
    if ((await exited) !== 0) return undefined;
    return await readPidFile(pidPath, deadlineAt);
  } finally {
    await log.close();
  }
}

async function readPidFile(pidPath: string, deadlineAt: number): Promise<number | undefined> {
  while (Date.now() < deadlineAt) {
    const text = await readFile(pidPath, "utf8").catch(() => "");
    if (/^\d+\s*$/.test(text)) return Number(text);
    await delay(20);
  }
  return undefined;
}

async function waitUntilAnswering(pid: number, deadlineAt: number, ready: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (!(await isRunning(pid))) throw new Error("it exited");
    if (await ready()) return;
    if (Date.now() >= deadlineAt) throw new Error("no answer before the start timeout");
    await delay(25);
  }
}

/** Ready means: the description is served, or (UPnP off) the NAT-PMP/PCP port is bound. */
async function isReady(rig: RigTopology, options: MiniupnpdOptions, descriptionUrl: string): Promise<boolean> {
  if (options.enableUpnp ?? true) {
    try {
      const response = await httpRequest({ method: "GET", url: descriptionUrl, signal: AbortSignal.timeout(1_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }
  if (options.enableNatpmp ?? true) {
    const sockets = await runCommand("ip", ["netns", "exec", rig.gateway.namespace, "ss", "-H", "-l", "-u", "-n", "sport = :5351"]);
    return sockets.stdout.trim() !== "";
  }
  return true;
}
