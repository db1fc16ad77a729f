import { escapeXmlText } from "../xml/parse-xml.js";
import type { ActionContext, ActionHandler } from "./action-context.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { lowestUnprivilegedPort, permittedExternalPort } from "./permission-rules.js";
import type { MappingTableEntry } from "./port-mapping-table.js";
import { upnpFault } from "./upnp-faults.js";

/** Longest lease IGD:2 grants, and what it turns lease 0 into (miniupnpd, WANIPConnection:2 2.3.16). */
const maxV2LeaseSeconds = 604800;

/** Reads and checks the eight AddPortMapping / AddAnyPortMapping arguments, in miniupnpd's order. */
function requestedMapping(context: ActionContext, action: string): MappingTableEntry {
  const { args, state, clientAddress } = context;
  const { quirks } = state.config;
  const v2 = state.model.connectionVersion >= 2;
  const internalPort = args.port("NewInternalPort");
  if (internalPort === 0) throw upnpFault(action, v2 ? 732 : 402);
  const mapping = {
    remoteHost: args.optional("NewRemoteHost") ?? "",
    externalPort: args.port("NewExternalPort"),
    protocol: args.protocol(),
    internalPort,
    internalClient: args.hostAddress("NewInternalClient"),
    enabled: args.boolean("NewEnabled", true),
    description: args.optional("NewPortMappingDescription") ?? "",
    leaseSeconds: grantedLease(context, action, args.unsigned("NewLeaseDuration", 0xffffffff, 0)),
    expiresAt: undefined,
  };
  if (quirks.secureMode && mapping.internalClient !== clientAddress) throw upnpFault(action, 606);
  return { ...mapping, expiresAt: state.table.expiryFor(mapping.leaseSeconds) };
}

function grantedLease(context: ActionContext, action: string, requested: number): number {
  const { quirks } = context.state.config;
  if (requested === 0 && quirks.rejectZeroLeaseWith402) throw upnpFault(action, 402);
  if (requested !== 0 && quirks.onlyPermanentLeases) throw upnpFault(action, 725);
  if (requested !== 0 && quirks.rejectNonZeroLeaseWith402) throw upnpFault(action, 402);
  if (context.state.model.connectionVersion < 2) return requested;
  return requested === 0 || requested > maxV2LeaseSeconds ? maxV2LeaseSeconds : requested;
}

/** May `mapping` take `externalPort`: free, or already held by the same internal client. */
function portAvailable(context: ActionContext, externalPort: number, mapping: MappingTableEntry): boolean {
  const holder = context.state.table.find(externalPort, mapping.protocol);
  return holder === undefined || holder.internalClient === mapping.internalClient;
}

function store(context: ActionContext, action: string, mapping: MappingTableEntry): void {
  const { table, config, model } = context.state;
  const limit = config.quirks.tableLimit;
  // miniupnpd with a private WAN address and no ext_ip refuses every redirect (measured: 501).
  if (config.quirks.privateWanAddress) throw upnpFault(action, 501);
  const isNew = table.find(mapping.externalPort, mapping.protocol) === undefined;
  if (isNew && limit !== undefined && table.size >= limit) {
    throw upnpFault(action, model.connectionVersion >= 2 ? 728 : 501);
  }
  // DD-WRT (tailscale#18196) reports success and keeps nothing.
  if (!config.quirks.silentlyDropMappings) table.put(mapping);
}

const addPortMapping: ActionHandler = (context) => {
  const mapping = requestedMapping(context, "AddPortMapping");
  if (mapping.externalPort === 0) throw upnpFault("AddPortMapping", 716);
  if (!permittedExternalPort(context.state, mapping.externalPort)) throw upnpFault("AddPortMapping", 606);
  if (!portAvailable(context, mapping.externalPort, mapping)) throw upnpFault("AddPortMapping", 718);
  store(context, "AddPortMapping", mapping);
  return {};
};

/** Like miniupnpd: the requested port if it can be had, else the next free one upwards, wrapping. */
const addAnyPortMapping: ActionHandler = (context) => {
  const mapping = requestedMapping(context, "AddAnyPortMapping");
  const lowest = context.state.config.quirks.rejectPortsBelow1024 ? lowestUnprivilegedPort : 1;
  const first = mapping.externalPort === 0 ? lowestUnprivilegedPort : Math.max(mapping.externalPort, lowest);
  const span = 65536 - lowest;
  for (let step = 0; step < span; step++) {
    const candidate = lowest + ((first - lowest + step) % span);
    if (portAvailable(context, candidate, mapping)) {
      store(context, "AddAnyPortMapping", { ...mapping, externalPort: candidate });
      return { NewReservedPort: String(candidate) };
    }
  }
  throw upnpFault("AddAnyPortMapping", 728);
};

function existingMapping(context: ActionContext, action: string): MappingTableEntry {
  const { args, state } = context;
  const found = state.table.find(args.port("NewExternalPort"), args.protocol());
  if (!found) throw upnpFault(action, 714);
  return found;
}

const deletePortMapping: ActionHandler = (context) => {
  const mapping = existingMapping(context, "DeletePortMapping");
  if (context.state.config.quirks.secureMode && mapping.internalClient !== context.clientAddress) {
    throw upnpFault("DeletePortMapping", 606);
  }
  context.state.table.delete(mapping.externalPort, mapping.protocol);
  return {};
};

function entryOutputs(context: ActionContext, mapping: MappingTableEntry): Record<string, string> {
  return {
    NewRemoteHost: mapping.remoteHost,
    NewExternalPort: String(mapping.externalPort),
    NewProtocol: mapping.protocol,
    NewInternalPort: String(mapping.internalPort),
    NewInternalClient: mapping.internalClient,
    NewEnabled: mapping.enabled ? "1" : "0",
    NewPortMappingDescription: mapping.description,
    NewLeaseDuration: String(context.state.table.remainingLease(mapping)),
  };
}

const getSpecificPortMappingEntry: ActionHandler = (context) =>
  entryOutputs(context, existingMapping(context, "GetSpecificPortMappingEntry"));

const getGenericPortMappingEntry: ActionHandler = (context) => {
  const index = context.args.unsigned("NewPortMappingIndex", 65535);
  const mapping = context.state.table.entries()[index];
  if (!mapping) throw upnpFault("GetGenericPortMappingEntry", 713);
  return entryOutputs(context, mapping);
};

/** Mappings in [NewStartPort, NewEndPort] for NewProtocol, only the caller's unless NewManage (WANIPConnection:2 2.5.20). */
function mappingsInRange(context: ActionContext, action: string): MappingTableEntry[] {
  const { args, state, clientAddress } = context;
  const start = args.port("NewStartPort");
  const end = args.port("NewEndPort");
  const protocol: TransportProtocol = args.protocol();
  const manage = args.boolean("NewManage");
  if (start > end) throw upnpFault(action, 733);
  const found = state.table
    .entries()
    .filter(
      (mapping) =>
        mapping.protocol === protocol &&
        mapping.externalPort >= start &&
        mapping.externalPort <= end &&
        ((manage && !state.config.quirks.secureMode) || mapping.internalClient === clientAddress),
    )
    .sort((a, b) => a.externalPort - b.externalPort);
  if (found.length === 0) throw upnpFault(action, 730);
  return found;
}

const deletePortMappingRange: ActionHandler = (context) => {
  for (const mapping of mappingsInRange(context, "DeletePortMappingRange")) {
    context.state.table.delete(mapping.externalPort, mapping.protocol);
  }
  return {};
};

const listingNamespace = "urn:schemas-upnp-org:gw:WANIPConnection";

/**
 * NewPortListing is an XML document of its own (WANIPConnection:2 2.3.21). miniupnpd sends it in a
 * CDATA section, and miniupnpc decodes nothing else (its XML reader leaves entities alone); the
 * `escapedPortListing` quirk sends it entity-escaped instead, as the specification's example does.
 */
const getListOfPortMappings: ActionHandler = (context) => {
  const found = mappingsInRange(context, "GetListOfPortMappings");
  const wanted = context.args.unsigned("NewNumberOfPorts", 65535);
  const listed = wanted === 0 ? found : found.slice(0, wanted);
  const entries = listed.map((mapping) => {
    const outputs = entryOutputs(context, mapping);
    const field = (name: string, value: string | undefined): string =>
      `<p:${name}>${escapeXmlText(value ?? "")}</p:${name}>`;
    return (
      "<p:PortMappingEntry>" +
      ["NewRemoteHost", "NewExternalPort", "NewProtocol", "NewInternalPort", "NewInternalClient", "NewEnabled"]
        .map((name) => field(name, outputs[name]))
        .join("") +
      field("NewDescription", outputs.NewPortMappingDescription) +
      field("NewLeaseTime", outputs.NewLeaseDuration) +
      "</p:PortMappingEntry>"
    );
  });
  const listing =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<p:PortMappingList xmlns:p="${listingNamespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xsi:schemaLocation="${listingNamespace} http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd">` +
    entries.join("") +
    "</p:PortMappingList>";
  return { NewPortListing: context.state.config.quirks.escapedPortListing ? listing : { cdata: listing } };
};

export const portMappingHandlers: Readonly<Record<string, ActionHandler>> = {
  AddPortMapping: addPortMapping,
  AddAnyPortMapping: addAnyPortMapping,
  DeletePortMapping: deletePortMapping,
  DeletePortMappingRange: deletePortMappingRange,
  GetSpecificPortMappingEntry: getSpecificPortMappingEntry,
  GetGenericPortMappingEntry: getGenericPortMappingEntry,
  GetListOfPortMappings: getListOfPortMappings,
};
