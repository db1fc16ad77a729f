import { UpnpPortMapper } from "../../upnp/upnp-port-mapper.js";
import type { Command } from "../command-context.js";
import { connectMapper, mapperSettings } from "../connect-mapper.js";
import { externalAddressVerdict } from "../wording.js";

/**
 * `porthole ip`: the gateway's external address, alone on stdout so scripts can capture it. Any
 * protocol will do (`--protocol`); a gateway with no usable address (none, 0.0.0.0, loopback,
 * link-local, words) fails with `NoExternalAddressError`, so `$(porthole ip)` never passes for
 * success without one.
 */
export const ip: Command = async (context) => {
  const { terminal } = context;
  const settings = mapperSettings(context, { family: 4 });
  const mapper = await connectMapper(context, settings);
  // UPnP's status probe asked already while connecting: no second question (start-up, docs/benchmarks.md).
  const heard = mapper instanceof UpnpPortMapper ? mapper.connection.status?.externalAddress : undefined;
  const externalAddress = heard ?? (await mapper.getExternalAddress(settings.client.call));
  context.facts.externalAddress = externalAddress;
  const { note } = externalAddressVerdict(externalAddress);
  if (note !== undefined) terminal.warn(note);
  if (terminal.json) terminal.printJson({ externalAddress, method: mapper.method });
  else terminal.print(externalAddress);
};
