/**
 * The Node errors only `net.Socket` raises.
 * @module
 */
import { codedError, type NodeErrorLike } from "./errors.ts";

/**
 * `ERR_SOCKET_CLOSED`: an operation on a socket that has no connection.
 * @returns the error
 * @example
 * ```ts
 * socket.destroy(errSocketClosed());
 * ```
 */
export function errSocketClosed(): NodeErrorLike {
  return codedError("ERR_SOCKET_CLOSED", "Socket is closed");
}

/**
 * `ERR_SOCKET_CLOSED_BEFORE_CONNECTION`: a write held during connect, failed by the close.
 * @returns the error
 * @example
 * ```ts
 * heldCallback(errClosedBeforeConnection());
 * ```
 */
export function errClosedBeforeConnection(): NodeErrorLike {
  return codedError(
    "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
    "Socket closed before the connection was established",
  );
}

/**
 * `ERR_INVALID_HANDLE_TYPE` (a `TypeError`): `resetAndDestroy()` on a Unix socket.
 * @returns the error
 * @example
 * ```ts
 * throw errInvalidHandleType();
 * ```
 */
export function errInvalidHandleType(): NodeErrorLike {
  const err = new TypeError("This handle type cannot be sent") as TypeError & NodeErrorLike;
  err.code = "ERR_INVALID_HANDLE_TYPE";
  return err;
}
