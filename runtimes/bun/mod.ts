/**
 * The Bun adapter: the transport contract over `Bun.connect` / `Bun.listen`.
 *
 * Bun's sockets are handler-based: one handlers object serves every socket of
 * a kind, and each socket carries its state in `socket.data`. This file keeps
 * three shared handler sets (dialled, accepted and fd-wrapped sockets) and one
 * `_Conn` per socket; nothing on the read or write path allocates a closure.
 *
 * Facts about Bun 1.4 this adapter relies on (each checked by experiment):
 * - every `data` call hands a fresh Buffer (no reuse), so chunks pass through
 *   without a copy;
 * - `pause()` stops reading from the kernel, so the peer's writes block;
 * - `write()` is unbuffered: it returns how many bytes the kernel took, or -1
 *   once the socket is closed; the rest is ours to keep until `drain`;
 * - `end()` releases the socket at once (close handler runs synchronously),
 *   `terminate()` does the same with SO_LINGER 0 (the peer reads ECONNRESET);
 * - sockets read as soon as they open, so bytes the owner never took may sit
 *   here instead of in the kernel: closing then terminates, so the peer sees
 *   the RST it would get from a receive queue holding unread data;
 * - with `allowHalfOpen` a peer FIN calls `end` and leaves the socket open,
 *   but when our side had already shut down, the FIN closes the socket
 *   without an `end` call, so a clean close also counts as end-of-stream;
 *   once both FINs are out Bun releases the socket on its own, and from then
 *   on names neither end (in the close handler already);
 * - every TCP socket starts with TCP_NODELAY set (Node leaves Nagle on);
 * - with a `connectError` handler Bun marks the rejection of the promise
 *   `connect()` returns as handled (no unhandled rejection, no exit);
 * - `connect({ fd })` wraps a connected socket fd, opening synchronously
 *   inside the call; a pipe fd "opens" too but fails with ENOTSOCK on use;
 * - no `error` handler is installed: Bun then reports an exception thrown by
 *   a handler (user code under `onData`) as an uncaught exception, like Node.
 * @module
 */
import { fstatSync } from "node:fs";
import { Buffer } from "node:buffer";
import { nextTick } from "node:process";
import { isatty } from "node:tty";
import {
  codedTypeError,
  errFeatureUnavailable,
  type SystemError,
  systemError,
} from "../../core/errors.ts";
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  Endpoint,
  HandleEvents,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  StreamHandle,
  TcpConnectRequest,
  TcpListenRequest,
  Transport,
  TransportFeatures,
  UnixListenRequest,
} from "../types.ts";

/** The part of Bun's `Socket` this adapter uses. */
interface _BunSocket {
  data: unknown;
  readonly readyState: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  shutdown(halfClose?: boolean): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  setNoDelay(noDelay: boolean): boolean;
  setKeepAlive(enable: boolean, initialDelayMs: number): boolean;
  setTypeOfService?(tos: number): unknown;
  getTypeOfService?(): number;
}

/** The part of Bun's socket listener this adapter uses. */
interface _BunListener {
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
  getsockname(out: { address?: string; family?: string; port?: number }): void;
}

/** The error shape Bun gives `connectError`/`close` and throws from `listen`. */
interface _BunError {
  code?: string;
  syscall?: string;
}

/** `Bun.connect` / `Bun.listen`, typed just enough for this file. */
interface _BunApi {
  connect(options: Record<string, unknown>): Promise<_BunSocket>;
  listen(options: Record<string, unknown>): _BunListener;
}

function _bun(): _BunApi {
  return (globalThis as unknown as { Bun: _BunApi }).Bun;
}

function _noop(): void {}

// Unix sockets: Bun reports no addresses, so they come from the path used.
// A dialled socket is unnamed locally; an accepted one has the listener's path.
const _UNNAMED = "";

/**
 * One connection: the `StreamHandle` core sees, stored in `socket.data`.
 * This base class serves Unix sockets, which have no RST and no TCP options:
 * `reset` stays absent, as the contract asks. `_TcpConn` adds them.
 */
class _Conn implements StreamHandle, Dial {
  sock: _BunSocket | null = null;
  /**
   * Node's Nagle-on start is still owed: Bun opened the socket with
   * TCP_NODELAY set. Nagle only shapes sends, so the setsockopt waits for the
   * first write (a connection that never writes never pays for it).
   */
  nagleDue = false;
  ev: HandleEvents | null = null;
  reading = false;
  /** Bun's reading is paused (set lazily: see readStop). */
  paused = false;
  /** Chunks that arrived while stopped, or before a queued flush ran. */
  pending: Buffer[] | null = null;
  flushQueued = false;
  /** Bun saw the peer's FIN (or a clean close). */
  eof = false;
  eofDelivered = false;
  /** Owner called close()/reset(): no more callbacks. */
  closed = false;
  /** Bun released the socket (its close handler ran). */
  released = false;
  releaseErr: _BunError | undefined = undefined;
  errored = false;
  /** Write in progress: current buffer and offset, the rest of a writev. */
  wBuf: Uint8Array | null = null;
  wOff = 0;
  wRest: Uint8Array[] | null = null;
  wNext = 0;
  wCb: ((err?: SystemError | null) => void) | null = null;
  shutCb: ((err?: SystemError | null) => void) | null = null;
  /** Dial state, before the socket opens. */
  dialCb: ConnectCallback | null = null;
  cancelled = false;
  /** Inside Bun.connect(): Bun may open or fail synchronously there. */
  dialing = false;
  dialAddress = "";
  dialPort = 0;
  /** Unix endpoints (`null` for TCP, whose endpoints come from Bun). */
  unixLocal: string | null = null;
  unixRemote: string | null = null;
  /**
   * TCP endpoints, read from Bun on first request or before our FIN (see
   * _sendFin), whichever comes first: Bun stops naming them once it released
   * the socket. Each read costs a system call, so ends known for free (an
   * IPv4 dial's peer, a listener's own address) are filled in at open.
   */
  localIp: string | undefined = undefined;
  localPort: number | undefined = undefined;
  remoteIp: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  local: AddressInfo | null = null;
  remote: AddressInfo | null = null;

  attach(events: HandleEvents): void {
    this.ev = events;
  }

  readStart(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    if (this.pending !== null || (this.eof && !this.eofDelivered)) _queueFlush(this);
    if (this.paused) {
      this.paused = false;
      if (!this.released) this.sock!.resume();
    }
  }

  readStop(): void {
    // Lazy: Bun is paused only when a chunk arrives while stopped (the one
    // read the contract lets us hold). A consumer that restarts before the
    // next read costs no pause/resume system calls at all.
    this.reading = false;
  }

  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void {
    this.wBuf = chunk;
    this.wOff = 0;
    this.wRest = null;
    this.wCb = cb;
    _startWrite(this);
  }

  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    this.wCb = cb;
    this.wOff = 0;
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
    if (chunks.length === 1 || total <= _CONCAT_LIMIT) {
      // Bun has no writev: small batches are cheaper as one copy and one send().
      this.wBuf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
      this.wRest = null;
    } else {
      this.wBuf = chunks[0];
      this.wRest = chunks;
      this.wNext = 1;
    }
    _startWrite(this);
  }

  shutdown(cb: (err?: SystemError | null) => void): void {
    if (this.released) {
      queueMicrotask(() => cb(systemError({ code: "ENOTCONN", syscall: "shutdown" })));
    } else if (this.wCb !== null) {
      this.shutCb = cb; // FIN goes out once the queued bytes are written
    } else {
      _sendFin(this);
      queueMicrotask(cb);
    }
  }

  close(cb: () => void): void {
    this._release(false);
    queueMicrotask(cb);
  }

  setNoDelay(_enable: boolean): void {}

  setKeepAlive(_enable: boolean, _initialDelayMs: number): void {}

  /** The `Dial` of a pending connect: no callback after this. */
  cancel(): void {
    this.cancelled = true;
    this.dialCb = null;
  }

  ref(): void {
    if (!this.released) this.sock!.ref();
  }

  unref(): void {
    if (!this.released) this.sock!.unref();
  }

  localAddress(): Endpoint {
    if (this.unixLocal !== null) return this.unixLocal;
    if (this.local === null) {
      _captureLocal(this);
      this.local = _info(this.localIp, this.localPort);
    }
    return this.local;
  }

  remoteAddress(): Endpoint {
    if (this.unixRemote !== null) return this.unixRemote;
    if (this.remote === null) {
      _captureRemote(this);
      this.remote = _info(this.remoteIp, this.remotePort);
    }
    return this.remote;
  }

  /** Detaches the owner and lets Bun go of the socket, gracefully or with a RST. */
  _release(abort: boolean): void {
    if (this.closed) return;
    this.closed = true;
    // Bytes Bun read but the owner never took are, for Node, still in the
    // kernel's receive queue: closing then sends a RST, never a clean FIN.
    const unread = this.pending !== null;
    this.ev = null;
    this.wCb = this.shutCb = null;
    this.wBuf = null;
    this.wRest = this.pending = null;
    if (this.released || this.sock === null) return;
    const s = this.sock;
    if (abort || unread) s.terminate();
    else {
      s.end();
      // end() releases at once in Bun 1.4; never leave the fd behind if not.
      if (!this.released) s.terminate();
    }
  }
}

/** A TCP connection: adds the RST and the TCP options. */
class _TcpConn extends _Conn {
  reset(cb: () => void): void {
    this._release(true);
    queueMicrotask(cb);
  }

  override setNoDelay(enable: boolean): void {
    this.nagleDue = false;
    if (!this.released) this.sock!.setNoDelay(enable);
  }

  override setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (!this.released) this.sock!.setKeepAlive(enable, initialDelayMs);
  }

  setTypeOfService(tos: number): string | null {
    if (!this.released) this.sock!.setTypeOfService?.(tos);
    return null;
  }

  getTypeOfService(): number | string {
    return this.released ? 0 : this.sock!.getTypeOfService?.() ?? 0;
  }
}

// Above this total, writev sends chunk by chunk instead of copying them together.
const _CONCAT_LIMIT = 64 * 1024;

function _info(address: string | undefined, port: number | undefined): AddressInfo | null {
  if (address === undefined || port === undefined) return null;
  return { address, family: address.includes(":") ? "IPv6" : "IPv4", port };
}

// Endpoint reads: each Bun field costs a getsockname/getpeername, so families
// come from the address text. Nothing is read once Bun released the socket.

function _captureLocal(c: _Conn): void {
  if (c.localIp !== undefined || c.released || c.sock === null) return;
  c.localIp = c.sock.localAddress;
  c.localPort = c.sock.localPort;
}

function _captureRemote(c: _Conn): void {
  if (c.remoteIp !== undefined || c.released || c.sock === null) return;
  c.remoteIp = c.sock.remoteAddress;
  c.remotePort = c.sock.remotePort;
}

/** Records whichever TCP endpoint is still unknown, while Bun can name it. */
function _captureEnds(c: _Conn): void {
  if (c.unixLocal !== null) return;
  _captureLocal(c);
  _captureRemote(c);
}

/**
 * Sends the FIN. Once both FINs are out Bun releases the socket and can no
 * longer name its ends. Sent first, ours leaves the owner reading until the
 * peer's FIN, so the ends are read now (a system call each). Sent after the
 * owner took the peer's FIN, it is usually the owner's last step before it
 * closes: the read then waits until the owner's pending ticks and microtasks
 * ran (Bun cannot release the socket before those drain), and is skipped
 * once the owner closed.
 */
function _sendFin(c: _Conn): void {
  if (!c.eofDelivered) _captureEnds(c);
  else if (c.unixLocal === null && (c.localIp === undefined || c.remoteIp === undefined)) {
    _deferCapture(c, _DEFER_ROUNDS);
  }
  c.sock!.shutdown();
}

// Rounds of microtask -> tick -> microtask a deferred read waits for the owner.
const _DEFER_ROUNDS = 3;

function _deferCapture(c: _Conn, rounds: number): void {
  queueMicrotask(() => nextTick(() => queueMicrotask(() => _deferredCapture(c, rounds))));
}

function _deferredCapture(c: _Conn, rounds: number): void {
  if (c.closed) return;
  if (rounds > 1) _deferCapture(c, rounds - 1);
  else _captureEnds(c);
}

function _queueFlush(c: _Conn): void {
  if (c.flushQueued) return;
  c.flushQueued = true;
  queueMicrotask(() => _flush(c));
}

/** Delivers what arrived while stopped, then the end-of-stream, in order. */
function _flush(c: _Conn): void {
  c.flushQueued = false;
  const q = c.pending;
  if (q !== null) {
    while (q.length > 0 && c.reading && c.ev !== null) c.ev.onData(q.shift()!);
    if (q.length > 0 || c.closed) return;
    c.pending = null;
  }
  if (c.eof && !c.eofDelivered && c.reading && c.ev !== null) {
    c.eofDelivered = true;
    c.ev.onEnd();
  }
}

/** Runs the first attempt of a write; `cb` is synchronous when it all went out. */
function _startWrite(c: _Conn): void {
  if (c.released) {
    _failWrite(c, undefined);
    return;
  }
  if (c.nagleDue) {
    c.nagleDue = false;
    c.sock!.setNoDelay(false);
  }
  const r = _pump(c);
  if (r === 1) _finishWrite(c);
  else if (r < 0) _failWrite(c, undefined);
}

/** Writes as much as the kernel takes: 1 all written, 0 blocked, -1 closed. */
function _pump(c: _Conn): number {
  const s = c.sock!;
  for (;;) {
    const buf = c.wBuf!;
    const left = buf.byteLength - c.wOff;
    const n = c.wOff === 0 ? s.write(buf) : s.write(buf, c.wOff, left);
    if (n < 0) return -1;
    if (n < left) {
      c.wOff += n;
      return 0;
    }
    const rest = c.wRest;
    if (rest === null || c.wNext >= rest.length) break;
    c.wBuf = rest[c.wNext++];
    c.wOff = 0;
  }
  c.wBuf = null;
  c.wRest = null;
  return 1;
}

function _finishWrite(c: _Conn): void {
  const cb = c.wCb!;
  c.wCb = null;
  const shut = c.shutCb;
  if (shut !== null) {
    c.shutCb = null;
    _sendFin(c);
    queueMicrotask(shut);
  }
  cb(null);
}

/** Fails the pending write (and a shutdown waiting on it), then reports onError once. */
function _failWrite(c: _Conn, bunErr: _BunError | undefined): void {
  const cb = c.wCb;
  const shut = c.shutCb;
  c.wCb = c.shutCb = null;
  c.wBuf = null;
  c.wRest = null;
  const code = bunErr?.code ?? c.releaseErr?.code ?? "EPIPE";
  const err = systemError({ code, syscall: "write", cause: bunErr });
  queueMicrotask(() => {
    if (c.closed) return;
    cb?.(err);
    shut?.(err);
    _reportError(c, err);
  });
}

function _reportError(c: _Conn, err: SystemError): void {
  if (c.errored || c.closed || c.ev === null) return;
  c.errored = true;
  c.ev.onError(err);
}

// Shared handlers: `socket.data` is the _Conn (a dial), or the _ListenState
// until the accept handler swaps in a fresh _Conn.

function _onData(s: _BunSocket, chunk: Buffer): void {
  const c = s.data as _Conn;
  if (c.closed) return;
  if (c.reading && c.pending === null) {
    c.ev!.onData(chunk);
    return;
  }
  (c.pending ??= []).push(chunk);
  if (!c.reading && !c.paused) {
    c.paused = true;
    s.pause();
  }
}

function _onDrain(s: _BunSocket): void {
  const c = s.data as _Conn;
  if (c.wCb === null || c.closed) return;
  const r = _pump(c);
  if (r === 1) _finishWrite(c);
  else if (r < 0) _failWrite(c, undefined);
}

function _onEnd(s: _BunSocket): void {
  const c = s.data as _Conn;
  if (c.closed || c.eof) return;
  c.eof = true;
  if (c.reading) _queueFlush(c);
}

function _onClose(s: _BunSocket, err?: _BunError): void {
  const c = s.data as _Conn;
  if (!(c instanceof _Conn) || c.released) return;
  c.released = true;
  c.releaseErr = err;
  if (c.closed) return;
  // Bun may call this synchronously inside write(); report from a microtask.
  queueMicrotask(() => _afterRelease(c));
}

function _afterRelease(c: _Conn): void {
  if (c.closed) return;
  const err = c.releaseErr;
  if (c.wCb !== null || c.shutCb !== null) {
    _failWrite(c, err);
    return;
  }
  if (err !== undefined) {
    const code = err.code ?? "ECONNRESET";
    const syscall = code === "EPIPE" ? "write" : err.syscall ?? "read";
    _reportError(c, systemError({ code, syscall, cause: err }));
    return;
  }
  if (!c.eof) {
    c.eof = true;
    // Already in a microtask: deliver now rather than queue another.
    if (c.reading) _flush(c);
  }
}

function _onDialOpen(s: _BunSocket): void {
  const c = s.data as _Conn;
  c.sock = s;
  if (c.unixLocal === null) {
    c.nagleDue = true;
    // An IPv4 literal dialled is already canonical: the peer costs no syscall.
    if (!c.dialAddress.includes(":")) {
      c.remoteIp = c.dialAddress;
      c.remotePort = c.dialPort;
    }
  }
  if (c.dialing) queueMicrotask(() => _dialOpened(c));
  else _dialOpened(c);
}

function _dialOpened(c: _Conn): void {
  const cb = c.dialCb;
  c.dialCb = null;
  if (c.cancelled || cb === null) {
    // A connection completing after cancel() is closed at once.
    c._release(false);
    return;
  }
  cb(null, c);
}

function _onDialError(s: _BunSocket | undefined, err: _BunError): void {
  const c = s?.data as _Conn | undefined;
  if (c === undefined) return;
  // A Unix dial to a missing path fails inside Bun.connect() itself.
  if (c.dialing) queueMicrotask(() => _dialFailed(c, err));
  else _dialFailed(c, err);
}

function _dialFailed(c: _Conn, err: _BunError | undefined): void {
  const cb = c.dialCb;
  c.dialCb = null;
  if (c.cancelled || cb === null) return;
  const code = err?.code ?? "ECONNREFUSED";
  const port = c.unixRemote === null ? c.dialPort : undefined;
  cb(systemError({ code, syscall: "connect", address: c.dialAddress, port, cause: err }));
}

const _DIAL_HANDLERS = {
  open: _onDialOpen,
  connectError: _onDialError,
  data: _onData,
  drain: _onDrain,
  end: _onEnd,
  close: _onClose,
  binaryType: "buffer",
};

/** What a listener's `data` holds: accepted sockets start with it. */
interface _ListenState {
  events: ListenerEvents;
  /** Unix socket path, or `null` for TCP. */
  path: string | null;
  /** Every accepted socket's local end when bound to one address (not a wildcard). */
  local: AddressInfo | null;
}

function _onAccept(s: _BunSocket): void {
  const ls = s.data as _ListenState;
  const c = ls.path === null ? new _TcpConn() : new _Conn();
  c.sock = s;
  if (ls.path === null) {
    c.nagleDue = true;
    const local = ls.local;
    if (local !== null) {
      // Known from the listener: costs no syscall.
      c.localIp = local.address;
      c.localPort = local.port;
    }
  } else {
    c.unixLocal = ls.path;
    c.unixRemote = _UNNAMED;
  }
  s.data = c;
  ls.events.onConnection(c);
}

const _ACCEPT_HANDLERS = {
  open: _onAccept,
  data: _onData,
  drain: _onDrain,
  end: _onEnd,
  close: _onClose,
  binaryType: "buffer",
};

/** A listening socket as core sees it. */
class _Listener implements ListenerHandle {
  constructor(
    private readonly _l: _BunListener,
    private readonly _addr: AddressInfo | string,
  ) {}

  address(): AddressInfo | string {
    return this._addr;
  }

  close(cb: () => void): void {
    this._l.stop(false);
    queueMicrotask(cb);
  }

  ref(): void {
    this._l.ref();
  }

  unref(): void {
    this._l.unref();
  }
}

function _dial(c: _Conn, options: Record<string, unknown>, cb: ConnectCallback): Dial {
  c.dialCb = cb;
  options.data = c;
  options.socket = _DIAL_HANDLERS;
  options.allowHalfOpen = true;
  c.dialing = true;
  try {
    // connectError reports the failure, and Bun then counts the promise's
    // rejection as handled: no catch (one promise and job less per dial).
    _bun().connect(options);
  } catch (e) {
    // Options Bun rejects up front (a port it cannot parse...) fail the dial.
    queueMicrotask(() => _dialFailed(c, e as _BunError));
  } finally {
    c.dialing = false;
  }
  return c;
}

function _connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
  const c = new _TcpConn();
  c.dialAddress = req.address;
  c.dialPort = req.port;
  const options: Record<string, unknown> = { hostname: req.address, port: req.port };
  if (req.localAddress !== undefined || req.localPort !== undefined) {
    // Node binds the wildcard of the dial's family when only a port is given.
    options.localAddress = req.localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
    if (req.localPort !== undefined) options.localPort = req.localPort;
  }
  return _dial(c, options, cb);
}

function _connectUnix(path: string, cb: ConnectCallback): Dial {
  const c = new _Conn();
  c.dialAddress = path;
  c.unixLocal = _UNNAMED;
  c.unixRemote = path;
  return _dial(c, { unix: path }, cb);
}

function _listenError(e: unknown, address: string, port?: number): SystemError {
  const code = (e as _BunError)?.code ?? "EINVAL";
  return systemError({ code, syscall: "listen", address, port, cause: e });
}

function _listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const state: _ListenState = { events, path: null, local: null };
  let l: _BunListener;
  try {
    l = _bun().listen({
      hostname: req.address,
      port: req.port,
      reusePort: req.reusePort,
      ipv6Only: req.ipv6Only,
      allowHalfOpen: true,
      data: state,
      socket: _ACCEPT_HANDLERS,
    });
  } catch (e) {
    // Bun.listen binds synchronously: the outcome goes back at once, as the contract asks.
    cb(_listenError(e, req.address, req.port));
    return;
  }
  const name: { address?: string; family?: string; port?: number } = {};
  l.getsockname(name);
  const addr = _info(name.address, name.port) ??
    { address: req.address, family: req.address.includes(":") ? "IPv6" : "IPv4", port: req.port };
  if (addr.address !== "0.0.0.0" && addr.address !== "::") state.local = addr;
  cb(null, new _Listener(l, addr));
}

function _listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const state: _ListenState = { events, path: req.path, local: null };
  let l: _BunListener;
  try {
    l = _bun().listen({
      unix: req.path,
      allowHalfOpen: true,
      data: state,
      socket: _ACCEPT_HANDLERS,
    });
  } catch (e) {
    cb(_listenError(e, req.path));
    return;
  }
  cb(null, new _Listener(l, req.path));
}

/** What a socket made from an fd holds until its open handler builds the handle. */
interface _FdOpening {
  conn: _Conn | null;
  err: _BunError | null;
}

function _onFdOpen(s: _BunSocket): void {
  const o = s.data as _FdOpening;
  // Bun knows addresses only for TCP; a Unix socket's ends stay unnamed.
  let c: _Conn;
  if (s.remotePort === undefined) {
    c = new _Conn();
    c.unixLocal = c.unixRemote = _UNNAMED;
  } else {
    c = new _TcpConn();
    c.nagleDue = true;
  }
  c.sock = s;
  s.data = c;
  o.conn = c;
}

function _onFdError(s: _BunSocket | undefined, err: _BunError): void {
  const o = s?.data as _FdOpening | undefined;
  if (o !== undefined) o.err = err;
}

const _FD_HANDLERS = { ..._ACCEPT_HANDLERS, open: _onFdOpen, connectError: _onFdError };

/** The kind of descriptor `fd` is, named as Node's ERR_INVALID_FD_TYPE names it. */
function _fdType(fd: number): string {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return "UNKNOWN";
  }
  if (st.isSocket()) return "SOCKET";
  if (st.isFIFO()) return "PIPE";
  if (st.isCharacterDevice() && isatty(fd)) return "TTY";
  if (st.isFile() || st.isCharacterDevice()) return "FILE";
  return "UNKNOWN";
}

/**
 * Wraps an inherited connected socket. Bun's `connect({ fd })` only takes
 * sockets: a pipe would open as a dead socket (ENOTSOCK on first use), so
 * pipes are refused up front, loudly.
 */
function _openFd(fd: number): StreamHandle {
  const type = _fdType(fd);
  if (type === "PIPE") throw errFeatureUnavailable("net.Socket({ fd }) on a pipe", "Bun");
  if (type !== "SOCKET") {
    throw codedTypeError("ERR_INVALID_FD_TYPE", `Unsupported fd type: ${type}`);
  }
  const o: _FdOpening = { conn: null, err: null };
  // Bun opens an fd socket synchronously inside connect(); the promise adds nothing.
  _bun().connect({ fd, data: o, socket: _FD_HANDLERS, allowHalfOpen: true }).catch(_noop);
  if (o.conn !== null) return o.conn;
  throw systemError({ code: o.err?.code ?? "EBADF", syscall: "open", cause: o.err ?? undefined });
}

const _FEATURES: TransportFeatures = Object.freeze({
  reusePort: true,
  ipv6Only: true,
  // Bun.listen takes no backlog; the runtime's own value is used.
  backlog: false,
  keepAliveDelay: true,
  localBind: true,
  // Bun's sockets set IP_TOS (setTypeOfService) since Bun 1.3.
  typeOfService: true,
});

/**
 * Creates the transport that runs sockets on Bun's native `Bun.connect` /
 * `Bun.listen`. Only call it on Bun: `Bun` is read when a socket is made.
 *
 * @returns The Bun transport (`openFd` wraps socket descriptors only, not pipes).
 * @example
 * ```ts
 * import { createBunTransport } from "./mod.ts";
 * const transport = createBunTransport();
 * console.log(transport.name, transport.features.backlog);
 * ```
 */
export function createBunTransport(): Transport {
  return {
    name: "bun",
    features: _FEATURES,
    connectTcp: _connectTcp,
    connectUnix: _connectUnix,
    listenTcp: _listenTcp,
    listenUnix: _listenUnix,
    openFd: _openFd,
  };
}
