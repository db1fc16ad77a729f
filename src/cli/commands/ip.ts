import { NoExternalAddressError } from "../../index.js";
import type { Command } from "../command-context.js";
import { clientSettings, connectGateway } from "../connect.js";
import { doubleNatNote } from "../wording.js";

/** `porthole ip`: the gateway's external address, alone on stdout so scripts can capture it. */
export const ip: Command = async (context) => {
  const { terminal, signal } = context;
  const settings = clientSettings(context.line.values, terminal);
  const gateway = await connectGateway(context, settings);
  const externalAddress = await gateway.getExternalAddress({ signal, timeoutMs: settings.timeoutMs });
  context.facts.externalAddress = externalAddress;
  if (externalAddress === "") {
    // An empty answer is no address; printing nothing would let `$(porthole ip)` pass for success.
    throw new NoExternalAddressError(externalAddress);
  }
  const note = doubleNatNote(externalAddress);
  if (note !== undefined) terminal.warn(note);
  if (terminal.json) terminal.printJson({ externalAddress });
  else terminal.print(externalAddress);
};
