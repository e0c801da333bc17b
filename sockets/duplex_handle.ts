/**
 * A `node:stream` Duplex (a TLS socket, or any `net.Socket`) seen through
 * the transport's `StreamHandle` contract, so a web `Socket` drives it with
 * the same code it drives a raw transport handle with: `readStop()` pauses
 * the Duplex (which stops pulling from below once its buffer is full),
 * `write()`'s callback fires when the Duplex takes more (at once, or at its
 * `'drain'`). The adapter is the shared one (`runtimes/_duplex_handle.ts`);
 * this class marks a Duplex the user gave, which `release()` hands back.
 * @module
 */
import type { Duplex } from "node:stream";
import { DuplexStreamHandle } from "../runtimes/_duplex_handle.ts";

/**
 * A Duplex the user gave (`fromNetSocket()`) as a `StreamHandle`.
 * @example
 * ```ts
 * import { connect } from "node:net";
 * const sock = connect(80, "127.0.0.1", () => {
 *   const handle = new DuplexHandle(sock);
 *   handle.release().destroy();
 * });
 * ```
 */
export class DuplexHandle extends DuplexStreamHandle<Duplex> {
  /**
   * Wraps `duplex`; it starts paused until `readStart()`.
   * @param duplex a connected Duplex
   */
  constructor(duplex: Duplex) {
    super(duplex);
  }
}
