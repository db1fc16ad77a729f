/**
 * One porthole call against a hostile peer, run as its own process by the hostile-* tests: it
 * prints how the call ended as one JSON line and then simply returns. If a socket or timer were
 * left behind the process would not exit, which the test notices; an unhandled rejection would
 * make it exit with an error.
 *
 *   node hostile-client.js description <url> <timeoutMs>
 *   node hostile-client.js soap <controlUrl> <timeoutMs>
 *   node hostile-client.js find <ssdpPort> <listenMs> <maxDevices>
 */
import { fetchDeviceDescription } from "../../src/upnp/description/fetch-description.js";
import { PortholeError, TimeoutError, HttpError } from "../../src/errors/errors.js";
import { findGateway } from "../../src/upnp/gateway/find-gateways.js";
import { soapCall } from "../../src/upnp/soap/soap-call.js";

/** How a call ended, as the tests read it. */
export interface ClientOutcome {
  outcome: "value" | "error";
  /** Error class name, e.g. "TimeoutError"; "value" when the call succeeded. */
  name: string;
  message: string;
  porthole: boolean;
  status?: number | undefined;
  timeoutMs?: number | undefined;
  /** `find`: LOCATIONs refused, and replies handed out by the search. */
  refused?: number;
  received?: number;
}

async function run(args: readonly string[]): Promise<unknown> {
  const [operation, target, first, second] = args;
  switch (operation) {
    case "description":
      return fetchDeviceDescription(target!, { timeoutMs: Number(first) });
    case "soap":
      return soapCall({ controlUrl: target!, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1", action: "GetExternalIPAddress", args: [], timeoutMs: Number(first) });
    case "find": {
      const counts = { refused: 0, received: 0 };
      try {
        await findGateway({
          multicast: false,
          unicastTargets: [{ address: "127.0.0.1", port: Number(target) }],
          timeoutMs: Number(first),
          maxDevices: Number(second),
          descriptionTimeoutMs: 1000,
          onTrace: (event) => {
            if (event.type === "location-refused") counts.refused++;
            if (event.type === "received") counts.received++;
          },
        });
      } catch (error) {
        throw Object.assign(error as Error, { counts });
      }
      return counts;
    }
    default:
      throw new Error(`unknown operation ${operation}`);
  }
}

function describe(error: unknown): ClientOutcome {
  const counts = (error as { counts?: { refused: number; received: number } }).counts;
  return {
    outcome: "error",
    name: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
    porthole: error instanceof PortholeError,
    status: error instanceof HttpError ? error.status : undefined,
    timeoutMs: error instanceof TimeoutError ? error.timeoutMs : undefined,
    ...counts,
  };
}

const args = process.argv.slice(2);
if (args.length > 0) {
  run(args).then(
    () => console.log(JSON.stringify({ outcome: "value", name: "value", message: "", porthole: false } satisfies ClientOutcome)),
    (error: unknown) => console.log(JSON.stringify(describe(error))),
  );
}
