/**
 * TLS for the Sockets API: `secureTransport: "on"` and `startTls()`. Where
 * the transport handle can (`StreamHandle.startTls`), the runtime's own TLS
 * runs on the connection: Node's TLSWrap on the libuv handle, Deno's
 * node:tls on its handle layer or `Deno.startTls`, Bun's `upgradeTLS`, or
 * node:tls on the runtime's own `net.Socket`. Otherwise (a `DuplexHandle`
 * from `fromNetSocket()`, or a request the runtime's API cannot serve) the
 * handle is adopted by an omninet `net.Socket` and `node:tls` runs over it
 * as a JavaScript stream; the web streams then drive the TLS socket through
 * `DuplexHandle`.
 * @module
 */
import * as tls from "node:tls";
import { isIP } from "../core/ip.ts";
import type { Endpoint, StreamHandle, TlsUpgradeRequest } from "../runtimes/types.ts";
import { DuplexHandle } from "./duplex_handle.ts";
import { toSocketError } from "./error.ts";
import { netSocketFromHandle } from "./net_socket.ts";
import {
  internalsOf,
  makeSocket,
  type OmninetSocketOptions,
  setUpgrade,
  type Socket,
  type SocketInternals,
  type TlsParams,
} from "./socket.ts";

/** `TlsInfo.route` of the fallback: node:tls over an omninet `net.Socket` or a given Duplex. */
export const JS_STREAM_ROUTE = "js-stream";

/** Runs the client handshake over `handle`; `socket` opens once it completes. */
export function startClientTls(socket: Socket, handle: StreamHandle, params: TlsParams): void {
  const inner = internalsOf(socket);
  if (inner.ended()) {
    handle.close(() => {});
    return;
  }
  const ends = { remote: handle.remoteAddress(), local: handle.localAddress() };
  const ext = params.extension ?? {};
  const req: TlsUpgradeRequest = {
    isServer: false,
    servername: params.sni ??
      (params.hostname && !isIP(params.hostname) ? params.hostname : undefined),
    ca: ext.ca,
    cert: ext.cert,
    key: ext.key,
    alpnProtocols: params.alpn && params.alpn.length > 0 ? params.alpn : undefined,
    rejectUnauthorized: ext.rejectUnauthorized ?? true,
  };
  const native = handle.startTls?.(req, (err, secure, info) => {
    inner.setCancel(undefined);
    if (err !== null || secure === undefined || info === undefined) {
      inner.fail(toSocketError(err ?? new Error("TLS handshake failed")));
      return;
    }
    inner.setTlsRoute(info.route);
    inner.open(secure, info.alpnProtocol, ends);
  });
  if (native) {
    inner.setCancel(() => native.cancel());
    return;
  }
  _startJsTls(inner, handle, req, ends);
}

/** node:tls over the handle as a JavaScript stream (the route where no native one exists). */
function _startJsTls(
  inner: SocketInternals,
  handle: StreamHandle,
  req: TlsUpgradeRequest,
  ends: { remote: Endpoint; local: Endpoint },
): void {
  const plain = handle instanceof DuplexHandle
    ? handle.release()
    : netSocketFromHandle(handle, true);
  let secure: tls.TLSSocket;
  try {
    secure = tls.connect({
      socket: plain as tls.ConnectionOptions["socket"],
      servername: req.servername,
      ALPNProtocols: req.alpnProtocols,
      ca: req.ca as tls.ConnectionOptions["ca"],
      cert: req.cert as tls.ConnectionOptions["cert"],
      key: req.key as tls.ConnectionOptions["key"],
      rejectUnauthorized: req.rejectUnauthorized,
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
    inner.setTlsRoute(JS_STREAM_ROUTE);
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
