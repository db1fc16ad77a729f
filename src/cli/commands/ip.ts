import { NoExternalAddressError } from "../../errors/errors.js";
import { addressScope } from "../../net/address-scope.js";
import { isUsableAddressScope } from "../../upnp/gateway/connection-status.js";
import type { Command } from "../command-context.js";
import { clientSettings, connectGateway } from "../connect.js";
import { externalAddressVerdict } from "../wording.js";

/** `porthole ip`: the gateway's external address, alone on stdout so scripts can capture it. */
export const ip: Command = async (context) => {
  const { terminal } = context;
  const settings = clientSettings(context);
  const gateway = await connectGateway(context, settings);
  // Connecting asked the gateway already (its status probe); ask again only when that gave nothing.
  const externalAddress = gateway.status?.externalAddress ?? (await gateway.getExternalAddress(settings.call));
  context.facts.externalAddress = externalAddress;
  // Nothing, 0.0.0.0, loopback, link-local or words: no address to give. Printing it with exit 0
  // would let `$(porthole ip)` pass for success.
  if (!isUsableAddressScope(addressScope(externalAddress))) throw new NoExternalAddressError(externalAddress);
  const { note } = externalAddressVerdict(externalAddress);
  if (note !== undefined) terminal.warn(note);
  if (terminal.json) terminal.printJson({ externalAddress });
  else terminal.print(externalAddress);
};
