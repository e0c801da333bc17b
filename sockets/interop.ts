/**
 * Moving a connection between the two APIs: a web `Socket` from a
 * `net.Socket` (or any connected `node:stream` Duplex, such as a
 * `tls.TLSSocket`), and a `net.Socket` from a web `Socket`.
 * @module
 */
import type { Duplex } from "node:stream";
import type { Socket as NetSocket } from "../core/socket.ts";
import { TlsSocketHandle } from "../runtimes/_node_tls.ts";
import { DuplexHandle } from "./duplex_handle.ts";
import { netSocketFromHandle } from "./net_socket.ts";
import { internalsOf, makeSocket, type Socket } from "./socket.ts";

/**
 * Wraps a `net.Socket` (connected or still connecting) as a web `Socket`. A
 * `tls.TLSSocket` must still be connecting: its `opened` waits for the handshake.
 * The web socket owns it from then on: use only the returned object.
 * @param socket An omninet or runtime `net.Socket`, a `tls.TLSSocket`, or another Duplex.
 * @param options `allowHalfOpen` of the web socket (default `false`).
 * @returns A web socket whose `opened` resolves once `socket` is connected.
 * @example
 * ```ts
 * import net from "@omninet/net";
 * import { fromNetSocket } from "@omninet/net/sockets";
 * const web = fromNetSocket(net.connect(8080, "127.0.0.1"));
 * await web.opened;
 * ```
 */
export function fromNetSocket(socket: Duplex, options?: { allowHalfOpen?: boolean }): Socket {
  const web = makeSocket({
    secureTransport: "off",
    allowHalfOpen: Boolean(options?.allowHalfOpen),
  });
  const inner = internalsOf(web);
  // The web socket decides what the peer's FIN means; the Duplex must not end writing by itself.
  (socket as { allowHalfOpen: boolean }).allowHalfOpen = true;
  const s = socket as Duplex & { connecting?: boolean; pending?: boolean };
  if (s.destroyed) {
    inner.fail(new Error("the net.Socket is destroyed"));
    return web;
  }
  // A TLS socket opens once its handshake is done (and then knows its ALPN protocol).
  const tls = (socket as { encrypted?: boolean }).encrypted === true;
  const alpn = () => {
    const p = (socket as { alpnProtocol?: unknown }).alpnProtocol;
    return typeof p === "string" && p !== "" ? p : null;
  };
  if (!s.connecting && !tls) {
    inner.open(new DuplexHandle(socket));
    return web;
  }
  const onError = (err: Error) => inner.fail(err);
  socket.once("error", onError);
  socket.once(tls ? "secureConnect" : "connect", () => {
    socket.removeListener("error", onError);
    inner.open(new DuplexHandle(socket), alpn());
  });
  inner.setCancel(() => socket.destroy());
  return web;
}

/**
 * Takes the connection of an open web `Socket` as a `net.Socket`: the web
 * socket closes (its `closed` resolves) and the connection goes on in the
 * returned object. A TLS web socket gives its `tls.TLSSocket` where `node:tls`
 * runs the TLS, else (Bun's and `Deno.startTls`'s TLS) a `net.Socket` that
 * carries the plaintext, with the TLS going on underneath. A Duplex handed
 * back (a `tls.TLSSocket`, or what `fromNetSocket()` wrapped) is paused, as
 * after `pause()`: `resume()` or `pipe()` it.
 * @param socket An open (or opening) web socket whose streams are not in use.
 * @returns The `net.Socket`, once the web socket is open.
 * @example
 * ```ts
 * import { connect, toNetSocket } from "@omninet/net/sockets";
 * const netSocket = await toNetSocket(connect("127.0.0.1:8080"));
 * netSocket.end("bye");
 * ```
 */
export async function toNetSocket(socket: Socket): Promise<NetSocket | Duplex> {
  const inner = internalsOf(socket);
  const allowHalfOpen = inner.allowHalfOpen();
  const handle = await inner.detach();
  if (handle instanceof DuplexHandle || handle instanceof TlsSocketHandle) return handle.release();
  return netSocketFromHandle(handle, allowHalfOpen);
}
