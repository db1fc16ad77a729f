import { readFile } from "node:fs/promises";
import os from "node:os";
import { runCommand } from "../test/gateway/run-command.js";

/** Where and with what the numbers were taken. */
export interface Machine {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly kernel: string;
  readonly miniupnpd: string;
  readonly miniupnpc: string;
  readonly natPortMapper: string;
  /** 1-minute load average when the run started: other work on the machine makes the numbers noisier. */
  readonly loadAverage: number;
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const result = await runCommand(command, args);
    return `${result.stdout}${result.stderr}`.trim().split("\n")[0] ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function packageVersion(name: string): Promise<string> {
  const path = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return ((JSON.parse(await readFile(path, "utf8")) as { version?: string }).version) ?? "unknown";
}

export async function describeMachine(): Promise<Machine> {
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    miniupnpd: await firstLine("miniupnpd", ["--version"]),
    miniupnpc: `miniupnpc ${await firstLine("dpkg-query", ["-W", "-f=${Version}", "miniupnpc"])}`,
    natPortMapper: `@achingbrain/nat-port-mapper ${await packageVersion("@achingbrain/nat-port-mapper")}`,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
