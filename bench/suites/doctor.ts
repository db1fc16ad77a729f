/**
 * `porthole doctor` as a library call, on the real miniupnpd in each of the router's set-ups the
 * issue names: how long the whole diagnosis takes (its budget is 3 s). It restarts the daemon for
 * each set-up and leaves a default one running for the suites after it.
 */
import { diagnose } from "../../src/index.js";
import { startMiniupnpd, type MiniupnpdOptions } from "../../test/gateway/rig.js";
import { repetitions, type BenchContext } from "../context.js";
import { repeat } from "../timing.js";

export const doctorSubjects = {
  all: "porthole diagnose(): UPnP and NAT-PMP/PCP on",
  noUpnp: "porthole diagnose(): UPnP off",
  noPortControl: "porthole diagnose(): NAT-PMP/PCP off",
  doubleNat: "porthole diagnose(): private WAN address (double NAT)",
  nothing: "porthole diagnose(): nothing running",
} as const;

const setups: ReadonlyArray<[string, MiniupnpdOptions | undefined]> = [
  [doctorSubjects.all, {}],
  [doctorSubjects.noUpnp, { enableUpnp: false }],
  [doctorSubjects.noPortControl, { enableNatpmp: false }],
  [doctorSubjects.doubleNat, { extIp: null }],
  [doctorSubjects.nothing, undefined],
];

export async function measureDoctor(context: BenchContext): Promise<void> {
  const { rig, recorder } = context;
  try {
    for (const [subject, options] of setups) {
      const daemon = options === undefined ? undefined : await startMiniupnpd(rig, options);
      try {
        const run = (): Promise<unknown> => diagnose({ upnp: { multicastInterface: rig.lan.ifname }, checkHairpin: false });
        recorder.record("doctor", subject, await repeat(repetitions.process, run, { warmup: 1 }), "every check at once, the test mapping made, read back and removed");
      } finally {
        await daemon?.stop();
      }
    }
  } finally {
    await startMiniupnpd(rig);
  }
}
