import { HttpError } from "../errors/errors.js";

/**
 * The gateway answered 200 with an empty body (or only whitespace). A subclass of `HttpError` (status 200) so that
 * callers who only care about "the HTTP step failed" need not know it, while the compatible API
 * can tell `IGDStatus.HTTP_EMPTY` from `IGDStatus.HTTP_ERROR`.
 */
export class EmptyDescriptionError extends HttpError {
  override name = "EmptyDescriptionError";

  constructor(url: string) {
    super(`the device description at ${url} is empty`, url, 200);
  }
}
