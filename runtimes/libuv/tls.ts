/**
 * `startTls` on a libuv handle: the raw TCP or Pipe handle is given to the
 * runtime's own `net.Socket` (its `handle` option) and `node:tls` runs on
 * that. On Node, TLSWrap then reads and writes the libuv handle in C++; on
 * Deno, its node:tls drives its own handle layer the same way it does for
 * its `net.Socket`s. No JavaScript stream sits under the TLS.
 * @module
 */
import { Socket } from "node:net";
import type { Dial, Endpoint, TlsUpgradeCallback, TlsUpgradeRequest } from "../types.ts";
import { tlsOverNetSocket } from "../_node_tls.ts";
import type { RawStream } from "./bindings.ts";

/**
 * Hands `h` (not reading, no request in flight, no owner any more) to the
 * runtime's TLS.
 * @param h the raw handle
 * @param ends the connection's endpoints
 * @param req what the handshake needs
 * @param cb as `StreamHandle.startTls`
 * @returns what cancels the handshake
 * @example
 * ```ts
 * // From UvStream.startTls only: the handle must have been released by its stream.
 * ```
 */
export function startUvTls(
  h: RawStream,
  ends: { local: Endpoint; remote: Endpoint },
  req: TlsUpgradeRequest,
  cb: TlsUpgradeCallback,
): Dial {
  const sock = new Socket(
    { handle: h, readable: true, writable: true } as unknown as ConstructorParameters<
      typeof Socket
    >[0],
  );
  return tlsOverNetSocket(sock, req, "tls_wrap", ends, cb);
}
