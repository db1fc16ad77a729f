import { runCommand, type CommandResult, type RunCommandOptions } from "./run-command.js";
import type { RigTopology } from "./rig-topology.js";

/** Runs a command on the LAN host. The tests already run there, so this is a plain spawn. */
export function runInLan(command: string, args: readonly string[], options?: RunCommandOptions): Promise<CommandResult> {
  return runCommand(command, args, options);
}

/** Runs a command inside another namespace of the rig (the gateway or the ISP host). */
export function runInNamespace(namespace: string, command: string, args: readonly string[], options?: RunCommandOptions): Promise<CommandResult> {
  return runCommand("ip", ["netns", "exec", namespace, command, ...args], options);
}

/**
 * Runs the reference client `upnpc` on the LAN host and returns what it printed on stdout. It runs
 * in the rig's LAN namespace explicitly, so its SSDP multicast can never reach a real network,
 * whichever process calls this. upnpc exits with 0 after many failures: read its output.
 */
export async function upnpc(rig: RigTopology, args: readonly string[], options?: RunCommandOptions): Promise<string> {
  const result = await runInNamespace(rig.lan.namespace, "upnpc", args, options);
  if (result.timedOut) throw new Error(`upnpc ${args.join(" ")} timed out: ${result.stdout}${result.stderr}`);
  return result.stdout;
}
