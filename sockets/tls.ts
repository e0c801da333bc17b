/**
 * TLS for the Sockets API: `secureTransport: "on"` and `startTls()`. Where
 * the transport handle can (`StreamHandle.startTls`), the runtime's own TLS
 * runs on the connection: Node's TLSWrap on the libuv handle, Deno's
 * node:tls on its handle layer or `Deno.startTls`, Bun's `upgradeTLS`, or
 * node:tls on the runtime's own `net.Socket`. Otherwise (a `DuplexHandle`
 * from `fromNetSocket()`, or a request the runtime's API cannot serve) the
 * handle is adopted by an omninet `net.Socket` and `node:tls` runs over it
 * as a JavaScript stream, through the same `tlsOverNetSocket()` the node
 * adapters use, so both routes hand back the same kind of handle.
 * @module
 */
import type { Socket } from "node:net";
import { isIP } from "../core/ip.ts";
import type { StreamHandle, TlsUpgradeCallback, TlsUpgradeRequest } from "../runtimes/types.ts";
import { tlsOverNetSocket } from "../runtimes/_node_tls.ts";
import { DuplexHandle } from "./duplex_handle.ts";
import { toSocketError } from "./error.ts";
import { netSocketFromHandle } from "./net_socket.ts";
import {
  internalsOf,
  makeSocket,
  type OmninetSocketOptions,
  setUpgrade,
  type Socket as WebSocket,
  type TlsParams,
} from "./socket.ts";

/** `TlsInfo.route` of the fallback: node:tls over an omninet `net.Socket` or a given Duplex. */
export const JS_STREAM_ROUTE = "js-stream";

/** Runs the client handshake over `handle`; `socket` opens once it completes. */
export function startClientTls(socket: WebSocket, handle: StreamHandle, params: TlsParams): void {
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
  const done: TlsUpgradeCallback = (err, secure, info) => {
    inner.setCancel(undefined);
    if (err !== null || secure === undefined || info === undefined) {
      inner.fail(toSocketError(err ?? new Error("TLS handshake failed")));
      return;
    }
    inner.setTlsRoute(info.route);
    inner.open(secure, info.alpnProtocol, ends);
  };
  // The native route where the handle has one; else node:tls over the connection as a JS stream.
  const dial = handle.startTls?.(req, done) ??
    tlsOverNetSocket(
      (handle instanceof DuplexHandle
        ? handle.release()
        : netSocketFromHandle(handle, true)) as unknown as Socket,
      req,
      JS_STREAM_ROUTE,
      ends,
      done,
    );
  inner.setCancel(() => dial.cancel());
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
