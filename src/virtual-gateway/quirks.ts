/**
 * Misbehaviours of real gateways the virtual gateway can imitate, one named switch each. All are off
 * by default, which gives a standards-following IGD modelled on miniupnpd. Each switch names the
 * bug report or router it comes from. The IPv6 firewall is the exception: it answers as miniupnpd
 * 2.3.1 by default, quirks included, and two of its switches give the specification's answers
 * instead; its renewal bug is opt-in.
 */
export interface GatewayQuirks {
  // --- Discovery (SSDP) ---

  /**
   * Answer M-SEARCH from a second socket on an ephemeral port instead of the one the search was
   * sent to (tailscale#6833, #7377), so a client that filters replies on source port misses them.
   * @default false
   */
  replyFromEphemeralPort?: boolean;
  /**
   * Advertise every device and service as version 1 over SSDP while the description says IGD:2 /
   * WANIPConnection:2 (rust-igd#12). Only meaningful with `igdVersion: 2`.
   * @default false
   */
  announceIgd1ButDescribeIgd2?: boolean;
  /** Answer only searches for `upnp:rootdevice`. @default false */
  answerOnlyRootDevice?: boolean;
  /** Answer only searches for `ssdp:all`. @default false */
  answerOnlySsdpAll?: boolean;
  /** Never answer `ssdp:all` (Mono.Nat#17, tailscale#3557: `ssdp:all` finds only other devices). @default false */
  ignoreSsdpAll?: boolean;
  /** Send every SSDP reply twice, as gateways reachable on several interfaces do. @default false */
  duplicateReplies?: boolean;

  // --- Device description ---

  /**
   * Put `<URLBase>` after `<device>` (MikroTik, nicotine-plus#2955) and serve the description from
   * `/desc/rootDesc.xml`; combined with `controlUrlStyle: "relative-no-slash"` a client that resolves
   * URLs before reading the whole document (or ignores URLBase) gets 404s.
   * @default false
   */
  urlBaseAfterDevice?: boolean;
  /**
   * How SCPD, control and event URLs are written in the description: `"relative"` is `/ctl/IPConn`
   * (miniupnpd), `"relative-no-slash"` is `ctl/IPConn`, `"absolute"` is `http://host:port/ctl/IPConn`.
   * @default "relative"
   */
  controlUrlStyle?: "absolute" | "relative-no-slash" | "relative";
  /** Encode the description's friendly name in Latin-1 inside a UTF-8 document (aioupnp#7). @default false */
  invalidUtf8InDescription?: boolean;
  /**
   * Use the legacy `urn:dslforum-org` device and service types (TR-064 boxes) instead of
   * `urn:schemas-upnp-org`; everything is then version 1 and IGD searches by type go unanswered.
   * @default false
   */
  dslforumServiceNames?: boolean;

  // --- HTTP replies (description, SCPD and SOAP alike) ---

  /** Send every HTTP reply with `Transfer-Encoding: chunked` (BiPAC 7404VNOX, miniupnpc changelog). @default false */
  chunkedReplies?: boolean;
  /** Reply `HTTP/1.0` without `Content-Length`; the body ends when the connection closes. @default false */
  http10NoContentLength?: boolean;
  /** Send junk bytes after the end of the body (miniupnpc's `/addcrap` test server). @default false */
  trailingJunk?: boolean;
  /** Label replies `Content-Type: text/html` (nat-port-mapper lost routers by checking it). @default false */
  contentTypeHtml?: boolean;
  /**
   * Wait this long before every HTTP, SSDP, NAT-PMP and PCP reply. Pending replies are dropped on close.
   * @default 0
   */
  responseDelayMs?: number;

  // --- SOAP control ---

  /** Answer 402 when arguments are not in the order of the service description (rust-igd#48, upnpclient#5). @default false */
  requireArgumentOrder?: boolean;
  /**
   * Answer 402 "No <Name>" when any argument element is missing, even an optional one such as
   * `NewRemoteHost` (TP-Link CPE210, nat-puncher#5). Empty elements are accepted.
   * @default false
   */
  requireAllArguments?: boolean;
  /** Answer 402 unless `NewProtocol` is exactly "TCP" or "UDP" (TP-Link ER605, tailscale#7377). @default false */
  rejectLowercaseProtocol?: boolean;
  /** Refuse external ports below 1024 with 606, as miniupnpd's default permission rules do (tailscale#7377). @default false */
  rejectPortsBelow1024?: boolean;
  /**
   * Namespace prefixes of the reply envelope and of the action response element. Clients must ignore
   * prefixes: routers use `s:`, `SOAP-ENV:`, `u:`, `m:` and more.
   * @default { envelope: "s", action: "u" }
   */
  namespacePrefix?: { envelope?: string; action?: string };
  /**
   * Send GetListOfPortMappings' NewPortListing entity-escaped, as the specification's example does,
   * instead of in a CDATA section as miniupnpd does. miniupnpc cannot read the escaped form.
   * @default false
   */
  escapedPortListing?: boolean;
  /** GetStatusInfo always fails with 501 (TP-Link, godot#70458). @default false */
  getStatusInfoFails?: boolean;

  // --- Port mapping semantics ---

  /** Refuse any non-zero lease with 725 OnlyPermanentLeasesSupported (MikroTik, Netgear: tailscale#9343). @default false */
  onlyPermanentLeases?: boolean;
  /** Refuse any non-zero lease with 402 instead of 725 (ARRIS, tailscale#15223). @default false */
  rejectNonZeroLeaseWith402?: boolean;
  /** Refuse lease 0 (permanent) with 402 (net-tools#52). @default false */
  rejectZeroLeaseWith402?: boolean;
  /** Map only to the requesting client's own address, 606 otherwise (miniupnpd `secure_mode`). @default false */
  secureMode?: boolean;
  /** Accept AddPortMapping but keep nothing (DD-WRT, tailscale#18196). @default false */
  silentlyDropMappings?: boolean;
  /**
   * Most mappings the table holds; a full table refuses new ones with 728 NoPortMapsAvailable on
   * IGD:2 and 501 ActionFailed on IGD:1 (go-libp2p#3057). `undefined` means no limit.
   * @default undefined
   */
  tableLimit?: number;

  // --- NAT-PMP and PCP ---

  /** Shortest PCP lifetime granted; a shorter non-zero request gets this (miniupnpd `min_lifetime`). @default 120 */
  pcpMinLifetimeSeconds?: number;
  /** Longest PCP lifetime granted; a longer request gets this (miniupnpd `max_lifetime`). @default 86400 */
  pcpMaxLifetimeSeconds?: number;
  /**
   * Longest NAT-PMP lifetime granted (RFC 6886 §3.3 lets a gateway shorten it). miniupnpd grants
   * what is asked, even 3,600,000 s. `undefined` means no limit.
   * @default undefined
   */
  natPmpMaxLifetimeSeconds?: number;
  /**
   * Delete a PCP mapping whatever nonce the delete carries, as Tailscale's client assumed for years
   * (tailscale#1080, #21127). miniupnpd answers NOT_AUTHORIZED to a wrong nonce (RFC 6887 §11.1).
   * @default false
   */
  ignorePcpNonce?: boolean;
  /**
   * The epoch and GetStatusInfo's uptime count from the host's boot, not the daemon's start
   * (miniupnpd `system_uptime=yes`): `reboot()`, a daemon restart, empties the table but neither
   * goes back, so clients cannot tell their mappings are gone.
   * @default false
   */
  systemUptimeEpoch?: boolean;
  /**
   * Refuse a NAT-PMP mapping whose suggested external port is 0 ("any") with result 4, Out of
   * resources (MikroTik RouterOS logs "unable to allocate port for mapping *:0": tailscale#13785,
   * #11403; the result code it sends was not reported).
   * @default false
   */
  refuseNatPmpAnyPort?: boolean;
  /**
   * The WAN interface has a private or reserved address and no public one is configured, so the
   * gateway cannot forward (miniupnpd without `ext_ip`, measured): GetExternalIPAddress answers "",
   * AddPortMapping 501, NAT-PMP result 3 (also to the address request), PCP MAP NO_RESOURCES (8).
   * @default false
   */
  privateWanAddress?: boolean;

  // --- IPv6 firewall (WANIPv6FirewallControl:1 and PCP pinholes) ---

  /**
   * Answer 704 NoSuchEntry for a UniqueID the firewall does not hold, as WANIPv6FirewallControl:1
   * (section 2.5) says. miniupnpd 2.3.1 with nftables answers 402: its get_pinhole_info() reports
   * an unknown UniqueID as found with no address, which PinholeVerification() cannot read
   * (netfilter_nft/nftpinhole.c; measured, shared reference notes).
   * @default false (402, as miniupnpd 2.3.1)
   */
  answer704ForUnknownPinhole?: boolean;
  /**
   * Answer GetOutboundPinholeTimeout with this many seconds, as a firewall that implements the
   * optional action does (WANIPv6FirewallControl:1 section 2.5.2). miniupnpd 2.3.1 answers 501:
   * its upnp_check_outbound_pinhole() is a TODO (upnpsoap.c).
   * @default undefined (501, as miniupnpd 2.3.1)
   */
  outboundPinholeTimeoutSeconds?: number;
  /**
   * Most pinholes the firewall holds; a new one beyond is refused with 701 PinholeSpaceExhausted
   * (PCP: NO_RESOURCES), as when miniupnpd's add_pinhole() fails. `undefined` means no limit but
   * the 65,534 UniqueIDs.
   * @default undefined
   */
  pinholeLimit?: number;
  /**
   * miniupnpd 2.3.1's renewal bug: renewing a pinhole (UpdatePinhole, a repeated AddPinhole or a
   * PCP renewal) rewrites its rule without its description, so the PCP nonce is lost and a PCP
   * delete is NOT_AUTHORIZED ever after, even with the right nonce (nftpinhole.c update_pinhole(),
   * fixed in 2.3.6: shared reference notes).
   * @default false
   */
  pinholeRenewalLosesPcpNonce?: boolean;
}
