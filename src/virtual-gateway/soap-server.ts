import { UpnpActionError } from "../errors/errors.js";
import { ActionArguments } from "./action-arguments.js";
import type { ActionHandler, GatewayState } from "./action-context.js";
import { connectionHandlers } from "./connection-actions.js";
import type { ServiceModel } from "./device-model.js";
import { pinholeHandlers } from "./pinhole-actions.js";
import { portMappingHandlers } from "./port-mapping-actions.js";
import { parseSoapRequest, soapFault, soapResponse, type EnvelopePrefixes } from "./soap-envelope.js";
import { upnpFault } from "./upnp-faults.js";

/** One control request as the virtual gateway received it. */
export interface SoapRequestRecord {
  /** Action name from the SOAPAction header or the body; "" when neither named one. */
  readonly action: string;
  /** Service type the request named, if any. */
  readonly serviceType: string | undefined;
  /** Control URL path the request was posted to. */
  readonly controlPath: string;
  /** Argument elements in the order received. */
  readonly arguments: ReadonlyArray<readonly [name: string, value: string]>;
  /** The request body as received. */
  readonly body: string;
  /** Address the request came from. */
  readonly clientAddress: string;
}

export interface ControlRequest {
  readonly body: string;
  readonly soapAction: string | undefined;
  readonly clientAddress: string;
}

export interface ControlReply {
  readonly status: 200 | 500;
  readonly body: string;
}

const handlers: Readonly<Record<string, ActionHandler>> = { ...connectionHandlers, ...portMappingHandlers, ...pinholeHandlers };

/**
 * Answers one POST to a control URL. The action must be one the service offers (the table in
 * service-actions.ts), else 401 Invalid Action, as miniupnpd answers. The service type of the
 * request is not checked: clients send WANIPConnection:1 to :2 services and routers accept it.
 */
export function answerControlRequest(
  service: ServiceModel,
  request: ControlRequest,
  state: GatewayState,
  log: SoapRequestRecord[],
): ControlReply {
  const parsed = parseSoapRequest(request.body, request.soapAction);
  const action = parsed.action ?? "";
  log.push({
    action,
    serviceType: parsed.serviceType,
    controlPath: service.controlPath,
    arguments: parsed.arguments,
    body: request.body,
    clientAddress: request.clientAddress,
  });
  const prefixes: EnvelopePrefixes = {
    envelope: state.config.quirks.namespacePrefix?.envelope ?? "s",
    action: state.config.quirks.namespacePrefix?.action ?? "u",
  };
  const report = (upnpCode: number | undefined): void =>
    state.config.notify({ type: "control", action, arguments: parsed.arguments, clientAddress: request.clientAddress, upnpCode });
  try {
    const spec = service.actions.find((candidate) => candidate.name === action);
    const handler = handlers[action];
    if (!spec || !handler) throw upnpFault(action, 401);
    const args = new ActionArguments(spec, parsed.arguments, state.config.quirks);
    const outputs = handler({ args, clientAddress: request.clientAddress, state });
    const ordered = spec.outputs.map((name) => [name, outputs[name] ?? ""] as const);
    report(undefined);
    return { status: 200, body: soapResponse(action, service.serviceType, ordered, prefixes) };
  } catch (error) {
    const fault = error instanceof UpnpActionError ? error : upnpFault(action, 501, String(error));
    report(fault.upnpCode ?? 501);
    return { status: 500, body: soapFault(fault.upnpCode ?? 501, fault.upnpDescription, prefixes) };
  }
}
