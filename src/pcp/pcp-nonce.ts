import { createHmac, randomBytes } from "node:crypto";
import { InvalidArgumentError } from "../errors/errors.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { PCP_NONCE_BYTES } from "./pcp-messages.js";

/** What identifies a mapping to its PCP server (RFC 6887 §11.1), and so what its nonce belongs to. */
export interface PcpMappingIdentity {
  /** Our address toward the gateway: the mapping's internal address. */
  internalAddress: string;
  internalPort: number;
  protocol: TransportProtocol;
}

/** Gives the 12-byte nonce of a mapping: the same one every time for a mapping that should be renewable or deletable. */
export type PcpNonceSource = (identity: PcpMappingIdentity) => Uint8Array;

/** A fresh random nonce, as RFC 6887 §11.1 asks: unguessable by anyone else on the path. */
export function randomNonce(): Uint8Array {
  return Uint8Array.from(randomBytes(PCP_NONCE_BYTES));
}

/**
 * Nonces derived from a local secret: HMAC-SHA-256 of the mapping's identity, cut to 12 bytes.
 *
 * Why: a PCP server deletes a mapping only for a request that carries the nonce it was made with
 * (miniupnpd answers NOT_AUTHORIZED otherwise), so `porthole unmap` run as a later process must
 * find the nonce `porthole map` used. Deriving it needs no state file that could be lost or go
 * stale, and gives the same nonce to every process that holds the secret, for the same internal
 * address, port and protocol; without the secret the nonce stays unguessable, which is what the
 * nonce is for (RFC 6887 §11.1: no one else may take over or delete the mapping). A constant
 * nonce would let any program on the LAN delete porthole's mappings.
 */
export function derivedNonces(secret: Uint8Array | string): PcpNonceSource {
  if ((typeof secret !== "string" && !(secret instanceof Uint8Array)) || secret.length === 0) {
    throw new InvalidArgumentError("the secret of derived PCP nonces must be a non-empty string or Uint8Array");
  }
  return ({ internalAddress, internalPort, protocol }) =>
    Uint8Array.from(
      createHmac("sha256", secret)
        .update(`porthole PCP nonce\0${internalAddress.toLowerCase()}\0${internalPort}\0${protocol}`)
        .digest()
        .subarray(0, PCP_NONCE_BYTES),
    );
}
