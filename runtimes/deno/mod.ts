/**
 * The Deno adapter: the transport contract over `Deno.connect` and
 * `Deno.listen` (TCP and Unix domain sockets).
 *
 * Nothing here touches `Deno` until `createDenoTransport()` is called, so the
 * module can be imported on every runtime. Deno's own types are not assumed:
 * the few APIs used are declared locally and read from `globalThis.Deno`.
 * @module
 */
import { Buffer } from "node:buffer";
import {
  errFeatureUnavailable,
  type SystemError,
  systemError,
  warnOnce,
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

interface _DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  path?: string | null;
}

interface _DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  readonly localAddr: _DenoAddr;
  readonly remoteAddr: _DenoAddr;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}

interface _DenoListener {
  accept(): Promise<_DenoConn>;
  close(): void;
  readonly addr: _DenoAddr;
  ref(): void;
  unref(): void;
}

interface _DenoApi {
  connect(options: {
    transport?: "tcp" | "unix";
    hostname?: string;
    port?: number;
    path?: string;
    signal?: AbortSignal;
  }): Promise<_DenoConn>;
  listen(options: {
    transport?: "tcp" | "unix";
    hostname?: string;
    port?: number;
    path?: string;
    tcpBacklog?: number;
    reusePort?: boolean;
  }): _DenoListener;
  unrefTimer(id: number): void;
  listenDatagram?: unknown;
}

function _deno(): _DenoApi {
  const api = (globalThis as unknown as { Deno?: _DenoApi }).Deno;
  if (api === undefined || typeof api.connect !== "function") {
    throw errFeatureUnavailable("the Deno transport", "this runtime (no Deno global)");
  }
  return api;
}

// Deno error class names for runtimes whose errors carry no `code`.
const _CODE_BY_NAME: Record<string, string> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  AlreadyExists: "EEXIST",
  BadResource: "EBADF",
  BrokenPipe: "EPIPE",
  ConnectionAborted: "ECONNABORTED",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  Interrupted: "ECANCELED",
  InvalidData: "EINVAL",
  IsADirectory: "EISDIR",
  NetworkUnreachable: "ENETUNREACH",
  NotADirectory: "ENOTDIR",
  NotCapable: "EACCES",
  NotConnected: "ENOTCONN",
  NotFound: "ENOENT",
  NotSupported: "ENOTSUP",
  PermissionDenied: "EACCES",
  TimedOut: "ETIMEDOUT",
  UnexpectedEof: "EOF",
  WouldBlock: "EAGAIN",
  WriteZero: "EPIPE",
};

function _codeOf(err: unknown): string {
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return code;
  return (typeof name === "string" && _CODE_BY_NAME[name]) || "UNKNOWN";
}

function _mapError(err: unknown, syscall: string, address?: string, port?: number): SystemError {
  return systemError({ code: _codeOf(err), syscall, address, port, cause: err });
}

function _toEndpoint(addr: _DenoAddr | undefined): Endpoint {
  if (addr === undefined) return null;
  if (addr.transport === "unix") return addr.path || null;
  const address = addr.hostname ?? "";
  return {
    address,
    family: address.includes(":") ? "IPv6" : "IPv4",
    port: addr.port ?? 0,
  };
}

// Read buffers: every pending read pins its region, so idle connections read
// small and a connection whose reads come back full grows toward _MAX_READ.
// Bulk reads of up to 256 KiB halve the read ops per byte against 128 KiB
// (measured: echo throughput +10-15%); a slab holds two of them.
const _SLAB_SIZE = 512 * 1024;
const _MIN_READ = 16 * 1024;
const _MAX_READ = 256 * 1024;
const _COPY_MAX = 4 * 1024;
// Unused regions an arena keeps for reuse.
const _MAX_FREE = 16;
// writev concatenates chunks smaller than this, up to _BATCH_LIMIT bytes per write.
const _SMALL_CHUNK = 16 * 1024;
const _BATCH_LIMIT = 64 * 1024;

const _EMPTY = new Uint8Array(0);

function _settle(p: Promise<unknown>, done: () => void): void {
  p.then(done, done);
}

/** Splits `chunks` into write units: runs of small chunks joined, large ones alone. */
function _coalesce(chunks: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    if (chunk.byteLength === 0) continue;
    if (chunk.byteLength >= _SMALL_CHUNK) {
      flush();
      out.push(chunk);
      continue;
    }
    if (runBytes + chunk.byteLength > _BATCH_LIMIT) flush();
    run.push(chunk);
    runBytes += chunk.byteLength;
  }
  flush();
  return out;
}

/**
 * Hands out read regions from shared slabs. Once bytes read into a region
 * are given away as a Buffer view the region is never reused, so a slab is
 * freed by the garbage collector when every view into it is gone.
 */
class _ReadArena {
  #slab: ArrayBuffer | null = null;
  #end = 0;
  // Regions of the current slab given back unused while a later region was
  // still out (a short-lived connection reads only EOF): reused, so such
  // connections cost no slab space, and never outliving their slab.
  #free: Uint8Array[] = [];

  reserve(size: number): Uint8Array {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const view = free[i];
      if (view.byteLength !== size) continue;
      free[i] = free[free.length - 1];
      free.pop();
      return view;
    }
    let slab = this.#slab;
    if (slab === null || slab.byteLength - this.#end < size) {
      slab = this.#slab = new ArrayBuffer(_SLAB_SIZE);
      this.#end = 0;
      free.length = 0;
    }
    const view = new Uint8Array(slab, this.#end, size);
    this.#end += size;
    return view;
  }

  /** Takes back the unused tail of `view`: at once if nothing was reserved after it. */
  release(view: Uint8Array, used: number): void {
    if (view.buffer !== this.#slab) return;
    if (view.byteOffset + view.byteLength !== this.#end) {
      if (used === 0 && this.#free.length < _MAX_FREE) this.#free.push(view);
      return;
    }
    this.#end = view.byteOffset + used;
    if (used === 0) this.#coalesce();
  }

  // Free regions that now end at the top go back to the slab too.
  #coalesce(): void {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const view = free[i];
      if (view.byteOffset + view.byteLength !== this.#end) continue;
      this.#end = view.byteOffset;
      free[i] = free[free.length - 1];
      free.pop();
      i = free.length;
    }
  }
}

/** A connected `Deno.Conn` as a transport stream handle. */
class _DenoStream implements StreamHandle {
  #conn: _DenoConn;
  #events: HandleEvents | null = null;
  #reading = false;
  #looping = false;
  #closed = false;
  #failed = false;
  #wake: (() => void) | null = null;
  #inflight: Promise<number | null> | null = null;
  #wChunk: Uint8Array | null = null;
  #wUnits: Uint8Array[] | null = null;
  #wIndex = 0;
  #wDone = 0;
  #wCb: ((err?: SystemError | null) => void) | null = null;
  #onWritten: ((n: number) => void) | null = null;
  #onWriteFailed: ((err: unknown) => void) | null = null;
  #shutdownCb: ((err?: SystemError | null) => void) | null = null;
  #finPending = false;
  #arena: _ReadArena;
  #tcp: boolean;
  #view: Uint8Array | null = null;
  #readSize = _MIN_READ;
  #local: Endpoint | undefined;
  #remote: Endpoint | undefined;

  constructor(conn: _DenoConn, arena: _ReadArena) {
    this.#conn = conn;
    this.#arena = arena;
    this.#tcp = typeof conn.setNoDelay === "function";
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed || this.#reading) return;
    this.#reading = true;
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      wake();
    } else if (!this.#looping) {
      this.#looping = true;
      void this.#readLoop();
    }
  }

  readStop(): void {
    this.#reading = false;
  }

  // One loop per connection. While stopped it parks instead of reading, so
  // at most the one read already in flight is held back.
  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    while (true) {
      if (!this.#reading) await this.#park();
      if (this.#closed) return;
      const view = this.#view ??= this.#arena.reserve(this.#readSize);
      let n: number | null;
      try {
        n = await (this.#inflight = conn.read(view));
      } catch (err) {
        this.#inflight = null;
        this.#fail(_mapError(err, "read"));
        return;
      }
      this.#inflight = null;
      if (n === null && this.#mayBeReset() && (await this.#wasReset())) {
        this.#fail(systemError({ code: "ECONNRESET", syscall: "read" }));
        return;
      }
      // Take the bytes now, before another connection reserves after us.
      const chunk = n ? this.#take(view, n) : this.#giveBack(view);
      if (this.#closed) return;
      if (!this.#reading) {
        await this.#park();
        if (this.#closed) return;
      }
      if (n === null) {
        this.#events?.onEnd();
        return;
      }
      if (chunk !== null) this.#events?.onData(chunk);
    }
  }

  // Grows the read size while reads come back full and shrinks it when they
  // come back small. A small chunk is copied out so the region serves the
  // next read: cheaper than a fresh region, which other connections' reads
  // would keep from being reclaimed.
  #take(view: Uint8Array, n: number): Buffer {
    const size = view.byteLength;
    if (n === size) {
      if (size < _MAX_READ) this.#readSize = size * 2;
    } else if (n < size >> 2 && size > _MIN_READ) {
      this.#readSize = size >> 1;
    }
    if (n <= _COPY_MAX && size <= this.#readSize) {
      const copy = Buffer.allocUnsafe(n);
      copy.set(view.subarray(0, n));
      return copy;
    }
    this.#view = null;
    this.#arena.release(view, n);
    return Buffer.from(view.buffer, view.byteOffset, n);
  }

  // At EOF the empty region goes back to the arena: a short-lived connection
  // then costs no slab space.
  #giveBack(view: Uint8Array): null {
    this.#view = null;
    this.#arena.release(view, 0);
    return null;
  }

  // Deno's TCP read reports a connection reset as EOF. A zero-byte send tells
  // them apart: it succeeds after a FIN and fails with EPIPE after a RST.
  // (Not after our own shutdown(), where it fails either way.) Checked
  // before the probe so the common EOF costs no extra promise.
  #mayBeReset(): boolean {
    // Unix sockets report resets themselves, and fail the probe after any close.
    return this.#tcp && !this.#closed && this.#shutdownCb === null;
  }

  async #wasReset(): Promise<boolean> {
    try {
      await this.#conn.write(_EMPTY);
      return false;
    } catch (err) {
      const code = _codeOf(err);
      return !this.#closed && (code === "EPIPE" || code === "ECONNRESET");
    }
  }

  #park(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #fail(err: SystemError): void {
    if (this.#closed || this.#failed) return;
    this.#failed = true;
    this.#events?.onError(err);
  }

  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void {
    if (chunk.byteLength === 0) {
      cb(null);
      return;
    }
    this.#startWrite(chunk, null, cb);
  }

  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    const units = chunks.length === 1 ? chunks : _coalesce(chunks);
    if (units.length === 0 || (units.length === 1 && units[0].byteLength === 0)) {
      cb(null);
      return;
    }
    this.#startWrite(units[0], units.length > 1 ? units : null, cb);
  }

  // Only one write is in flight (the owner waits for its callback), so its
  // state lives on the handle and the promise handlers are made once, on the
  // first write: connections that never write allocate none.
  #startWrite(
    first: Uint8Array,
    units: Uint8Array[] | null,
    cb: (err?: SystemError | null) => void,
  ): void {
    this.#wChunk = first;
    this.#wUnits = units;
    this.#wIndex = 1;
    this.#wDone = 0;
    this.#wCb = cb;
    this.#send(first);
  }

  #send(chunk: Uint8Array): void {
    this.#conn.write(chunk).then(
      this.#onWritten ??= (n) => this.#written(n),
      this.#onWriteFailed ??= (err) => this.#writeFailed(err),
    );
  }

  #written(n: number): void {
    if (this.#closed) return;
    const chunk = this.#wChunk!;
    this.#wDone += n;
    if (this.#wDone < chunk.byteLength) {
      this.#send(chunk.subarray(this.#wDone));
      return;
    }
    const units = this.#wUnits;
    if (units !== null && this.#wIndex < units.length) {
      const next = units[this.#wIndex++];
      this.#wChunk = next;
      this.#wDone = 0;
      this.#send(next);
      return;
    }
    const cb = this.#wCb!;
    this.#wCb = this.#wChunk = this.#wUnits = null;
    cb(null);
    if (this.#finPending && this.#wCb === null) this.#closeWrite();
  }

  #writeFailed(err: unknown): void {
    if (this.#closed) return;
    const cb = this.#wCb!;
    this.#wCb = this.#wChunk = this.#wUnits = null;
    const e = _mapError(err, "write");
    cb(e);
    this.#fail(e);
  }

  shutdown(cb: (err?: SystemError | null) => void): void {
    if (this.#closed || this.#shutdownCb !== null) return;
    this.#shutdownCb = cb;
    this.#finPending = true;
    // FIN goes out after the write in flight, if any, has been flushed.
    if (this.#wCb === null) this.#closeWrite();
  }

  #closeWrite(): void {
    this.#finPending = false;
    this.#conn.closeWrite().then(() => this.#onShutdown(null), (err) => this.#onShutdown(err));
  }

  #onShutdown(err: unknown): void {
    const cb = this.#shutdownCb;
    if (this.#closed || cb === null) return;
    cb(err === null ? null : _mapError(err, "shutdown"));
  }

  close(cb: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      // The addresses stay readable: Deno keeps them on the closed Conn.
      try {
        this.#conn.close();
      } catch {
        // Already released by the runtime (e.g. after a reset): nothing left to free.
      }
      const wake = this.#wake;
      this.#wake = null;
      wake?.();
    }
    // A cancelled read still holds the socket until it settles.
    const inflight = this.#inflight;
    if (inflight !== null) _settle(inflight, cb);
    else queueMicrotask(cb);
  }

  setNoDelay(enable: boolean): void {
    try {
      this.#conn.setNoDelay?.(enable);
    } catch {
      // Closed or not a TCP socket: Node ignores this too.
    }
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (enable && initialDelayMs > 0) {
      warnOnce(
        "OMNINET_KEEPALIVE_DELAY_IGNORED",
        "Deno cannot set the keep-alive initial delay; SO_KEEPALIVE is on with the system's delay",
      );
    }
    try {
      this.#conn.setKeepAlive?.(enable);
    } catch {
      // Closed or not a TCP socket: Node ignores this too.
    }
  }

  ref(): void {
    if (!this.#closed) this.#conn.ref();
  }

  unref(): void {
    if (!this.#closed) this.#conn.unref();
  }

  localAddress(): Endpoint {
    if (this.#local === undefined) this.#local = this.#addr("localAddr");
    return this.#local;
  }

  remoteAddress(): Endpoint {
    if (this.#remote === undefined) this.#remote = this.#addr("remoteAddr");
    return this.#remote;
  }

  #addr(which: "localAddr" | "remoteAddr"): Endpoint {
    try {
      return _toEndpoint(this.#conn[which]);
    } catch {
      return null;
    }
  }
}

/** A `Deno.Listener` as a transport listener handle. */
class _DenoServer implements ListenerHandle {
  #listener: _DenoListener;
  #events: ListenerEvents;
  #address: AddressInfo | string;
  #closed = false;
  #refed = true;
  #pending: Promise<_DenoConn> | null = null;
  #arena: _ReadArena;

  constructor(listener: _DenoListener, events: ListenerEvents, arena: _ReadArena, path?: string) {
    this.#listener = listener;
    this.#arena = arena;
    this.#events = events;
    this.#address = path ?? (_toEndpoint(listener.addr) as AddressInfo);
  }

  start(): void {
    void this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: _DenoConn;
      try {
        conn = await (this.#pending = this.#listener.accept());
      } catch (err) {
        if (this.#closed || _isClosedError(err)) return;
        this.#events.onError(_mapError(err, "accept"));
        // Out of descriptors and the like: back off instead of spinning.
        await this.#pause(10);
        continue;
      }
      if (this.#closed) {
        _closeQuietly(conn);
        return;
      }
      this.#events.onConnection(new _DenoStream(conn, this.#arena));
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = setTimeout(resolve, ms) as unknown as number;
      if (!this.#refed) _deno().unrefTimer(id);
    });
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  close(cb: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#listener.close();
      } catch {
        // Already closed.
      }
    }
    // The port is only free once the pending accept has been rejected.
    const pending = this.#pending;
    if (pending !== null) _settle(pending, cb);
    else queueMicrotask(cb);
  }

  ref(): void {
    this.#refed = true;
    if (!this.#closed) this.#listener.ref();
  }

  unref(): void {
    this.#refed = false;
    if (!this.#closed) this.#listener.unref();
  }
}

function _isClosedError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "BadResource" || name === "Interrupted";
}

function _closeQuietly(conn: _DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function _connect(
  api: _DenoApi,
  arena: _ReadArena,
  options: Parameters<_DenoApi["connect"]>[0],
  cb: ConnectCallback,
  onError: (err: unknown) => SystemError,
): Dial {
  let state: "pending" | "done" | "cancelled" = "pending";
  const abort = options.transport === "tcp" ? new AbortController() : undefined;
  if (abort) options.signal = abort.signal;
  api.connect(options).then((conn) => {
    if (state === "cancelled") return _closeQuietly(conn);
    state = "done";
    cb(null, new _DenoStream(conn, arena));
  }, (err) => {
    if (state === "cancelled") return;
    state = "done";
    cb(onError(err));
  });
  return {
    cancel() {
      if (state !== "pending") return;
      state = "cancelled";
      abort?.abort();
    },
  };
}

// Only a literal all-zero IPv6 address accepts IPv4 too; v6only matters there alone.
function _isAnyIPv6(address: string): boolean {
  return address.includes(":") && /^[0:]+$/.test(address);
}

function _listenTcp(
  api: _DenoApi,
  arena: _ReadArena,
  features: TransportFeatures,
  req: TcpListenRequest,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  if (req.reusePort && !features.reusePort) {
    throw errFeatureUnavailable("reusePort (needs --unstable-net)", "Deno");
  }
  if (req.ipv6Only && _isAnyIPv6(req.address)) {
    throw errFeatureUnavailable("ipv6Only", "Deno");
  }
  let listener: _DenoListener;
  try {
    listener = api.listen({
      transport: "tcp",
      hostname: req.address,
      port: req.port,
      tcpBacklog: req.backlog,
      ...(req.reusePort ? { reusePort: true } : {}),
    });
  } catch (err) {
    // Deno.listen binds synchronously: the outcome goes back at once, as the contract asks.
    cb(_mapError(err, "listen", req.address, req.port));
    return;
  }
  _announce(new _DenoServer(listener, events, arena), cb);
}

function _announce(server: _DenoServer, cb: ListenCallback): void {
  cb(null, server);
  // Accepted connections arrive from a later turn; the owner has the handle by then.
  server.start();
}

function _listenUnix(
  api: _DenoApi,
  arena: _ReadArena,
  req: UnixListenRequest,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  let listener: _DenoListener;
  try {
    listener = api.listen({ transport: "unix", path: req.path });
  } catch (err) {
    cb(_mapError(err, "listen", req.path));
    return;
  }
  _announce(new _DenoServer(listener, events, arena, req.path), cb);
}

/**
 * Creates the transport over `Deno.connect` / `Deno.listen`.
 *
 * `features.reusePort` is true only when Deno's unstable network APIs are on
 * (`--unstable-net`): without them Deno exits the process on `reusePort`.
 *
 * @returns The Deno transport.
 * @example
 * ```ts
 * import { createDenoTransport } from "./mod.ts";
 * const transport = createDenoTransport();
 * transport.connectTcp({ address: "127.0.0.1", port: 8080, family: 4 }, (err, handle) => {
 *   if (err) throw err;
 *   handle!.close(() => {});
 * });
 * ```
 */
export function createDenoTransport(): Transport {
  const api = _deno();
  const arena = new _ReadArena();
  const features: TransportFeatures = {
    // listenDatagram is only exposed when unstable net APIs are enabled.
    reusePort: typeof api.listenDatagram === "function",
    ipv6Only: false,
    backlog: true,
    keepAliveDelay: false,
    localBind: false,
  };
  return {
    name: "deno",
    features,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      if (req.localAddress !== undefined || req.localPort !== undefined) {
        throw errFeatureUnavailable("localAddress/localPort on connect", "Deno");
      }
      return _connect(
        api,
        arena,
        { transport: "tcp", hostname: req.address, port: req.port },
        cb,
        (err) => _mapError(err, "connect", req.address, req.port),
      );
    },
    connectUnix(path: string, cb: ConnectCallback): Dial {
      return _connect(
        api,
        arena,
        { transport: "unix", path },
        cb,
        (err) => _mapError(err, "connect", path),
      );
    },
    listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      _listenTcp(api, arena, features, req, events, cb);
    },
    listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      _listenUnix(api, arena, req, events, cb);
    },
  };
}
