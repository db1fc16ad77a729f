import type { RigTopology } from "./rig-topology.js";

/** How one miniupnpd of the rig is set up. */
export interface MiniupnpdOptions {
  /** 1 starts miniupnpd with `-1`, which makes its description announce IGDv1 services. @default 2 */
  igdVersion?: 1 | 2;
  /** `secure_mode`: a client may map ports only to its own address. @default false */
  secureMode?: boolean;
  /**
   * The external address miniupnpd reports (`ext_ip`). The WAN address of the rig is a reserved
   * test net, and miniupnpd refuses every mapping (501) while its external address is reserved, so
   * by default it is told a public-looking one; that address is only reported, never contacted.
   * `null` leaves `ext_ip` out: miniupnpd then sees its reserved WAN address and refuses to
   * forward, as behind a double NAT.
   * @default "11.22.33.44"
   */
  extIp?: string | null;
  /** `enable_upnp`: the IGD (SSDP, HTTP, SOAP). Off leaves only NAT-PMP and PCP. @default true */
  enableUpnp?: boolean;
  /** `enable_natpmp`: NAT-PMP and PCP on UDP 5351. @default true */
  enableNatpmp?: boolean;
  /**
   * Runs miniupnpd in the foreground with `-d` and keeps its log for error messages. It logs every
   * rule on every request, which makes calls slow with hundreds of mappings; without it miniupnpd
   * daemonizes and logs to syslog only. @default false
   */
  debug?: boolean;
  /** `http_port` of the IGD. @default 5000 */
  httpPort?: number;
  /** `lease_file`: where miniupnpd keeps its mappings across restarts. @default none */
  leaseFile?: string;
  /**
   * `uuid` of the device. A real router keeps its UUID across reboots; give the one of an earlier
   * daemon to play the same router coming back. @default a random UUID per start
   */
  uuid?: string;
  /** More config lines, appended as given (e.g. `"min_lifetime=120"`). @default [] */
  extraConfig?: readonly string[];
  /** How long to wait for miniupnpd to answer before giving up. @default 10000 */
  startTimeoutMs?: number;
}

export const defaultExternalAddress = "11.22.33.44";
export const defaultHttpPort = 5000;

/** The text of miniupnpd.conf for the rig's gateway. */
export function miniupnpdConfig(rig: RigTopology, options: MiniupnpdOptions, uuid: string): string {
  const extIp = options.extIp === undefined ? defaultExternalAddress : options.extIp;
  const lines = [
    `ext_ifname=${rig.gateway.wanIfname}`,
    `ext_ifname6=${rig.gateway.wanIfname}`,
    `listening_ip=${rig.gateway.lanIfname}`,
    `http_port=${options.httpPort ?? defaultHttpPort}`,
    ...(extIp === null ? [] : [`ext_ip=${extIp}`]),
    `enable_upnp=${yesNo(options.enableUpnp ?? true)}`,
    `enable_natpmp=${yesNo(options.enableNatpmp ?? true)}`,
    `secure_mode=${yesNo(options.secureMode ?? false)}`,
    `uuid=${uuid}`,
    ...(options.leaseFile === undefined ? [] : [`lease_file=${options.leaseFile}`]),
    ...(options.extraConfig ?? []),
    // Permission rules come last: miniupnpd reads them in order and the first match wins.
    "allow 1024-65535 0.0.0.0/0 1024-65535",
    "deny 0-65535 0.0.0.0/0 0-65535",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The nftables tables miniupnpd's nftables backend expects, with the firewall of a home router:
 * unsolicited IPv6 from the WAN side is dropped unless a pinhole (a rule miniupnpd adds to its
 * chain) lets it through. IPv4 needs no such rule: without a DNAT mapping nothing reaches the LAN.
 * The tables are loaded here because Debian's nft_init.sh sources a helper that is not shipped. The leading `table` + `delete table` pair makes the
 * load replace any earlier table in one transaction: miniupnpd leaves its rules behind when it
 * stops and adopts them as mappings when it starts, so a fresh table keeps tests independent.
 */
export const miniupnpdFirewallRuleset = `table inet filter
delete table inet filter
table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept
    jump miniupnpd
    iifname "wan0" meta nfproto ipv6 drop
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    jump postrouting_miniupnpd
  }
}
`;

function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}
