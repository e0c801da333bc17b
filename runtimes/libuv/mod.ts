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
 * @module
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import { getSystemErrorName } from "node:util";
import { type SystemError, systemError } from "../../core/errors.ts";
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
  UnixListenRequest,
} from "../types.ts";
import { fixedLocal, ipEndpoint, knownPeer } from "../_shared.ts";

type _Cb = (err?: SystemError | null) => void;

/** What the stream handles (TCP and Pipe) offer. */
interface _RawStream {
  onread: (this: _RawStream, buf: ArrayBuffer | undefined) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: _Req, data: Uint8Array): number;
  writev(req: _Req, chunks: Uint8Array[], allBuffers: boolean): number;
  shutdown(req: _Req): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  setNoDelay?(enable: boolean): number;
  setKeepAlive?(enable: boolean, delaySeconds: number): number;
  setTypeOfService?(tos: number): number;
  getTypeOfService?(): number;
  reset?(cb: () => void): number;
  [_OWNER]?: unknown;
}

/** A server handle (TCP or Pipe). */
interface _RawServer {
  onconnection: (this: _RawServer, status: number, client?: _RawStream) => void;
  listen(backlog: number): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  [_OWNER]?: unknown;
}

/** A request object (connect, write, shutdown). */
interface _Req {
  oncomplete: (this: _Req, status: number) => void;
  handle?: _RawStream;
  async?: boolean;
  /** Keeps the written bytes alive while the kernel has not taken them. */
  data?: unknown;
  [_OWNER]?: unknown;
}

type _ReqClass = new () => _Req;

/** The bindings this adapter uses, checked once. */
interface _Bindings {
  TCP: new (type: number) => _RawStream & _RawServer & {
    bind(address: string, port: number, flags?: number): number;
    bind6(address: string, port: number, flags: number): number;
    connect(req: _Req, address: string, port: number): number;
    connect6(req: _Req, address: string, port: number): number;
  };
  Pipe: new (type: number) => _RawStream & _RawServer & {
    bind(path: string): number;
    connect(req: _Req, path: string): number;
  };
  TCPConnectWrap: _ReqClass;
  PipeConnectWrap: _ReqClass;
  WriteWrap: _ReqClass;
  ShutdownWrap: _ReqClass;
  state: Int32Array;
  kNread: number;
  kOffset: number;
  kAsync: number;
  tcp: { SOCKET: number; SERVER: number; UV_TCP_IPV6ONLY: number; UV_TCP_REUSEPORT?: number };
  pipe: { SOCKET: number; SERVER: number };
}

const _OWNER: unique symbol = Symbol("omninet.owner");
const _UV_EOF = -4095;

function _noop(): void {}

let _b: _Bindings;

function _code(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return "EIO";
  }
}

function _error(status: number, syscall: string, address?: string, port?: number): SystemError {
  return systemError({ code: _code(status), syscall, address, port });
}

function _endpoint(out: Record<string, unknown>): AddressInfo | null {
  return ipEndpoint(out.address, out.family, out.port);
}

/** A connected TCP or Pipe handle behind the StreamHandle contract. */
class _UvStream implements StreamHandle {
  readonly #h: _RawStream;
  readonly #tcp: boolean;
  #events: HandleEvents | null = null;
  #closed = false;
  #reading = false;
  /** EOF or a read error came: the handle reads no more. */
  #readDone = false;
  #error: SystemError | null = null;
  #local: Endpoint | undefined;
  #remote: Endpoint | undefined;

  constructor(h: _RawStream, tcp: boolean, local?: Endpoint, remote?: Endpoint) {
    this.#h = h;
    this.#tcp = tcp;
    this.#local = local;
    this.#remote = remote;
    h[_OWNER] = this;
    h.onread = _onRead;
    // Read while connected: after both FINs or a reset the kernel no longer
    // names the peer (getsockname keeps working until close).
    if (tcp) this.remoteAddress();
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed || this.#reading || this.#readDone) return;
    this.#reading = true;
    const err = this.#h.readStart();
    if (err < 0) this.#readFailed(err);
  }

  readStop(): void {
    // Stops the kernel reads at once: nothing is held, unread bytes stay in
    // the kernel, the peer sees TCP flow control (or a RST on close).
    if (this.#closed || !this.#reading) return;
    this.#reading = false;
    this.#h.readStop();
  }

  write(chunk: Uint8Array, cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null || chunk.length === 0) return this.#later(cb);
    const req = new _b.WriteWrap();
    const err = this.#h.writeBuffer(this.#prepare(req, chunk, cb), chunk);
    this.#afterDispatch(req, err, cb);
  }

  writev(chunks: Uint8Array[], cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#later(cb);
    const req = new _b.WriteWrap();
    const err = this.#h.writev(this.#prepare(req, chunks, cb), chunks, true);
    this.#afterDispatch(req, err, cb);
  }

  shutdown(cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#later(cb);
    const req = new _b.ShutdownWrap();
    req.handle = this.#h;
    req.oncomplete = _afterShutdown;
    req.data = cb;
    // A failed shutdown (the peer is gone) surfaces as a read error, as in Node.
    if (this.#h.shutdown(req) < 0) this.#later(cb);
  }

  close(cb: () => void): void {
    if (this.#closed) return void queueMicrotask(cb);
    this.#release();
    this.#h.close(cb);
  }

  /** Closes with a RST (TCP only: `_UvTcpStream` exposes it as `reset`). */
  protected abort(cb: () => void): void {
    if (this.#closed) return void queueMicrotask(cb);
    this.#release();
    // reset() sets SO_LINGER 0 and closes; where it cannot, a plain close.
    if (this.#h.reset!(cb) !== 0) this.#h.close(cb);
  }

  setNoDelay(enable: boolean): void {
    if (this.#tcp && !this.#closed) this.#h.setNoDelay!(enable);
  }

  setTypeOfService(tos: number): string | null {
    if (!this.#tcp || this.#closed || !this.#h.setTypeOfService) return null;
    const err = this.#h.setTypeOfService(tos);
    return err ? getSystemErrorName(err) : null;
  }

  getTypeOfService(): number | string {
    if (!this.#tcp || this.#closed || !this.#h.getTypeOfService) return 0;
    const res = this.#h.getTypeOfService();
    return res < 0 ? getSystemErrorName(res) : res;
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (this.#tcp && !this.#closed) {
      this.#h.setKeepAlive!(enable, Math.floor(initialDelayMs / 1000));
    }
  }

  ref(): void {
    if (!this.#closed) this.#h.ref();
  }

  unref(): void {
    if (!this.#closed) this.#h.unref();
  }

  localAddress(): Endpoint {
    if (this.#local === undefined) this.#local = this.#ask("getsockname");
    return this.#local;
  }

  remoteAddress(): Endpoint {
    if (this.#remote === undefined) this.#remote = this.#ask("getpeername");
    return this.#remote;
  }

  #ask(which: "getsockname" | "getpeername"): Endpoint {
    if (this.#closed) return null;
    const out: Record<string, unknown> = {};
    return this.#h[which]!(out) === 0 ? _endpoint(out) : null;
  }

  #release(): void {
    if (this.#tcp) {
      // Addresses stay answerable after close.
      this.localAddress();
      this.remoteAddress();
    }
    this.#closed = true;
    // The handle insists on a function here. Unlinking the handle from this
    // object lets a closed connection die young: native handles and requests
    // outlive their last callback until V8 collects them.
    this.#h.onread = _noop;
    this.#h[_OWNER] = undefined;
  }

  #prepare(req: _Req, data: unknown, cb: _Cb): _Req {
    req.handle = this.#h;
    req.oncomplete = _afterWrite;
    req.async = false;
    req.data = data;
    req[_OWNER] = cb;
    return req;
  }

  #afterDispatch(req: _Req, err: number, cb: _Cb): void {
    if (err < 0) {
      req.oncomplete = _noop;
      const e = _error(err, "write");
      return void queueMicrotask(() => this.#writeFailed(cb, e));
    }
    // Written at once: the request is spent; otherwise oncomplete follows.
    if (_b.state[_b.kAsync] !== 0) return;
    req.data = req[_OWNER] = req.handle = undefined;
    cb();
  }

  #writeFailed(cb: _Cb, err: SystemError): void {
    if (this.#closed) return;
    cb(err);
    this.#fail(err);
  }

  #later(cb: _Cb): void {
    queueMicrotask(() => {
      if (!this.#closed) cb(this.#error);
    });
  }

  #fail(err: SystemError): void {
    if (this.#closed || this.#error !== null) return;
    this.#error = err;
    this.#events?.onError(err);
  }

  /** @internal one read's result, from `_onRead`. */
  _read(buf: ArrayBuffer | undefined): void {
    if (this.#closed) return;
    const n = _b.state[_b.kNread];
    if (n > 0) return this.#events!.onData(Buffer.from(buf!, _b.state[_b.kOffset], n));
    if (n < 0) this.#readFailed(n);
  }

  #readFailed(status: number): void {
    this.#readDone = true;
    this.#reading = false;
    this.#h.readStop();
    if (status === _UV_EOF) this.#events!.onEnd();
    else this.#fail(_error(status, "read"));
  }

  /** @internal an asynchronous write finished. */
  _written(req: _Req, status: number): void {
    if (this.#closed) return;
    const cb = req[_OWNER] as _Cb;
    if (status >= 0) return cb();
    this.#writeFailed(cb, _error(status, "write"));
  }

  /** @internal the FIN went out (or could not). */
  _shutDown(cb: _Cb): void {
    if (!this.#closed) cb(this.#error);
  }
}

/** A TCP stream: it can also abort with a RST. */
class _UvTcpStream extends _UvStream {
  reset(cb: () => void): void {
    this.abort(cb);
  }
}

function _onRead(this: _RawStream, buf: ArrayBuffer | undefined): void {
  (this[_OWNER] as _UvStream)._read(buf);
}

function _afterWrite(this: _Req, status: number): void {
  (this.handle![_OWNER] as _UvStream | undefined)?._written(this, status);
  this.data = this[_OWNER] = this.handle = undefined;
}

function _afterShutdown(this: _Req): void {
  (this.handle![_OWNER] as _UvStream | undefined)?._shutDown(this.data as _Cb);
  this.data = this.handle = undefined;
}

/** A dial in flight: the handle plus what the connect callback needs. */
class _UvDial implements Dial {
  readonly #h: _RawStream;
  #cb: ConnectCallback | null;
  readonly #address: string;
  readonly #port: number | undefined;
  readonly #remote: AddressInfo | undefined;

  constructor(
    h: _RawStream,
    cb: ConnectCallback,
    address: string,
    port?: number,
    remote?: AddressInfo,
  ) {
    this.#h = h;
    this.#cb = cb;
    this.#address = address;
    this.#port = port;
    this.#remote = remote;
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

  /** @internal the connect request finished. */
  _connected(status: number): void {
    const cb = this.#cb;
    if (cb === null) return;
    this.#cb = null;
    if (status < 0) {
      this.#h.close();
      return cb(_error(status, "connect", this.#address, this.#port));
    }
    cb(
      null,
      this.#port !== undefined
        ? new _UvTcpStream(this.#h, true, undefined, this.#remote)
        : new _UvStream(this.#h, false, "", this.#address),
    );
  }
}

function _afterConnect(this: _Req, status: number): void {
  const dial = this[_OWNER] as _UvDial;
  this[_OWNER] = undefined;
  dial._connected(status);
}

/** A listening TCP or Pipe handle behind the ListenerHandle contract. */
class _UvListener implements ListenerHandle {
  readonly #h: _RawServer;
  readonly #events: ListenerEvents;
  readonly #path: string | undefined;
  readonly #address: AddressInfo | string;
  /** Every accepted socket's local end, when bound to one address (not a wildcard). */
  readonly #acceptLocal: AddressInfo | undefined;
  #closed = false;

  constructor(h: _RawServer, events: ListenerEvents, address: AddressInfo | string) {
    this.#h = h;
    this.#events = events;
    this.#address = address;
    this.#path = typeof address === "string" ? address : undefined;
    this.#acceptLocal = typeof address === "string" ? undefined : fixedLocal(address);
    h[_OWNER] = this;
    h.onconnection = _onConnection;
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  close(cb: () => void): void {
    if (this.#closed) return void queueMicrotask(cb);
    this.#closed = true;
    this.#h.onconnection = _noop;
    this.#h.close(cb);
  }

  ref(): void {
    if (!this.#closed) this.#h.ref();
  }

  unref(): void {
    if (!this.#closed) this.#h.unref();
  }

  /** @internal a connection was accepted (or accepting failed). */
  _accepted(status: number, client: _RawStream | undefined): void {
    if (status < 0 || client === undefined) {
      if (!this.#closed) this.#events.onError(_error(status < 0 ? status : -5, "accept"));
      return;
    }
    if (this.#closed) return client.close();
    const path = this.#path;
    this.#events.onConnection(
      path === undefined
        ? new _UvTcpStream(client, true, this.#acceptLocal)
        : new _UvStream(client, false, path, ""),
    );
  }
}

function _onConnection(this: _RawServer, status: number, client?: _RawStream): void {
  (this[_OWNER] as _UvListener)._accepted(status, client);
}

function _connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
  const h = new _b.TCP(_b.tcp.SOCKET);
  const dial = new _UvDial(h, cb, req.address, req.port, knownPeer(req));
  if (req.localAddress !== undefined || req.localPort !== undefined) {
    const local = req.localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
    const port = req.localPort ?? 0;
    const err = req.family === 6 ? h.bind6(local, port, 0) : h.bind(local, port);
    if (err < 0) {
      dial.failLater(_error(err, "bind", local, req.localPort));
      return dial;
    }
  }
  const creq = new _b.TCPConnectWrap();
  creq.oncomplete = _afterConnect;
  creq[_OWNER] = dial;
  const err = req.family === 6
    ? h.connect6(creq, req.address, req.port)
    : h.connect(creq, req.address, req.port);
  if (err < 0) dial.failLater(_error(err, "connect", req.address, req.port));
  return dial;
}

function _connectUnix(path: string, cb: ConnectCallback): Dial {
  const h = new _b.Pipe(_b.pipe.SOCKET);
  const dial = new _UvDial(h, cb, path);
  const creq = new _b.PipeConnectWrap();
  creq.oncomplete = _afterConnect;
  creq[_OWNER] = dial;
  const err = h.connect(creq, path);
  if (err < 0) dial.failLater(_error(err, "connect", path));
  return dial;
}

function _listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const h = new _b.TCP(_b.tcp.SERVER);
  const flags = (req.ipv6Only ? _b.tcp.UV_TCP_IPV6ONLY : 0) |
    (req.reusePort ? _b.tcp.UV_TCP_REUSEPORT ?? 0 : 0);
  let err = req.address.includes(":")
    ? h.bind6(req.address, req.port, flags)
    : h.bind(req.address, req.port, flags);
  // libuv reports some bind errors (EADDRINUSE) only from listen().
  if (err === 0) err = h.listen(req.backlog);
  const out: Record<string, unknown> = {};
  if (err === 0) err = h.getsockname!(out);
  if (err < 0) {
    h.close();
    return cb(_error(err, "listen", req.address, req.port));
  }
  cb(null, new _UvListener(h, events, _endpoint(out)!));
}

function _listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const h = new _b.Pipe(_b.pipe.SERVER);
  let err = h.bind(req.path);
  if (err === 0) err = h.listen(req.backlog);
  if (err < 0) {
    h.close();
    return cb(_error(err, "listen", req.path));
  }
  cb(null, new _UvListener(h, events, req.path));
}

/** Loads and checks the handle bindings; `null` where they are missing or off limits. */
function _load(): _Bindings | null {
  const p = process as unknown as {
    binding?(name: string): Record<string, unknown>;
    execArgv: string[];
    env: Record<string, string | undefined>;
    permission?: unknown;
  };
  // Under --pending-deprecation process.binding() prints DEP0111; under the
  // permission model it throws. node:net serves those programs.
  if (typeof p.binding !== "function" || p.permission !== undefined) return null;
  const flags = `${p.execArgv.join(" ")} ${p.env.NODE_OPTIONS ?? ""}`;
  if (flags.includes("--pending-deprecation") || p.env.NODE_PENDING_DEPRECATION === "1") {
    return null;
  }
  try {
    const tcp = p.binding("tcp_wrap");
    const pipe = p.binding("pipe_wrap");
    const stream = p.binding("stream_wrap");
    const b = {
      TCP: tcp.TCP,
      Pipe: pipe.Pipe,
      TCPConnectWrap: tcp.TCPConnectWrap,
      PipeConnectWrap: pipe.PipeConnectWrap,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      state: stream.streamBaseState,
      kNread: stream.kReadBytesOrError,
      kOffset: stream.kArrayBufferOffset,
      kAsync: stream.kLastWriteWasAsync,
      tcp: tcp.constants,
      pipe: pipe.constants,
    } as _Bindings;
    const classes = [
      b.TCP,
      b.Pipe,
      b.TCPConnectWrap,
      b.PipeConnectWrap,
      b.WriteWrap,
      b.ShutdownWrap,
    ];
    if (classes.some((c) => typeof c !== "function")) return null;
    if (!(b.state instanceof Int32Array)) return null;
    if ([b.kNread, b.kOffset, b.kAsync].some((k) => typeof k !== "number")) return null;
    const proto = b.TCP.prototype as unknown as Record<string, unknown>;
    const needed = ["readStart", "readStop", "writeBuffer", "writev", "shutdown", "bind6", "reset"];
    if (needed.some((m) => typeof proto[m] !== "function")) return null;
    if (typeof b.tcp?.SOCKET !== "number" || typeof b.pipe?.SOCKET !== "number") return null;
    return b;
  } catch {
    return null;
  }
}

/**
 * Creates the libuv transport, or returns `null` where Node's handle
 * bindings are missing, changed, or off limits (permission model,
 * `--pending-deprecation`); the `node:net` adapter then serves.
 * @param fallback the `node:net` transport, for what handles do not cover (`fd`)
 * @returns a Transport on Node's TCP and Pipe handles, or `null`
 * @example
 * ```ts
 * import { createNodeTransport } from "../node/mod.ts";
 * const t = createLibuvTransport(createNodeTransport()) ?? createNodeTransport();
 * ```
 */
export function createLibuvTransport(fallback: Transport): Transport | null {
  const b = _load();
  if (b === null) return null;
  _b = b;
  const transport: Transport = {
    name: "libuv",
    features: {
      ...fallback.features,
      reusePort: typeof b.tcp.UV_TCP_REUSEPORT === "number",
      // Node 24.21+ and 26 handles can set IP_TOS; Node 20's cannot.
      typeOfService: typeof (b.TCP.prototype as { setTypeOfService?: unknown })
        .setTypeOfService === "function",
    },
    connectTcp: _connectTcp,
    connectUnix: _connectUnix,
    listenTcp: _listenTcp,
    listenUnix: _listenUnix,
  };
  if (fallback.openFd) transport.openFd = fallback.openFd;
  return transport;
}
