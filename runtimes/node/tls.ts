/**
 * `startTls` on a `node:net` socket: the runtime's node:tls runs on the
 * socket itself, which is the runtime's own `net.Socket`, so its TLS takes
 * the native handle (Node's TLSWrap; Deno's and Bun's node:tls do the same
 * for their own sockets) instead of a JavaScript stream wrapper.
 * @module
 */
import type { Socket } from "node:net";
import type { Dial, Endpoint, TlsUpgradeCallback, TlsUpgradeRequest } from "../types.ts";
import { tlsOverNetSocket } from "../_node_tls.ts";

/**
 * Hands `sock` (paused, without the adapter's listeners) to node:tls.
 * @param sock the connected socket
 * @param ends the connection's endpoints
 * @param req what the handshake needs
 * @param cb as `StreamHandle.startTls`
 * @returns what cancels the handshake
 * @example
 * ```ts
 * // From NodeStream.startTls only: the socket must have been released by its stream.
 * ```
 */
export function startNodeTls(
  sock: Socket,
  ends: { local: Endpoint; remote: Endpoint },
  req: TlsUpgradeRequest,
  cb: TlsUpgradeCallback,
): Dial {
  return tlsOverNetSocket(sock, req, "node:net", ends, cb);
}
