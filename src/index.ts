export { UPNPResult, IGDStatus, resultForUpnpCode } from "./compat/result-codes.js";
export {
  PortholeError,
  InvalidArgumentError,
  UpnpActionError,
  HttpError,
  TimeoutError,
  InvalidResponseError,
  SocketError,
  NoGatewayError,
  isPortholeError,
} from "./errors/errors.js";
export type { CallOptions } from "./util/deadline.js";
export { addressScope, isPublicAddress, type AddressScope } from "./util/address.js";
