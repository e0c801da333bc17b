/**
 * TLS for the Sockets API: `secureTransport: "on"` and `startTls()`. The
 * transport handle is adopted by an omninet `net.Socket` and `node:tls`
 * runs its client handshake over it, so TLS works the same on every
 * runtime and adapter; the web streams then drive the TLS socket through
 * `DuplexHandle`.
 * @module
 */
import * as tls from "node:tls";
import { isIP } from "../core/ip.ts";
import type { StreamHandle } from "../runtimes/types.ts";
import { DuplexHandle } from "./duplex_handle.ts";
import { toSocketError } from "./error.ts";
import { netSocketFromHandle } from "./net_socket.ts";
import {
  internalsOf,
  makeSocket,
  type OmninetSocketOptions,
  setUpgrade,
  type Socket,
  type TlsParams,
} from "./socket.ts";

/** Runs the client handshake over `handle`; `socket` opens once it completes. */
export function startClientTls(socket: Socket, handle: StreamHandle, params: TlsParams): void {
  const inner = internalsOf(socket);
  if (inner.ended()) {
    handle.close(() => {});
    return;
  }
  // The TLS socket may not know the endpoints (it sits on a JavaScript stream): read them here.
  const ends = { remote: handle.remoteAddress(), local: handle.localAddress() };
  const plain = handle instanceof DuplexHandle
    ? handle.release()
    : netSocketFromHandle(handle, true);
  const ext = params.extension ?? {};
  const servername = params.sni ??
    (params.hostname && !isIP(params.hostname) ? params.hostname : undefined);
  let secure: tls.TLSSocket;
  try {
    secure = tls.connect({
      socket: plain as tls.ConnectionOptions["socket"],
      servername,
      ALPNProtocols: params.alpn && params.alpn.length > 0 ? params.alpn : undefined,
      ca: ext.ca as tls.ConnectionOptions["ca"],
      cert: ext.cert as tls.ConnectionOptions["cert"],
      key: ext.key as tls.ConnectionOptions["key"],
      rejectUnauthorized: ext.rejectUnauthorized ?? true,
    });
  } catch (err) {
    plain.destroy();
    inner.fail(err);
    return;
  }
  // The web socket applies allowHalfOpen itself; the TLS layer must not end writing on its own.
  (secure as { allowHalfOpen: boolean }).allowHalfOpen = true;
  const onError = (err: Error) => {
    secure.destroy();
    plain.destroy();
    inner.fail(toSocketError(err));
  };
  secure.once("error", onError);
  inner.setCancel(() => {
    secure.destroy();
    plain.destroy();
  });
  secure.once("secureConnect", () => {
    secure.removeListener("error", onError);
    const wrapped = new DuplexHandle(secure);
    const alpn = secure.alpnProtocol;
    inner.open(wrapped, typeof alpn === "string" && alpn !== "" ? alpn : null, ends);
  });
}

function _merge(
  base: TlsParams,
  options?: { sni?: string; alpn?: string[]; omninet?: OmninetSocketOptions },
): TlsParams {
  return {
    hostname: base.hostname,
    sni: options?.sni ?? base.sni,
    alpn: options?.alpn ?? base.alpn,
    extension: options?.omninet?.tls ?? base.extension,
  };
}

setUpgrade((old, options) => {
  const oldInner = internalsOf(old);
  const params = _merge(oldInner.tls(), options);
  const socket = makeSocket({
    secureTransport: "on",
    allowHalfOpen: oldInner.allowHalfOpen(),
    tls: params,
  });
  const inner = internalsOf(socket);
  oldInner.detach().then(
    (handle) => startClientTls(socket, handle, params),
    (err) => inner.fail(err),
  );
  return socket;
});
