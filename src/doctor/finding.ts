/**
 * One thing the diagnosis found. `id` is stable (scripts read it from `--json`); `title` says what
 * was found in a line; `fix`, for a problem, what to do about it in one or two sentences.
 */
export interface Finding {
  id: FindingId;
  /** `problem`: it stops ports from being opened or reached; `warning`: it may; `info`: worth knowing. */
  severity: "problem" | "warning" | "info";
  title: string;
  fix?: string | undefined;
}

/** Every finding the diagnosis can report; documented in docs/doctor.md. */
export type FindingId =
  | "no-default-route"
  | "vpn-default-route"
  | "direct-internet-link"
  | "docker"
  | "wsl2-nat"
  | "wsl2-mirrored"
  | "several-interfaces"
  | "no-multicast-route"
  | "upnp-refused"
  | "upnp-silent"
  | "upnp-unicast-only"
  | "pmp-pcp-refused"
  | "pmp-pcp-silent"
  | "gateway-not-connected"
  | "external-address-private"
  | "external-address-cgnat"
  | "external-address-reserved"
  | "external-address-none"
  | "external-address-unknown"
  | "external-address-invalid"
  | "test-mapping-refused"
  | "test-mapping-dropped"
  | "test-mapping-failed"
  | "test-mapping-not-removed"
  | "hairpin-works"
  | "hairpin-inconclusive";
