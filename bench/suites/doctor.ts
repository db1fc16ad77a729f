/**
 * `porthole doctor` as a whole process (the shipped CLI, start-up and hairpin check included), on
 * the real miniupnpd in each of the router's set-ups the issue names: how long the whole diagnosis
 * takes (its budget is 3 s). It restarts the daemon for each set-up and leaves a default one
 * running for the suites after it.
 */
import { startMiniupnpd, type MiniupnpdOptions } from "../../test/gateway/rig.js";
import { repetitions, type BenchContext } from "../context.js";
import { cliPath, timeProcess } from "./processes.js";

export const doctorSubjects = {
  all: "porthole doctor: UPnP and NAT-PMP/PCP on",
  noUpnp: "porthole doctor: UPnP off",
  noPortControl: "porthole doctor: NAT-PMP/PCP off",
  doubleNat: "porthole doctor: private WAN address (double NAT)",
  nothing: "porthole doctor: nothing running",
} as const;

/** Each set-up: the daemon's options (none: no daemon) and the exit code doctor must give. */
const setups: ReadonlyArray<[string, MiniupnpdOptions | undefined, number]> = [
  [doctorSubjects.all, {}, 0],
  [doctorSubjects.noUpnp, { enableUpnp: false }, 0],
  [doctorSubjects.noPortControl, { enableNatpmp: false }, 0],
  [doctorSubjects.doubleNat, { extIp: null }, 1],
  [doctorSubjects.nothing, undefined, 3],
];

export async function measureDoctor(context: BenchContext): Promise<void> {
  const { rig, recorder } = context;
  try {
    for (const [subject, options, exitCode] of setups) {
      const daemon = options === undefined ? undefined : await startMiniupnpd(rig, options);
      try {
        const samples: number[] = [];
        for (let index = 0; index < repetitions.process; index++) {
          samples.push(await timeProcess(process.execPath, [cliPath, "doctor", "--interface", rig.lan.ifname], /\S/, exitCode));
        }
        recorder.record("doctor", subject, samples, "a process: every check at once, the test mapping made, read back and removed, the hairpin check");
      } finally {
        await daemon?.stop();
      }
    }
  } finally {
    await startMiniupnpd(rig);
  }
}
