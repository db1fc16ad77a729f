/**
 * A virtual gateway in a worker thread, on the simulated clock of the managed-mapping benchmark
 * (a `Float64Array` on a SharedArrayBuffer that the main thread's manual clock writes), so the
 * main thread's CPU time and heap are the manager's alone. It counts the control requests it
 * answers, stamped with the simulated time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startVirtualGateway } from "../../src/index.js";
import { busiestWindow } from "../../test/unit/support/busiest-window.js";

/** What the worker tells the main thread. */
export type GatewayWorkerMessage =
  | { type: "started"; descriptionUrl: string }
  | { type: "report"; requests: number; busiest100ms: number; mappings: number };

const time = new Float64Array(workerData.clock as SharedArrayBuffer);
const stamps: number[] = [];
const gateway = await startVirtualGateway({
  now: () => time[0]!,
  onActivity: (activity) => {
    if (activity.type !== "control") return;
    stamps.push(time[0]!);
    // The gateway logs every request with its body; tens of thousands of them would be most of
    // the process's RSS and hide the manager's. Only the time stamps are needed here.
    (gateway.requests as unknown[]).length = 0;
  },
});
const port = parentPort!;
port.postMessage({ type: "started", descriptionUrl: gateway.descriptionUrl } satisfies GatewayWorkerMessage);
port.on("message", async (message: "report" | "close") => {
  if (message === "report") {
    port.postMessage({ type: "report", requests: stamps.length, busiest100ms: busiestWindow(stamps, 100), mappings: gateway.mappings.length } satisfies GatewayWorkerMessage);
    return;
  }
  await gateway.close();
  port.close();
});
