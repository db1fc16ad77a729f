/**
 * Result codes of the Redot/Godot `UPNP` class, with the engine's exact names and values.
 * See docs/compatibility.md for where porthole returns a different code than the engine would.
 */
export enum UPNPResult {
  SUCCESS = 0,
  NOT_AUTHORIZED = 1,
  PORT_MAPPING_NOT_FOUND = 2,
  INCONSISTENT_PARAMETERS = 3,
  NO_SUCH_ENTRY_IN_ARRAY = 4,
  ACTION_FAILED = 5,
  SRC_IP_WILDCARD_NOT_PERMITTED = 6,
  EXT_PORT_WILDCARD_NOT_PERMITTED = 7,
  INT_PORT_WILDCARD_NOT_PERMITTED = 8,
  REMOTE_HOST_MUST_BE_WILDCARD = 9,
  EXT_PORT_MUST_BE_WILDCARD = 10,
  NO_PORT_MAPS_AVAILABLE = 11,
  CONFLICT_WITH_OTHER_MECHANISM = 12,
  CONFLICT_WITH_OTHER_MAPPING = 13,
  SAME_PORT_VALUES_REQUIRED = 14,
  ONLY_PERMANENT_LEASE_SUPPORTED = 15,
  INVALID_GATEWAY = 16,
  INVALID_PORT = 17,
  INVALID_PROTOCOL = 18,
  INVALID_DURATION = 19,
  INVALID_ARGS = 20,
  INVALID_RESPONSE = 21,
  INVALID_PARAM = 22,
  HTTP_ERROR = 23,
  SOCKET_ERROR = 24,
  MEM_ALLOC_ERROR = 25,
  NO_GATEWAY = 26,
  NO_DEVICES = 27,
  UNKNOWN_ERROR = 28,
}

/** Validity of a discovered device as a gateway, with the engine's names and values. */
export enum IGDStatus {
  OK = 0,
  HTTP_ERROR = 1,
  HTTP_EMPTY = 2,
  /** @deprecated kept for value compatibility; porthole never sets it. */
  NO_URLS = 3,
  NO_IGD = 4,
  DISCONNECTED = 5,
  UNKNOWN_DEVICE = 6,
  INVALID_CONTROL = 7,
  /** @deprecated kept for value compatibility; porthole never sets it. */
  MALLOC_ERROR = 8,
  UNKNOWN_ERROR = 9,
}

/** The engine's table from a UPnP SOAP `errorCode` to a `UPNPResult` (anything else: UNKNOWN_ERROR). */
const resultByUpnpCode: ReadonlyMap<number, UPNPResult> = new Map([
  [402, UPNPResult.INVALID_ARGS],
  [403, UPNPResult.NOT_AUTHORIZED],
  [501, UPNPResult.ACTION_FAILED],
  [606, UPNPResult.NOT_AUTHORIZED],
  [714, UPNPResult.NO_SUCH_ENTRY_IN_ARRAY],
  [715, UPNPResult.SRC_IP_WILDCARD_NOT_PERMITTED],
  [716, UPNPResult.EXT_PORT_WILDCARD_NOT_PERMITTED],
  [718, UPNPResult.CONFLICT_WITH_OTHER_MAPPING],
  [724, UPNPResult.SAME_PORT_VALUES_REQUIRED],
  [725, UPNPResult.ONLY_PERMANENT_LEASE_SUPPORTED],
  [726, UPNPResult.REMOTE_HOST_MUST_BE_WILDCARD],
  [727, UPNPResult.EXT_PORT_MUST_BE_WILDCARD],
  [728, UPNPResult.NO_PORT_MAPS_AVAILABLE],
  [729, UPNPResult.CONFLICT_WITH_OTHER_MECHANISM],
  [732, UPNPResult.INT_PORT_WILDCARD_NOT_PERMITTED],
  [733, UPNPResult.INCONSISTENT_PARAMETERS],
]);

export function resultForUpnpCode(code: number): UPNPResult {
  return resultByUpnpCode.get(code) ?? UPNPResult.UNKNOWN_ERROR;
}
