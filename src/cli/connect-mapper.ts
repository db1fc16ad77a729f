import { InvalidArgumentError } from "../errors/errors.js";
import type { FindPortMapperOptions, ProtocolChoice } from "../discovery/port-mapper-attempts.js";
import { findPortMapper } from "../discovery/find-port-mapper.js";
import { methodName } from "../mapping/method-names.js";
import type { PortMapper } from "../mapping/port-mapper.js";
import { UpnpPortMapper } from "../upnp/upnp-port-mapper.js";
import type { PcpNonceSource } from "../pcp/pcp-nonce.js";
import { maxTimeoutMs } from "../util/check-arguments.js";
import { parseGatewayAddress, parseProtocolChoice } from "./argument-checks.js";
import type { CommandContext } from "./command-context.js";
import { clientSettings, explainRefusedReplies, type ClientSettings } from "./connect.js";

/**
 * How a command finds its gateway's port mapper (`findPortMapper`), from the common options and
 * `--protocol`, checked before any traffic:
 * - `--gateway URL` and `--ssdp-target` say where a UPnP gateway is. With them, `auto` asks
 *   NAT-PMP and PCP only where `--gateway-address` says: never at a default gateway nobody named.
 * - `--gateway-address ADDR[:PORT]` says where NAT-PMP and PCP are asked (default: the default
 *   gateway, port 5351).
 * - Naming a protocol's place under another protocol is a usage error, not silently ignored.
 */
export interface MapperSettings {
  /** The protocol asked after the options above: `auto` may have become `upnp`. */
  readonly protocol: ProtocolChoice;
  /** The options of `findPortMapper`, without signal or nonces. */
  readonly find: FindPortMapperOptions;
  readonly client: ClientSettings;
}

export interface MapperNeeds {
  /** 4: port mappings; 6: IPv6 pinholes. */
  readonly family: 4 | 6;
  /**
   * `--internal-client`: a mapping for another host, which only UPnP can make (NAT-PMP and PCP map
   * for the host that asks), so `auto` means UPnP and NAT-PMP or PCP is a usage error.
   */
  readonly internalClient?: string | undefined;
}

/** The protocol the command speaks, after what the options say; throws a usage error for a contradiction. */
function effectiveProtocol(context: CommandContext, needs: MapperNeeds): ProtocolChoice {
  const { values } = context.line;
  const chosen = values.protocol === undefined ? "auto" : parseProtocolChoice(values.protocol);
  const namesUpnpGateway = values.gateway !== undefined || values["ssdp-target"] !== undefined;
  const namesPortControl = values["gateway-address"] !== undefined;
  if (chosen === "pcp" || chosen === "natpmp") {
    const name = methodName(chosen);
    if (namesUpnpGateway) throw new InvalidArgumentError(`--gateway and --ssdp-target find a UPnP gateway; to name where ${name} is asked, give --gateway-address ADDR`);
    if (needs.internalClient !== undefined) throw new InvalidArgumentError(`--internal-client works only with UPnP: ${name} maps ports for the host that asks`);
    if (chosen === "natpmp" && needs.family === 6) throw new InvalidArgumentError("NAT-PMP has no IPv6: with --ipv6 use --protocol pcp, upnp or auto");
    return chosen;
  }
  if (chosen === "upnp" || needs.internalClient !== undefined) {
    if (namesPortControl) {
      throw new InvalidArgumentError(
        `--gateway-address is where NAT-PMP and PCP are asked; ${chosen === "upnp" ? "with --protocol upnp" : "--internal-client works only with UPnP, so"} name the gateway with --gateway URL or --ssdp-target`,
      );
    }
    return "upnp";
  }
  return namesUpnpGateway && !namesPortControl ? "upnp" : "auto";
}

export function mapperSettings(context: CommandContext, needs: MapperNeeds): MapperSettings {
  const protocol = effectiveProtocol(context, needs);
  const client = clientSettings(context);
  const portControl = context.line.values["gateway-address"] === undefined ? undefined : parseGatewayAddress(context.line.values["gateway-address"]);
  const { signal: _signal, timeoutMs: _timeoutMs, ...search } = client.search;
  const gatewayPort = portControl?.port;
  return {
    protocol,
    client,
    find: {
      protocol,
      family: needs.family,
      gatewayUrl: client.gatewayUrl,
      gatewayAddress: portControl?.address,
      upnp: search,
      natPmp: { gatewayPort },
      pcp: { gatewayPort },
      ...(needs.internalClient === undefined ? {} : needs.family === 6 ? { upnpPinhole: { internalAddress: needs.internalClient } } : { upnpMapper: { internalClient: needs.internalClient } }),
      // The command's signal carries its budget (--timeout): no limit of the search's own.
      timeoutMs: maxTimeoutMs,
    },
  };
}

/** The gateway's best port mapper by the settings; records where it is for the hint if something fails. */
export async function connectMapper(context: CommandContext, settings: MapperSettings, nonceFor?: PcpNonceSource): Promise<PortMapper> {
  const { terminal, facts } = context;
  facts.gatewayUrl = settings.client.gatewayUrl;
  facts.protocol = settings.protocol;
  const find = { ...settings.find, pcp: { ...settings.find.pcp, nonceFor }, signal: context.signal };
  let mapper: PortMapper;
  try {
    mapper = await terminal.withSpinner("Looking for the gateway…", () => findPortMapper(find));
  } catch (error) {
    throw explainRefusedReplies(error, facts);
  }
  terminal.trace(`using ${methodName(mapper.method)} at ${mapper.gatewayAddress}`);
  // UPnP's status, heard while connecting, makes the hints of its refusals precise (501 behind double NAT).
  if (mapper instanceof UpnpPortMapper && mapper.connection.status) facts.externalAddress = mapper.connection.status.externalAddress ?? "";
  return mapper;
}
