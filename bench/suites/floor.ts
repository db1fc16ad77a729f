/** The server's floor: bare M-SEARCH and bare SOAP POSTs, the same requests porthole sends. */
import { portBase, repetitions, type BenchContext } from "../context.js";
import { queueOperations } from "../operations.js";
import { postWithNodeHttp, prepareGet, prepareSoapRequest, sendRawOk, timeRawMSearch } from "../raw-client.js";
import { addRequest, deleteRequest, externalIpRequest } from "../raw-igd.js";
import { discoveryPause, repeat } from "../timing.js";

export const floorSubjects = {
  search: "floor: bare M-SEARCH, first reply",
  remembered: "floor: bare GET, then 2 bare POSTs in parallel",
  post: "floor: bare POST",
  nodeHttp: "node:http alone: http.request, same body",
  cycle: "floor: bare M-SEARCH + 3 bare POSTs",
} as const;

/** The search target of the bare M-SEARCH; miniupnpd answers every IGD target alike. */
const igdSearchTarget = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";

export async function measureFloor(context: BenchContext): Promise<void> {
  const { service, lanAddress, recorder } = context;
  const search = (): Promise<number> => timeRawMSearch(lanAddress, igdSearchTarget);
  const mapping = (port: number) => ({ port, protocol: "UDP" as const, internalClient: lanAddress });
  const add = (port: number) => sendRawOk(addRequest(service, mapping(port)));
  const externalIp = () => sendRawOk(externalIpRequest(service));
  const remove = (port: number) => sendRawOk(deleteRequest(service, port, "UDP"));

  recorder.record("discover-cold", floorSubjects.search, await repeat(repetitions.quick, search, discoveryPause), "one M-SEARCH (ST InternetGatewayDevice:1, MX 1) on a bare UDP socket");
  const description = prepareGet(context.daemon.descriptionUrl);
  const status = [prepareSoapRequest(service, "GetStatusInfo", []), externalIpRequest(service)];
  const remembered = async (): Promise<void> => {
    await sendRawOk(description);
    await Promise.all(status.map(sendRawOk));
  };
  recorder.record("discover-remembered", floorSubjects.remembered, await repeat(repetitions.quick, remembered), "the requests gatewayFromUrl makes: description, then GetStatusInfo + GetExternalIPAddress");
  queueOperations(
    context,
    {
      add: [{ subject: floorSubjects.post, run: add, note: "AddPortMapping, prepared bytes on a fresh TCP connection" }],
      externalIp: { subject: floorSubjects.post, run: externalIp, note: "GetExternalIPAddress" },
      delete: { subject: floorSubjects.post, run: remove, note: "DeletePortMapping" },
    },
    portBase.floor,
  );
  const nodeHttp = async (): Promise<void> => {
    const status = await postWithNodeHttp(service, "GetExternalIPAddress", []);
    if (status !== 200) throw new Error(`GetExternalIPAddress through node:http answered ${status}`);
  };
  recorder.record("external-ip", floorSubjects.nodeHttp, await repeat(repetitions.quick, nodeHttp), "no porthole code: how much node:http adds to the bare POST");
  const cycle = async (index: number): Promise<void> => {
    const port = portBase.floor + 500 + index;
    await search();
    await add(port);
    await externalIp();
    await remove(port);
  };
  recorder.record("cycle", floorSubjects.cycle, await repeat(repetitions.quick, cycle, discoveryPause));
}
