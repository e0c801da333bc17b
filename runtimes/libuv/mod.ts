/**
 * The libuv adapter: Node's own TCP and Pipe handles, the objects `node:net`
 * itself is built on, reached through `process.binding()`.
 *
 * Going through `node:net` costs every connection a second stream stack (a
 * `net.Socket` Duplex inside the core Socket's Duplex); on handles, the core
 * Socket is the only stream. The handle API is not documented, so this
 * adapter is used only where it checks out at load time (see
 * `createLibuvTransport`); otherwise `runtimes/mod.ts` falls back to the
 * `node:net` adapter, which `OMNINET_TRANSPORT=node` also forces.
 *
 * How the handles behave, as relied on here (Node 20 to 26):
 * - `readStart()` delivers each read to `handle.onread(arrayBuffer)`; the
 *   byte count (or a negative errno, `UV_EOF` at end) and the offset are in
 *   the shared `streamBaseState` array.
 * - `writeBuffer`/`writev`/`shutdown`/`connect` take a request object whose
 *   `oncomplete(status, ...)` runs when an asynchronous operation finishes;
 *   a write that completed at once says so in `streamBaseState` instead.
 * - Methods return 0 or a negative errno; `util.getSystemErrorName` names it.
 *
 * Deno 2.9 ships the same handle layer under the same names (its own
 * `node:net` is built on it), natively and behind Deno's permission checks,
 * with a few differences handled here (`uv.deno`): a server's
 * `onconnection(status)` brings no client, which `accept(handle)` takes; a
 * reset neither closes the handle nor calls back; a TCP bind with flags goes
 * through `bindWithFlags` (plain `bind` ignores them); `IPV6_V6ONLY` is not
 * applied (so `features.ipv6Only` is false); a bind to a foreign address
 * reports `EINVAL` where the kernel said `EADDRNOTAVAIL`, and a pipe bind in
 * a missing directory `ENOENT` where libuv says `EACCES` (core's Unix listen
 * rule reads both as Node's `EACCES`). Descriptors are
 * wrapped with `open(fd)` after `guessHandleType`, as `node:net` does.
 *
 * `bindings.ts` loads and types the bindings, `stream.ts` is the connected
 * handle; this file dials, listens and accepts.
 * @module
 */
import type { SystemError } from "../../core/errors.ts";
import { errInvalidFdType } from "../../core/features.ts";
import { connectErrorLocal, NO_LOCAL } from "../../core/sys_errors.ts";
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  StreamHandle,
  TcpConnectRequest,
  TcpListenRequest,
  Transport,
  UnixListenRequest,
} from "../types.ts";
import { fixedLocal, knownPeer, noop, passOn } from "../_shared.ts";
import {
  closePhase,
  endpointOf,
  loadBindings,
  OWNER,
  type RawServer,
  type RawStream,
  type Req,
  uv,
  UV_EADDRINUSE,
  UV_EADDRNOTAVAIL,
  UV_EEXIST,
  UV_EINVAL,
  uvCode,
  uvError,
} from "./bindings.ts";
import { UvStream, UvTcpStream } from "./stream.ts";
import { adoptNodeBound, bindTcp, bindUnix, type BoundOps, lendDescriptorOps } from "./bound.ts";
import { nativeBound } from "../node/native_bound.ts";

/** A dial in flight: the handle plus what the connect callback needs. */
class _UvDial implements Dial {
  readonly #h: RawStream;
  #cb: ConnectCallback | null;
  readonly #address: string;
  readonly #port: number | undefined;
  /** The peer when known without asking the kernel (see knownPeer). */
  readonly #peer: AddressInfo | undefined;
  /** Deno: the local end of a bound socket, read before it dials (see `#lateLocal`). */
  bound: string | undefined = undefined;

  constructor(
    h: RawStream,
    cb: ConnectCallback,
    address: string,
    port?: number,
    peer?: AddressInfo,
  ) {
    this.#h = h;
    this.#cb = cb;
    this.#address = address;
    this.#port = port;
    this.#peer = peer;
  }

  cancel(): void {
    if (this.#cb === null) return;
    this.#cb = null;
    this.#h.close();
  }

  /** Fails the dial on a later microtask (an error from the call itself). */
  failLater(err: SystemError): void {
    queueMicrotask(() => {
      const cb = this.#cb;
      if (cb === null) return;
      this.#cb = null;
      this.#h.close();
      cb(err);
    });
  }

  /**
   * Deno's handles report every connect error here, also those Node's connect call returns at
   * once, whose message names the local end: by the code (`connectErrorLocal`), the end read
   * from the handle where it has one (a bound socket's).
   */
  #lateLocal(status: number): string | undefined {
    if (!uv.deno || this.#port === undefined) return undefined;
    const byCode = connectErrorLocal(uvCode(status), this.#address);
    // A bound socket names its end (also for EAFNOSUPPORT: the socket exists).
    return byCode === undefined ? undefined : this.bound ?? byCode;
  }

  /** @internal the connect request finished. */
  _connected(status: number): void {
    const cb = this.#cb;
    if (cb === null) return;
    this.#cb = null;
    if (status < 0) {
      const err = uvError(status, "connect", this.#address, this.#port, this.#lateLocal(status));
      this.#h.close();
      return cb(err);
    }
    cb(
      null,
      this.#port === undefined
        ? new UvStream(this.#h, false, "", this.#address)
        : new UvTcpStream(this.#h, true, undefined, this.#peer),
    );
  }
}

// User code runs inside these two ('connect', 'connection'): see passOn.
function _afterConnect(this: Req, status: number): void {
  const dial = this[OWNER] as _UvDial;
  this[OWNER] = undefined;
  try {
    dial._connected(status);
  } catch (err) {
    passOn(err);
  }
}

/** A listening TCP or Pipe handle behind the ListenerHandle contract. */
class _UvListener implements ListenerHandle {
  readonly #h: RawServer;
  readonly #events: ListenerEvents;
  readonly #path: string | undefined;
  readonly #address: AddressInfo | string;
  /** Every accepted socket's local end, when bound to one address (not a wildcard). */
  readonly #acceptLocal: AddressInfo | undefined;
  #closed = false;

  constructor(h: RawServer, events: ListenerEvents, address: AddressInfo | string) {
    this.#h = h;
    this.#events = events;
    this.#address = address;
    this.#path = typeof address === "string" ? address : undefined;
    this.#acceptLocal = typeof address === "string" ? undefined : fixedLocal(address);
    h[OWNER] = this;
    h.onconnection = _onConnection;
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  close(cb: () => void): boolean {
    queueMicrotask(cb);
    if (this.#closed) return true;
    this.#closed = true;
    this.#h.onconnection = noop;
    // The descriptor (and a Unix path) is released within close(), so the
    // server's 'close' need not wait for the handle's close callback (Node's
    // does not); the closing handle still keeps the loop up until that turn.
    this.#h.close();
    return true;
  }

  ref(): void {
    if (!this.#closed) this.#h.ref();
  }

  unref(): void {
    if (!this.#closed) this.#h.unref();
  }

  nativeHandle(): unknown {
    // In a round-robin cluster worker this is cluster's stand-in, as node:net's `_handle` is there.
    return this.#closed ? undefined : this.#h;
  }

  /** @internal a connection was accepted (or accepting failed). */
  _accepted(status: number, client: RawStream | undefined): void {
    if (status === 0 && client === undefined && this.#h.accept) {
      const c = this.#path === undefined ? new uv.TCP(uv.tcp.SOCKET) : new uv.Pipe(uv.pipe.SOCKET);
      status = this.#h.accept(c);
      if (status === 0) client = c;
      else c.close();
    }
    if (status < 0 || client === undefined) {
      if (!this.#closed) this.#events.onError(uvError(status < 0 ? status : -5, "accept"));
      return;
    }
    if (this.#closed) return client.close();
    const path = this.#path;
    this.#events.onConnection(
      path === undefined
        ? new UvTcpStream(client, true, this.#acceptLocal, undefined, true)
        : new UvStream(client, false, path, "", true),
    );
  }
}

/**
 * Takes over a listening handle node:net made (a cluster worker's): the real
 * TCP or Pipe handle the primary shared, or cluster's round-robin stand-in,
 * whose close() takes no callback (it only tells the primary).
 */
function _adoptListening(
  handle: unknown,
  address: AddressInfo | string,
  events: ListenerEvents,
): ListenerHandle {
  const h = handle as RawServer & { getAsyncId?: unknown };
  if (typeof h.getAsyncId !== "function") {
    const close = h.close;
    h.close = (cb?: () => void) => {
      close.call(h);
      if (cb) queueMicrotask(cb);
    };
  }
  return new _UvListener(h, events, address);
}

function _onConnection(this: RawServer, status: number, client?: RawStream): void {
  try {
    (this[OWNER] as _UvListener)._accepted(status, client);
  } catch (err) {
    passOn(err);
  }
}

function _connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
  const h = (req.handle as _TcpHandle | undefined) ?? new uv.TCP(uv.tcp.SOCKET);
  const dial = new _UvDial(h, cb, req.address, req.port, knownPeer(req));
  if (req.localAddress !== undefined || req.localPort !== undefined) {
    const local = req.localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
    const port = req.localPort ?? 0;
    const out: Record<string, unknown> = {};
    const err = _boundTo(
      h,
      _bindError(req.family === 6 ? h.bind6(local, port, 0) : h.bind(local, port), local),
      port,
      out,
    );
    if (err < 0) {
      dial.failLater(uvError(err, "bind", local, req.localPort));
      return dial;
    }
    if (uv.deno) dial.bound = _localOf(h);
    req.bound?.(endpointOf(out) ?? undefined);
  }
  return _startTcp(h, dial, req);
}

function _startTcp(h: _TcpHandle, dial: _UvDial, req: TcpConnectRequest): Dial {
  const creq = new uv.TCPConnectWrap();
  creq.oncomplete = _afterConnect;
  creq[OWNER] = dial;
  const err = req.family === 6
    ? h.connect6(creq, req.address, req.port)
    : h.connect(creq, req.address, req.port);
  if (err < 0) dial.failLater(uvError(err, "connect", req.address, req.port, _localOf(h)));
  return dial;
}

/**
 * The local end Node names in the error of a connect call that failed at once: the
 * socket's, as getsockname() gives it (`0.0.0.0:0` unbound), or none where the socket was
 * never created.
 */
function _localOf(h: _TcpHandle): string {
  const out: Record<string, unknown> = {};
  return h.getsockname?.(out) === 0 ? `${out.address}:${out.port}` : NO_LOCAL;
}

type _TcpHandle = InstanceType<typeof uv.TCP>;
type _PipeHandle = InstanceType<typeof uv.Pipe>;

function _connectUnix(path: string, cb: ConnectCallback, handle?: object): Dial {
  return _startUnix((handle as _PipeHandle | undefined) ?? new uv.Pipe(uv.pipe.SOCKET), path, cb);
}

// A connecting socket's handle, made at connect() before the lookup (Transport.dialHandle).
function _dialHandle(pipe: boolean): object {
  return pipe ? new uv.Pipe(uv.pipe.SOCKET) : new uv.TCP(uv.tcp.SOCKET);
}

function _dropDialHandle(handle: object): void {
  (handle as RawStream).close();
}

function _startUnix(h: _PipeHandle, path: string, cb: ConnectCallback): Dial {
  const dial = new _UvDial(h, cb, path);
  const creq = new uv.PipeConnectWrap();
  creq.oncomplete = _afterConnect;
  creq[OWNER] = dial;
  const err = h.connect(creq, path);
  // Node names no local end for a pipe (its handle has none to give).
  if (err < 0) dial.failLater(uvError(err, "connect", path, undefined, NO_LOCAL));
  return dial;
}

// Deno reports a bind to an address no interface has as EINVAL, which a
// fresh socket cannot otherwise get, except for a link-local address
// without a scope (EINVAL on Node too).
function _bindError(status: number, address: string): number {
  if (!uv.deno || status !== UV_EINVAL || /^fe80:/i.test(address)) return status;
  return UV_EADDRNOTAVAIL;
}

/**
 * A bind's status as Node checks it before connecting: libuv keeps EADDRINUSE
 * for the connect call (where getsockname() reports it), and Deno's handle
 * binds nothing when the port is taken (getsockname() says port 0). `out`
 * gets the bound end.
 */
function _boundTo(
  h: _TcpHandle,
  status: number,
  port: number,
  out: Record<string, unknown>,
): number {
  if (status !== 0 || h.getsockname === undefined) return status;
  const err = h.getsockname(out);
  if (port === 0) return 0;
  return err < 0 ? err : out.port === port ? 0 : UV_EADDRINUSE;
}

function _listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const h = new uv.TCP(uv.tcp.SERVER);
  const flags = (req.ipv6Only ? uv.tcp.UV_TCP_IPV6ONLY : 0) |
    (req.reusePort ? uv.tcp.UV_TCP_REUSEPORT ?? 0 : 0);
  let err = _bindError(
    req.address.includes(":")
      ? h.bind6(req.address, req.port, flags)
      : flags !== 0 && h.bindWithFlags
      ? h.bindWithFlags(req.address, req.port, flags)
      : h.bind(req.address, req.port, flags),
    req.address,
  );
  // libuv reports some bind errors (EADDRINUSE) only from listen().
  if (err === 0) err = h.listen(req.backlog);
  const out: Record<string, unknown> = {};
  if (err === 0) err = h.getsockname!(out);
  if (err < 0) {
    h.close();
    return cb(uvError(err, "listen", req.address, req.port));
  }
  cb(null, new _UvListener(h, events, endpointOf(out)!));
}

/** Listens on a handle bound already (a BoundSocket's); `path` for a Unix one. */
function _listenBound(
  h: RawServer,
  backlog: number,
  events: ListenerEvents,
  cb: ListenCallback,
  path?: string,
): void {
  let err = h.listen(backlog);
  const out: Record<string, unknown> = {};
  if (err === 0 && path === undefined) err = h.getsockname!(out);
  if (err < 0) {
    h.close();
    return cb(uvError(err, "listen"));
  }
  cb(null, new _UvListener(h, events, path ?? endpointOf(out)!));
}

const _BOUND_OPS: BoundOps = {
  listen: _listenBound,
  dialTcp: (h, req, cb) => {
    const dial = new _UvDial(h, cb, req.address, req.port, knownPeer(req));
    if (uv.deno) dial.bound = _localOf(h as _TcpHandle);
    return _startTcp(h as _TcpHandle, dial, req);
  },
  dialUnix: (h, path, cb) => _startUnix(h as _PipeHandle, path, cb),
  bindError: _bindError,
};

function _listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const h = new uv.Pipe(uv.pipe.SERVER);
  let err = h.bind(req.path);
  if (err === 0) err = h.listen(req.backlog);
  if (err < 0) {
    h.close();
    return cb(uvError(err, "listen", req.path));
  }
  cb(null, new _UvListener(h, events, req.path));
}

/** Wraps a socket or pipe descriptor (Deno: `net.Socket({ fd })` as Deno's node:net does it). */
function _openFd(fd: number): StreamHandle {
  const type = uv.guessHandleType!(fd);
  if (type !== "TCP" && type !== "PIPE") throw errInvalidFdType(type);
  const tcp = type === "TCP";
  const h = tcp ? new uv.TCP(uv.tcp.SOCKET) : new uv.Pipe(uv.pipe.SOCKET);
  const err = h.open!(fd);
  if (err < 0) {
    h.close();
    throw uvError(err, "open");
  }
  // Deno's TCP handle opened on a descriptor is not polled yet either, as an accepted one: its
  // first writes go to the kernel through a second handle (UvStream's `fresh`). A Pipe opened
  // on a descriptor writes within the call already.
  return tcp ? new UvTcpStream(h, true, undefined, undefined, true) : new UvStream(h, false);
}

/**
 * Takes over a connected TCP or Pipe handle of the runtime (`net.Socket({ handle })`,
 * e.g. another socket's `_handle`): from now on its reads come here. `null` for
 * anything else.
 */
function _openHandle(handle: object): StreamHandle | null {
  if (handle instanceof uv.TCP) return new UvTcpStream(handle as RawStream, true);
  if (handle instanceof uv.Pipe) return new UvStream(handle as RawStream, false);
  return null;
}

/** Listens on a bound socket descriptor (Deno: `listen({ fd })` as Deno's node:net does it). */
function _listenFd(fd: number, backlog: number, events: ListenerEvents, cb: ListenCallback): void {
  const type = uv.guessHandleType!(fd);
  if (type !== "TCP" && type !== "PIPE") return cb(uvError(UV_EINVAL, "listen"));
  const tcp = type === "TCP";
  const h = tcp ? new uv.TCP(uv.tcp.SERVER) : new uv.Pipe(uv.pipe.SERVER);
  let err = h.open!(fd);
  if (err === 0) err = h.listen(backlog);
  const out: Record<string, unknown> = {};
  if (err === 0 && tcp) err = h.getsockname!(out);
  if (err < 0) {
    h.close();
    return cb(uvError(err, "listen"));
  }
  // A Unix socket's path is not asked for: Node's address() has none either.
  cb(null, new _UvListener(h, events, tcp ? endpointOf(out)! : ""));
}

function _isListenHandle(handle: unknown): boolean {
  return handle instanceof uv.TCP ||
    (handle instanceof uv.Pipe && (handle as { fd?: number }).fd! >= 0);
}

/**
 * `listen(handle)` on a TCP or Pipe handle someone else made (a `node:net`
 * Server's, e.g. the one a child process received): listening again only
 * sets the backlog, as Node's own `listen(handle)` does; from then on the
 * handle calls this listener. The handle is not closed on failure: it is
 * still its first owner's.
 */
function _listenHandle(
  handle: unknown,
  backlog: number,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  const h = handle as RawServer;
  const tcp = handle instanceof uv.TCP;
  // Node takes over a TCP handle only, and reads any other as options: a Pipe's descriptor
  // makes it listen({ fd }), which fails with EEXIST while the loop polls that descriptor
  // (the Pipe of a listening server). Deno's handles would take the descriptor and break
  // that server; a Pipe not listening yet (one a child process received) is taken over.
  if (!tcp && typeof h.onconnection === "function") return cb(uvError(UV_EEXIST, "listen"));
  let err = h.listen(backlog);
  const out: Record<string, unknown> = {};
  if (err === 0 && tcp) err = h.getsockname!(out);
  if (err < 0) return cb(uvError(err, "listen"));
  // A Unix socket's path is not asked for: Node's address() has none either.
  cb(null, new _UvListener(h, events, tcp ? endpointOf(out)! : ""));
}

/**
 * Creates the libuv transport, or returns `null` where Node's handle
 * bindings are missing, changed, or off limits (permission model,
 * `--pending-deprecation`); the `node:net` adapter then serves.
 * @param fallback the `node:net` transport, for what handles do not cover (`fd`)
 * @returns a Transport on Node's TCP and Pipe handles, or `null`
 * @example
 * ```ts
 * import { getTransport } from "../mod.ts";
 * const fallback = getTransport();
 * const t = createLibuvTransport(fallback) ?? fallback;
 * ```
 */
export function createLibuvTransport(fallback: Transport): Transport | null {
  const b = loadBindings();
  if (b === null) return null;
  const reusePort = typeof b.tcp.UV_TCP_REUSEPORT === "number";
  const transport: Transport = {
    name: "libuv",
    features: b.deno
      // Deno's handles take the IPv6-only flag but never set IPV6_V6ONLY; their
      // setKeepAlive takes (enable, delay) only, so no keepAliveProbes.
      ? {
        reusePort,
        ipv6Only: false,
        backlog: true,
        keepAliveDelay: true,
        localBind: true,
        nativeTls: true,
        // The same TCP and Pipe classes Deno's node:net sockets keep as `_handle`: its
        // child_process sends one (fdForIpc), its node:tls wraps one natively.
        nativeStreamHandles: true,
      }
      : {
        ...fallback.features,
        reusePort,
        // The handles take the probe interval and count where node:net passes them
        // (Node 24.21+ and 26): the node:net transport's keepAliveProbes says so.
        keepAliveProbes: fallback.features.keepAliveProbes === true,
        // Node 24.21+ and 26 handles can set IP_TOS; Node 20's cannot.
        typeOfService: typeof (b.TCP.prototype as { setTypeOfService?: unknown })
          .setTypeOfService === "function",
        nativeTls: true,
        // libuv calls a closed handle back from its close phase. Not said of
        // Deno's handles: emitting 'close' from their callback hung
        // examples/chat.mjs (its server never closed).
        closeFromLoop: true,
        nativeStreamHandles: true,
      },
    connectTcp: _connectTcp,
    connectUnix: _connectUnix,
    dialHandle: _dialHandle,
    dropDialHandle: _dropDialHandle,
    listenTcp: _listenTcp,
    listenUnix: _listenUnix,
    adoptListening: _adoptListening,
    isListenHandle: _isListenHandle,
    listenHandle: _listenHandle,
    // The runtime's own handles are driven here; anything else goes to node:net's Socket.
    openHandle: (h) => _openHandle(h) ?? fallback.openHandle!(h),
  };
  transport.features.boundSocket = true;
  // Deno's handles call back where Node's do for this (tests/fixtures/close_turns.ts, `lookup`).
  transport.afterLoopTurn = closePhase;
  lendDescriptorOps(_BOUND_OPS);
  transport.bindTcp = (req) => bindTcp(req, _BOUND_OPS);
  transport.bindUnix = (path) => bindUnix(path, _BOUND_OPS);
  const native = nativeBound();
  if (native !== null) {
    transport.adoptBound = (bound) =>
      adoptNodeBound(bound, native.consume, native.path, _BOUND_OPS);
  }
  if (b.guessHandleType) {
    transport.openFd = _openFd;
    transport.listenFd = _listenFd;
  } else {
    // On Node, node:net wraps descriptors (its listener hands out node:net sockets).
    if (fallback.openFd) transport.openFd = fallback.openFd;
    if (fallback.listenFd) transport.listenFd = fallback.listenFd;
  }
  return transport;
}
