/**
 * `SocketError`: the one error class of the WinterTC Sockets API. The draft
 * makes it a `TypeError` whose message starts with `"SocketError: "`; the
 * Node-shaped error underneath (refused, reset, blocked) stays reachable as
 * `cause`, and its `code` is copied so programs can branch on it.
 * @module
 */

/**
 * A connection that could not be made or was lost: refused, blocked by a
 * `BlockList`, reset, a bad address, a failed TLS handshake.
 * @example
 * ```ts
 * import { connect, SocketError } from "@omninet/net/sockets";
 * const socket = connect("127.0.0.1:1");
 * socket.opened.catch((err) => console.log(err instanceof SocketError, err.code));
 * ```
 */
export class SocketError extends TypeError {
  /** The underlying error's code (`ECONNREFUSED`, `ERR_IP_BLOCKED`...), when there is one. */
  code?: string;
  /**
   * Creates a SocketError.
   * @param message What failed; `"SocketError: "` is put in front.
   * @param options `cause`: the underlying error, whose `code` is copied.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(`SocketError: ${message}`, options);
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string") this.code = code;
  }
  /** `"SocketError"`, so stack traces and `String(err)` name the class. */
  override get name(): string {
    return "SocketError";
  }
}

/** Wraps any error as a SocketError (a SocketError is returned as it is). */
export function toSocketError(err: unknown): SocketError {
  if (err instanceof SocketError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SocketError(message, { cause: err });
}
