/**
 * Dials on Bun that can be abandoned. `Bun.connect()` hands out no socket
 * until it opens, so a pending attempt cannot be closed: after `destroy()` its
 * descriptor would live on (and keep the process alive) until the kernel gives
 * up, about two minutes for a SYN nobody answers. Bun's own `node:net` makes
 * its native socket before connecting it, and can close it while pending. So
 * a dial (TCP or Unix) goes through one `node:net` socket of Bun, kept for
 * every dial: it is given the adapter's own handlers (so none of its stream
 * code ever runs), and, for TCP, a `lookup` that answers at once with the
 * address already resolved, so that it dials inside `connect()`. The native
 * socket it made for the dial (its `_handle`, as on Node), or the one made
 * ahead for it (`dialHandle`), is then taken from it: the dial's own, closed
 * by `cancel()`, and once open the same kind of socket `Bun.connect()` gives.
 * @module
 */
import * as bunNet from "node:net";
import type { ConnectCallback, Dial, TcpConnectRequest } from "../types.ts";
import { type BunError, type BunSocket, Conn, ipInfo, TcpConn, UNNAMED } from "./conn.ts";
import { knownPeer } from "../_shared.ts";
import { bunDial, DIAL_HANDLERS, dialFailed, dialOpened, failDialSoon } from "./handlers.ts";

/** What Bun's `node:net` socket is to this file. */
interface _NetDialer {
  _handle: BunSocket | null;
  readonly destroyed: boolean;
  connect(args: unknown): unknown;
  on(event: string, listener: (err: unknown) => void): unknown;
  [key: symbol]: unknown;
}

// The dial inside the dialer's connect(): what its lookup answers, and the
// connection a handler Bun calls synchronously in there belongs to.
let _dialling: Conn | null = null;
let _dialIp = "";
let _dialFamily = 4;
let _dialErr: unknown = undefined;

/** The dialer; `null` once this Bun's node:net turned out not to offer it (then Bun.connect). */
let _dialer: _NetDialer | null | undefined;

// The options of every dial, in one object refilled each time (the dialer
// reads it only inside connect()), passed in the normalized form connect()
// takes as it is (Node's `net._normalizeArgs`): no garbage per dial from here.
// A host that is no IP literal, so the lookup (answering at once) runs and
// the dial starts inside connect(); an IP literal would wait a tick.
// `pauseOnConnect`: without it connect() queues a closure per dial (a tick
// that would start the dialer's own stream reading), 40% of what Bun's
// node:net adds to a dial (Bun 1.4.5, JS heap per dial, GC off: 1.7 KB
// through the dialer against 0.7 KB for Bun.connect()); it also opens the
// socket paused, so `_onNetOpen` resumes it.
const _opts: Record<string, unknown> = {
  host: "omninet.dial",
  port: 0,
  family: 4,
  lookup: _lookup,
  localAddress: undefined,
  localPort: undefined,
  pauseOnConnect: true,
};
const _normalize = (bunNet as unknown as { _normalizeArgs?: (a: unknown[]) => unknown })
  ._normalizeArgs;
const _args: unknown = typeof _normalize === "function" ? _normalize([_opts]) : _opts;

function _lookup(
  _host: string,
  _options: unknown,
  cb: (err: null, address: string, family: number) => void,
): void {
  cb(null, _dialIp, _dialFamily);
}

function _onDialerError(err: unknown): void {
  _dialErr = err;
}

/** The `node:net` socket of Bun that makes native sockets ahead of their dial (see `dialHandle`). */
let _maker: _NetDialer | null = null;

// The maker's connect options: its lookup never answers, so no dial follows.
const _makerOpts: Record<string, unknown> = {
  host: "omninet.dial",
  port: 1,
  family: 4,
  lookup: () => {},
};
const _makerArgs: unknown = typeof _normalize === "function"
  ? _normalize([_makerOpts])
  : _makerOpts;

/**
 * A native socket for a dial to come, made before the host lookup: what a
 * connecting socket shows as `_handle`, as Bun's own `node:net` makes one at
 * `connect()` (and Node its TCP handle). Bun has no public way to make one;
 * its `node:net` socket makes one at the start of each `connect()`, which a
 * socket of its own (the maker) gives up at once: its lookup never answers,
 * so it never dials (the socket it makes serves TCP and Unix dials alike).
 * The dial takes it back through `dialTcp`'s `req.handle` or `dialUnix`'s
 * `handle`, and one no dial takes is closed (`dropDialHandle`).
 * @returns the native socket (not connected, no descriptor yet), or null
 * where this Bun's `node:net` does not make one (dials then go through
 * `Bun.connect()` and make their own)
 * @example
 * ```ts
 * const h = dialHandle(); // shown as `_handle`, then passed as req.handle
 * ```
 */
export function dialHandle(): BunSocket | null {
  if (_getDialer() === null) return null;
  let m = _maker;
  if (m === null || m.destroyed) m = _maker = new bunNet.Socket() as unknown as _NetDialer;
  let h: BunSocket | null = null;
  try {
    m.connect(_makerArgs);
    h = m._handle;
  } catch {
    // Another Bun's node:net: the dials make their own.
  } finally {
    m._handle = null;
  }
  return h !== null && typeof h === "object" ? h : null;
}

/**
 * Closes a native socket of `dialHandle()` that no dial took.
 * @param handle the socket
 */
export function dropDialHandle(handle: object): void {
  (handle as BunSocket).close?.();
}

/** The shared dialer, made on first use (again if Bun's node:net destroyed it). */
function _getDialer(): _NetDialer | null {
  if (_dialer === null) return null;
  if (_dialer !== undefined && !_dialer.destroyed) return _dialer;
  const ns = new bunNet.Socket({ allowHalfOpen: true }) as unknown as _NetDialer;
  // Bun's node:net passes Bun, for its dials, the handler set it keeps under this symbol.
  const key = Object.getOwnPropertySymbols(ns).find((k) => k.description === "khandlers");
  if (key === undefined || typeof ns[key] !== "object") return (_dialer = null);
  ns[key] = _NET_DIAL_HANDLERS;
  ns.on("error", _onDialerError);
  return (_dialer = ns);
}

/** The connection of a dialled socket: its `data`, or the dial under way when Bun calls in synchronously. */
function _connOf(s: BunSocket | undefined): Conn | null {
  const d = s?.data;
  if (d instanceof Conn) return d;
  if (s !== undefined && _dialling !== null) s.data = _dialling;
  return _dialling;
}

function _onNetOpen(s: BunSocket): void {
  const c = _connOf(s);
  if (c === null) {
    s.terminate();
    return;
  }
  // Opened paused (pauseOnConnect, see _opts): it reads from now on, as a Bun.connect() socket.
  s.resume();
  if (c.dialing) queueMicrotask(() => dialOpened(c, s));
  else dialOpened(c, s);
}

function _onNetError(s: BunSocket | undefined, err: BunError): void {
  const c = _connOf(s);
  if (c === null) return;
  if (c.dialing) failDialSoon(c, err);
  else dialFailed(c, err);
}

/** The handlers of a dial through the dialer (the same as Bun.connect's but for the open and failure). */
const _NET_DIAL_HANDLERS: Record<string, unknown> = {
  ...DIAL_HANDLERS,
  open: _onNetOpen,
  connectError: _onNetError,
};

function _bunConnect(c: TcpConn, req: TcpConnectRequest, localAddress: string | undefined): Dial {
  const options: Record<string, unknown> = { hostname: req.address, port: req.port };
  if (localAddress !== undefined) {
    options.localAddress = localAddress;
    if (req.localPort !== undefined) options.localPort = req.localPort;
    // Bun.connect() binds and connects in one step, and says which failed only with its outcome.
    req.bound?.();
  }
  return bunDial(c, options);
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
  c.dial = { cb, address: req.address, port: req.port, pending: null, peer: knownPeer(req) };
  // Node binds the wildcard of the dial's family when only a port is given.
  const localAddress = req.localAddress === undefined && req.localPort === undefined
    ? undefined
    : req.localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
  _opts.port = req.port;
  _opts.family = req.family;
  _opts.localAddress = localAddress;
  _opts.localPort = req.localPort;
  _dialIp = req.address;
  _dialFamily = req.family;
  const h = _through(c, _args, (req.handle ?? null) as BunSocket | null);
  if (h === null) return _bunConnect(c, req, localAddress);
  // Bound, unless the bind failed: then the native socket has no descriptor (its error
  // comes later, through connectError). Its address is the one asked for, as Node's
  // socket shows it before it connects (the native one tells the address routing chose).
  if (h !== undefined && h.fd !== -1) req.bound?.(ipInfo(localAddress, h.localPort) ?? undefined);
  return c;
}

// The options of every Unix dial, refilled each time as `_opts`.
const _unixOpts: Record<string, unknown> = { path: "", pauseOnConnect: true };
const _unixArgs: unknown = typeof _normalize === "function" ? _normalize([_unixOpts]) : _unixOpts;

/**
 * Dials a Unix socket through Bun's `node:net`, as `dialTcp` dials TCP: on a
 * native socket of `dialHandle()` when given (what the connecting socket
 * shows as `_handle`), and `cancel()` closes it.
 * @param path the socket's path (checked by core)
 * @param cb called once with the connection or the error
 * @param handle a native socket of `dialHandle()` to dial on, which the dial then owns
 * @returns the pending dial
 * @example
 * ```ts
 * dialUnix("/tmp/app.sock", (err, h) => h?.close(() => {}));
 * ```
 */
export function dialUnix(path: string, cb: ConnectCallback, handle?: object): Dial {
  const c = new Conn();
  c.dial = { cb, address: path, port: 0, pending: null, peer: undefined };
  c.localEnd = UNNAMED;
  c.remoteEnd = path;
  _unixOpts.path = path;
  if (_through(c, _unixArgs, (handle ?? null) as BunSocket | null) !== null) return c;
  return bunDial(c, { unix: path });
}

/**
 * Runs one dial of `c` through the dialer (`args`: its options, already
 * filled), on `made` when given (a native socket of `dialHandle()`; closed
 * if the dial did not take it).
 * @returns the dial's native socket (pending from now on); `undefined` when
 * it settled or failed within the call (its callback is queued); `null`
 * when this Bun offers no dialer or no dial came out of it: the caller dials
 * with `Bun.connect()`
 */
function _through(c: Conn, args: unknown, made: BunSocket | null): BunSocket | null | undefined {
  const ns = _getDialer();
  if (ns === null) {
    if (made !== null) dropDialHandle(made);
    return null;
  }
  _dialling = c;
  _dialErr = undefined;
  c.dialing = true;
  let h: BunSocket | null = null;
  try {
    // Its connect() dials on the native socket it holds, else makes one.
    ns._handle = made;
    ns.connect(args);
    h = ns._handle;
  } catch (e) {
    _dialErr = e;
  } finally {
    ns._handle = null;
    _dialling = null;
    c.dialing = false;
  }
  if (made !== null && h !== made) dropDialHandle(made);
  const d = c.dial;
  if (d === null) return undefined; // settled inside connect() (the callback is queued)
  if (h !== null) {
    if (!(h.data instanceof Conn)) h.data = c;
    d.pending = h;
    return h;
  }
  if (_dialErr !== undefined) {
    failDialSoon(c, _dialErr as BunError);
    return undefined;
  }
  // No dial came out of connect(). A dialer its node:net destroyed is
  // replaced on the next dial; one that is alive dials later than this
  // file expects (another Bun): Bun.connect() from now on.
  if (!ns.destroyed) _dialer = null;
  return null;
}
