/** Result codes of RFC 6887 §7.4 the server answers with. */
export const pcpResults = {
  success: 0,
  unsuppVersion: 1,
  notAuthorized: 2,
  malformedRequest: 3,
  unsuppOpcode: 4,
  unsuppOption: 5,
  malformedOption: 6,
  networkFailure: 7,
  noResources: 8,
  unsuppProtocol: 9,
  cannotProvideExternal: 11,
  addressMismatch: 12,
} as const;
