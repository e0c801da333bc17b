/**
 * TCP dials on Bun that can be abandoned. `Bun.connect()` hands out no socket
 * until it opens, so a pending attempt cannot be closed: after `destroy()` its
 * descriptor would live on (and keep the process alive) until the kernel gives
 * up, about two minutes for a SYN nobody answers. Bun's own `node:net` dials
 * through a socket object it makes before connecting, and closes that one at
 * once when destroyed. So a TCP dial runs through a `node:net` socket of Bun
 * (abandoned with `destroy()`), and once it opens, its native socket (the same
 * kind `Bun.connect()` gives, reached through Node's `_handle`) is handed to
 * the adapter's own handlers with `reload()` and the `node:net` wrapper drops
 * away.
 * @module
 */
import * as bunNet from "node:net";
import type { ConnectCallback, Dial, TcpConnectRequest } from "../types.ts";
import { type BunError, type BunSocket, TcpConn } from "./conn.ts";
import { dialFailed, dialOpened, OPEN_HANDLERS } from "./handlers.ts";

/** What Bun's `node:net` socket is to this file. */
interface _NetDialer {
  _handle: (BunSocket & { reload(options: Record<string, unknown>): void }) | null;
  connect(options: Record<string, unknown>): unknown;
  once(event: string, listener: (this: _NetDialer, arg?: unknown) => void): unknown;
  removeAllListeners(): unknown;
  on(event: string, listener: () => void): unknown;
  destroy(): unknown;
  [_CONN]?: TcpConn | null;
}

const _CONN = Symbol("omninet.conn");

// The native socket points back at its node:net owner under a symbol of Bun's
// own; found on the first hand-off, then cleared on each so that the dropped
// wrapper is not kept alive by the connection.
let _ownerKey: symbol | null | undefined;

function _ownerSymbol(h: object): symbol | null {
  if (_ownerKey === undefined) {
    _ownerKey = Object.getOwnPropertySymbols(h).find((s) => s.description === "owner_symbol") ??
      null;
  }
  return _ownerKey;
}

function _noop(): void {}

function _onNetConnect(this: _NetDialer): void {
  const c = this[_CONN];
  const h = this._handle;
  this[_CONN] = null;
  this.removeAllListeners();
  // An 'error' after the hand-off (there should be none) must not go unhandled.
  this.on("error", _noop);
  if (c === undefined || c === null || h === null) return;
  this._handle = null;
  const owner = _ownerSymbol(h);
  if (owner !== null) (h as unknown as Record<symbol, unknown>)[owner] = undefined;
  h.reload({ socket: OPEN_HANDLERS });
  h.data = c;
  dialOpened(c, h);
}

function _onNetError(this: _NetDialer, err?: unknown): void {
  const c = this[_CONN];
  this[_CONN] = null;
  if (c === undefined || c === null) return;
  dialFailed(c, err as BunError);
}

/**
 * Dials TCP through Bun's `node:net`: `cancel()` (the returned `Dial`) closes
 * the attempt's descriptor at once.
 * @param req the resolved dial (an IP literal)
 * @param cb called once with the connection or the error
 * @returns the pending dial
 * @example
 * ```ts
 * dialTcp({ address: "127.0.0.1", port: 80, family: 4 }, (err, h) => h?.close(() => {}));
 * ```
 */
export function dialTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
  const c = new TcpConn();
  const options: Record<string, unknown> = {
    host: req.address,
    port: req.port,
    family: req.family,
  };
  if (req.localAddress !== undefined || req.localPort !== undefined) {
    // Node binds the wildcard of the dial's family when only a port is given.
    options.localAddress = req.localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
    if (req.localPort !== undefined) options.localPort = req.localPort;
  }
  const ns = new bunNet.Socket({ allowHalfOpen: true }) as unknown as _NetDialer;
  ns[_CONN] = c;
  ns.once("connect", _onNetConnect);
  ns.once("error", _onNetError);
  c.dial = { cb, address: req.address, port: req.port, dialer: ns };
  try {
    ns.connect(options);
  } catch (e) {
    ns[_CONN] = null;
    queueMicrotask(() => dialFailed(c, e as BunError));
  }
  return c;
}
