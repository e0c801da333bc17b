/**
 * The WinterTC Sockets API `Socket`: a connection as a `ReadableStream` and
 * a `WritableStream`, with `opened`/`closed` promises. It drives a transport
 * `StreamHandle` directly (no `net.Socket` in between): the readable's pull
 * starts kernel reads and a full queue stops them (`readStop`), each write
 * resolves when the handle took the bytes. TLS sockets drive a `node:tls`
 * socket through the same contract (`DuplexHandle`).
 * @module
 */
import { nextTick } from "node:process";
import { setImmediate } from "node:timers";
import type { BlockList } from "../core/block_list.ts";
import type { SystemError } from "../core/errors.ts";
import type { Endpoint, HandleEvents, StreamHandle } from "../runtimes/types.ts";
import { formatEndpoint } from "./address.ts";
import { SocketError, toSocketError } from "./error.ts";
import { pipeStats } from "./pipe_stats.ts";

/** `secureTransport` values of the draft. */
export type SecureTransportKind = "off" | "on" | "starttls";

/** TLS settings beyond the draft, for private servers and tests. */
export interface TlsExtensionOptions {
  /** Certificate authorities to trust instead of the default set (PEM). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** `false` accepts any server certificate (tests only). Default `true`. */
  rejectUnauthorized?: boolean;
  /** Client certificate chain (PEM), for servers that ask for one. */
  cert?: string | Uint8Array;
  /** Client private key (PEM). */
  key?: string | Uint8Array;
}

/** Options omninet adds to the draft's, kept apart from the standard ones. */
export interface OmninetSocketOptions {
  /** Refuses to connect to addresses this `net.BlockList` matches (`ERR_IP_BLOCKED`). */
  blockList?: BlockList;
  /** Extra TLS settings for `secureTransport: "on"` and `startTls()`. */
  tls?: TlsExtensionOptions;
}

/** The draft's `SocketOptions`, plus omninet's extension field. */
export interface SocketOptions {
  /** `"off"` (default) plain TCP; `"on"` TLS from the start; `"starttls"` plain until `startTls()`. */
  secureTransport?: SecureTransportKind;
  /** `false` (default): the peer's FIN closes the socket. `true`: writing goes on after it. */
  allowHalfOpen?: boolean;
  /** Server name sent in the TLS handshake (default: the hostname connected to). */
  sni?: string;
  /** ALPN protocols offered in the TLS handshake. */
  alpn?: string[];
  /** Options beyond the draft (not portable to other implementations). */
  omninet?: OmninetSocketOptions;
}

/** What `opened` resolves with. */
export interface SocketInfo {
  /** The peer, as `ip:port` (`[ip]:port` for IPv6) or a Unix path; `null` when unknown. */
  remoteAddress: string | null;
  /** The local end, in the same form; `null` when unknown (e.g. an unbound Unix client). */
  localAddress: string | null;
  /** The ALPN protocol the TLS server chose, else `null`. */
  alpn: string | null;
}

/** How a Socket gets its connection: the connect/accept/upgrade code fills it in. */
export interface SocketInit {
  /** From the options. */
  secureTransport: SecureTransportKind;
  /** From the options. */
  allowHalfOpen: boolean;
  /** Cancels the connection attempt (while connecting). */
  cancel?: () => void;
  /** What `startTls()` uses: the host connected to, `sni`, `alpn`, the extension options. */
  tls?: TlsParams;
}

/** Everything a TLS client handshake needs. */
export interface TlsParams {
  /** The host name connected to (SNI default when it is not an IP literal). */
  hostname?: string;
  /** The draft's `sni`. */
  sni?: string;
  /** The draft's `alpn`. */
  alpn?: string[];
  /** omninet's extension options. */
  extension?: TlsExtensionOptions;
}

// Bytes the readable may hold before the transport stops reading: a few reads' worth, so a
// reader that keeps up never makes the transport stop and restart (measured: ~10% less CPU per
// MiB echoed on Node than one read's worth), small enough to bound a slow reader's memory.
const _READ_HWM = 256 * 1024;
// Bytes the writable queues before `writer.ready` waits.
const _WRITE_HWM = 64 * 1024;
// Bytes a writer may hand over at once (each taken by the kernel at once) before the event
// loop comes round (see `Socket#write`).
const _YIELD_BYTES = 256 * 1024;

let _bytesSupported: boolean | undefined;

/**
 * Closes `handle` and runs `then` on the next tick after its close callback.
 * Never straight from that callback: on Deno's native handles a close started
 * in the microtasks that follow another handle's close callback (say, code
 * awaiting one socket's `closed` that then closes the next socket or a
 * listener) has its own callback held back until something else wakes the
 * event loop, which may be never. From a later tick the loop delivers it.
 * @param handle A transport stream or listener handle.
 * @param then Runs once the handle is closed, a tick after its callback.
 */
export function closeHandle(handle: { close(cb: () => void): void }, then: () => void): void {
  handle.close(() => nextTick(then));
}

/** Whether this runtime's ReadableStream takes `type: "bytes"` (BYOB readers). */
function _byteStreams(): boolean {
  if (_bytesSupported === undefined) {
    try {
      new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).releaseLock();
      _bytesSupported = true;
    } catch {
      _bytesSupported = false;
    }
  }
  return _bytesSupported;
}

/**
 * The chunk itself, or a copy a byte stream may own. `enqueue()` detaches
 * the chunk's whole ArrayBuffer. A view that spans its entire ArrayBuffer is
 * that read's own allocation (libuv and Bun reads, unpooled Buffers), which
 * its producer hands over for good, so it is passed on as it is; a part of
 * a bigger buffer (a read arena's slab, Buffer's pool) is copied out, since
 * the rest of that buffer still belongs to others.
 */
function _owned(chunk: Uint8Array): Uint8Array {
  // Not `chunk.slice()`: on a Buffer that is a view, not a copy.
  return _ownsBuffer(chunk) ? chunk : new Uint8Array(chunk);
}

/** Whether `chunk` spans its whole (fixed-size) ArrayBuffer. */
function _ownsBuffer(chunk: Uint8Array): boolean {
  const buf = chunk.buffer;
  return chunk.byteOffset === 0 && chunk.byteLength === buf.byteLength &&
    buf instanceof ArrayBuffer && !(buf as { resizable?: boolean }).resizable;
}

const _encoder = new TextEncoder();

function _toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === "string") return _encoder.encode(chunk);
  throw new TypeError("Socket writes take an ArrayBuffer, an ArrayBufferView or a string");
}

/** Queue size of a chunk given to the writable: its bytes (a string counts its UTF-16 length). */
function _chunkSize(chunk: unknown): number {
  if (typeof chunk === "string") return chunk.length;
  return (chunk as { byteLength?: number }).byteLength ?? 1;
}

function _settle<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The draft marks opened and closed as handled: no unhandled rejection from either.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** `pipeTo()` options, as the Streams standard reads them. */
interface _PipeOptions {
  preventClose?: boolean;
  preventAbort?: boolean;
  preventCancel?: boolean;
  signal?: AbortSignal;
}

/** Which socket a readable or writable belongs to. */
const _readableOwner = new WeakMap<object, Socket>();
const _writableOwner = new WeakMap<object, Socket>();
let _directPipe: (src: Socket, dest: Socket, options: _PipeOptions) => Promise<void> | null;
let _pipeWrite: (
  dest: Socket,
  chunks: Uint8Array[],
  cb: (err?: SystemError | null) => void,
) => boolean;
let _pipeFailed: (dest: Socket, err: unknown) => void;

let _constructing = false;
/** Creates sockets for connect/listen/startTls; set by the Socket class. */
let _make: (init: SocketInit) => Socket;
/** Module-internal access to a socket's connection plumbing. */
let _internals: (socket: Socket) => SocketInternals;

/** What connect/listen/TLS code drives on a socket (not public API). */
export interface SocketInternals {
  /** The connection is up: start the streams on `handle`. */
  open(
    handle: StreamHandle,
    alpn?: string | null,
    ends?: { remote: Endpoint; local: Endpoint },
  ): void;
  /** The connection failed (or was refused before opening). */
  fail(err: unknown): void;
  /** Sets or replaces the cancel function of the attempt in progress. */
  setCancel(cancel: (() => void) | undefined): void;
  /**
   * Takes the connection away (startTls, toNetSocket): the socket counts as
   * closed, the handle is returned once no write is in flight.
   */
  detach(): Promise<StreamHandle>;
  /** Resolves once the socket is open (rejects if it fails first). */
  ready: Promise<void>;
  /** Whether `close()` or a failure already ended this socket. */
  ended(): boolean;
  /** The handle while open. */
  handle(): StreamHandle | null;
  /** The TLS parameters given at connect. */
  tls(): TlsParams;
  /** The socket's allowHalfOpen. */
  allowHalfOpen(): boolean;
  /** How TLS was run (`TlsInfo.route`, or `"js-stream"`); `null` before a handshake or without TLS. */
  tlsRoute(): string | null;
  /** Records how TLS was run. */
  setTlsRoute(route: string): void;
}

class _Events implements HandleEvents {
  constructor(readonly s: SocketInternalsImpl) {}
  _onHandleData(chunk: Uint8Array): void {
    this.s.data(chunk);
  }
  _onHandleEnd(): void {
    this.s.end();
  }
  _onHandleError(err: SystemError): void {
    this.s.fail(err);
  }
}

type SocketInternalsImpl = SocketInternals & {
  data(chunk: Uint8Array): void;
  end(): void;
};

/**
 * A TCP (or Unix, or TLS) connection with web streams, made by `connect()`
 * or accepted by `listen()`. It is usable at once: writes wait until the
 * connection is open.
 * @example
 * ```ts
 * import { connect } from "@omninet/net/sockets";
 * const socket = connect("127.0.0.1:7");
 * const writer = socket.writable.getWriter();
 * await writer.write(new TextEncoder().encode("ping"));
 * const { value } = await socket.readable.getReader().read();
 * await socket.close();
 * ```
 */
export class Socket {
  /** Bytes from the peer (a byte stream, with BYOB readers, where the runtime supports it). */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; `close()` on it half-closes (sends FIN). */
  readonly writable: WritableStream<Uint8Array | ArrayBufferView | ArrayBuffer | string>;
  /** Resolves with the endpoints (and ALPN) once connected (after the TLS handshake for TLS). */
  readonly opened: Promise<SocketInfo>;
  /** Resolves once the socket is closed; rejects with a `SocketError` if it failed. */
  readonly closed: Promise<void>;
  /** The `secureTransport` this socket was made with. */
  readonly secureTransport: SecureTransportKind;

  #upgraded = false;
  #allowHalfOpen: boolean;
  #handle: StreamHandle | null = null;
  #cancel: (() => void) | undefined;
  #rc!: ReadableByteStreamController | ReadableStreamDefaultController<Uint8Array>;
  #wc!: WritableStreamDefaultController;
  #bytes: boolean;
  #opened = _settle<SocketInfo>();
  #closed = _settle<void>();
  #ready = _settle<void>();
  /** `connecting` → `open` → `closed` (or `detached` after startTls/toNetSocket). */
  #state: "connecting" | "open" | "closed" | "detached" = "connecting";
  #readDone = false;
  #readCancelled = false;
  #writeDone = false;
  /** The writable's close() is under way (FIN being sent). */
  #closing = false;
  #wantRead = false;
  #writing: Promise<void> | null = null;
  #writeResolve: (() => void) | null = null;
  #writeReject: ((e: unknown) => void) | null = null;
  /** Bytes the handle took at once (inside `write()`) since the event loop last came round. */
  #writtenAtOnce = 0;
  /** `handle.write()` is running: a callback now means the bytes were taken at once. */
  #inWrite = false;
  /** A callback came during `handle.write()`, with this error (or none). */
  #atOnce = false;
  #atOnceErr: SystemError | null = null;
  #onWritten = (err?: SystemError | null): void => {
    if (this.#inWrite) {
      this.#atOnce = true;
      this.#atOnceErr = err ?? null;
      return;
    }
    const res = this.#writeResolve;
    const rej = this.#writeReject;
    this.#writing = null;
    this.#writeResolve = this.#writeReject = null;
    if (err) rej?.(toSocketError(err));
    else res?.();
  };
  #internals: SocketInternalsImpl;
  /** The direct pipe this socket's readable feeds, if any. */
  #pipeOut: _DirectPipe | null = null;
  /** The direct pipe writing into this socket's writable, if any. */
  #pipeIn: _DirectPipe | null = null;
  /** The writable's stored error once it errored or was aborted. */
  #writableError: { e: unknown } | null = null;
  #tls: TlsParams;
  #tlsRoute: string | null = null;

  static {
    _make = (init) => {
      _constructing = true;
      try {
        return new Socket(init);
      } finally {
        _constructing = false;
      }
    };
    _internals = (socket) => socket.#internals;
    _directPipe = (src, dest, options) => Socket.#pipeBetween(src, dest, options);
    _pipeWrite = (dest, bytes, cb) => dest.#pipeWrite(bytes, cb);
    _pipeFailed = (dest, err) => dest.#pipeWriteFailed(err);
  }

  private constructor(init: SocketInit) {
    // As in the draft, sockets come from connect() (and listen()), never from `new`.
    if (!_constructing) throw new TypeError("Illegal constructor: use connect()");
    this.secureTransport = init.secureTransport;
    this.#allowHalfOpen = init.allowHalfOpen;
    this.#cancel = init.cancel;
    this.#tls = init.tls ?? {};
    this.opened = this.#opened.promise;
    this.closed = this.#closed.promise;
    this.#ready.promise.catch(() => {});
    this.#bytes = _byteStreams();
    this.readable = this.#makeReadable();
    this.writable = this.#makeWritable();
    this.#internals = this.#makeInternals();
  }

  /** `true` once `startTls()` moved this socket's connection to a new TLS socket. */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  #makeReadable(): ReadableStream<Uint8Array> {
    const source = {
      start: (c: ReadableByteStreamController | ReadableStreamDefaultController<Uint8Array>) => {
        this.#rc = c;
      },
      pull: () => {
        if (this.#handle !== null) this.#handle.readStart();
        else this.#wantRead = true;
      },
      cancel: () => {
        this.#readDone = this.#readCancelled = true;
        this.#held = null;
        this.#handle?.readStop();
        this.#maybeFinish();
      },
    };
    const readable = this.#bytes
      ? new _SocketReadable(
        { ...source, type: "bytes" } as never,
        { highWaterMark: _READ_HWM },
      )
      : new _SocketReadable(source, new ByteLengthQueuingStrategy({ highWaterMark: _READ_HWM }));
    _readableOwner.set(readable, this);
    return readable;
  }

  #makeWritable(): WritableStream<Uint8Array | ArrayBufferView | ArrayBuffer | string> {
    const writable = new WritableStream({
      start: (c) => {
        this.#wc = c;
      },
      write: (chunk) => {
        const bytes = _toBytes(chunk);
        if (bytes.byteLength === 0) return;
        if (this.#handle !== null) return this.#write(bytes);
        return this.#ready.promise.then(() => this.#write(bytes));
      },
      close: () => {
        this.#closing = true;
        if (this.#handle !== null) return this.#shutdown();
        return this.#ready.promise.then(() => this.#shutdown());
      },
      abort: (reason) => {
        this.#writableError ??= { e: reason };
        // An aborted writable half-closes: the reading side may still be wanted.
        this.#writeDone = true;
        if (this.#handle !== null && this.#state === "open") this.#handle.shutdown(() => {});
        this.#maybeFinish();
      },
    }, { highWaterMark: _WRITE_HWM, size: _chunkSize });
    _writableOwner.set(writable, this);
    return writable;
  }

  #write(bytes: Uint8Array): Promise<void> | undefined {
    const handle = this.#handle;
    if (handle === null || this.#state !== "open") {
      return Promise.reject(new SocketError("the socket is closed"));
    }
    this.#inWrite = true;
    this.#atOnce = false;
    try {
      handle.write(bytes, this.#onWritten);
    } finally {
      this.#inWrite = false;
    }
    if (this.#atOnce as boolean) {
      const err = this.#atOnceErr;
      this.#atOnceErr = null;
      if (err !== null) return Promise.reject(toSocketError(err));
      // The handle took the bytes at once (the kernel had room): the writer may go on at
      // once too, without a promise to wait for, but not forever: after _YIELD_BYTES the
      // event loop comes round first, so reads (this socket's own, the peer's) run between
      // the writes. Without it a writer fills the kernel's buffers (megabytes on loopback)
      // in one go and the copies in and out of them miss the cache (Deno echo bench, best
      // round: 754-787 MiB/s without the turn, 789-890 with it).
      this.#writtenAtOnce += bytes.byteLength;
      if (this.#writtenAtOnce < _YIELD_BYTES) return;
      this.#writtenAtOnce = 0;
      // Still a write in flight for the stream: a peer's FIN meanwhile must wait for it
      // (see #closeWritableAfterFin), as for a write the handle queued.
      const turn: Promise<void> = new Promise<void>((resolve) =>
        setImmediate(() => {
          if (this.#writing === turn) this.#writing = null;
          resolve();
        })
      );
      this.#writing = turn;
      return turn;
    }
    this.#writtenAtOnce = 0;
    const p = new Promise<void>((resolve, reject) => {
      this.#writeResolve = resolve;
      this.#writeReject = reject;
    });
    this.#writing = p;
    return p;
  }

  #shutdown(): Promise<void> {
    const handle = this.#handle;
    if (handle === null || this.#state !== "open") return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      handle.shutdown((err) => {
        if (err && this.#state === "open") {
          reject(toSocketError(err));
          return;
        }
        this.#writeDone = true;
        resolve();
        this.#maybeFinish();
      });
    });
  }

  /** Releases the connection once both directions are done. */
  #maybeFinish(): void {
    if (this.#state !== "open" || !this.#readDone || !this.#writeDone) return;
    this.#release();
  }

  #release(): void {
    this.#state = "closed";
    const handle = this.#handle;
    this.#handle = null;
    if (handle === null) {
      this.#closed.resolve();
      return;
    }
    closeHandle(handle, () => this.#closed.resolve());
  }

  #onData(chunk: Uint8Array): void {
    if (this.#readDone) return;
    if (this.#pipeOut !== null) {
      this.#pipeOut.data(chunk);
      return;
    }
    const held = this.#held;
    if (held !== null) {
      // Parts of one read buffer (Bun reads up to 512 KiB, handed on in 64 KiB parts)
      // are joined until the microtask after them: a byte stream then takes the
      // whole buffer without a copy, where each part alone would have to be copied.
      if (held.buffer === chunk.buffer && held.byteOffset + held.byteLength === chunk.byteOffset) {
        this.#held = new Uint8Array(
          held.buffer,
          held.byteOffset,
          held.byteLength + chunk.byteLength,
        );
        return;
      }
      this.#flushHeld();
    }
    if (this.#bytes && chunk.byteOffset === 0 && !_ownsBuffer(chunk)) {
      this.#held = chunk;
      queueMicrotask(this.#flushHeldLater);
      return;
    }
    this.#deliver(chunk);
  }

  /** Read bytes not yet given to the readable (see `#onData`). */
  #held: Uint8Array | null = null;
  #flushHeldLater = (): void => this.#flushHeld();

  #flushHeld(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    if (!this.#readDone) this.#deliver(held);
  }

  #deliver(chunk: Uint8Array): void {
    const c = this.#rc;
    if (this.#bytes) {
      const bc = c as ReadableByteStreamController;
      const req = bc.byobRequest;
      const view = req?.view;
      if (req && view) {
        const n = Math.min(view.byteLength, chunk.byteLength);
        new Uint8Array(view.buffer, view.byteOffset, n).set(chunk.subarray(0, n));
        req.respond(n);
        if (n < chunk.byteLength) bc.enqueue(new Uint8Array(chunk.subarray(n)));
      } else bc.enqueue(_owned(chunk));
    } else (c as ReadableStreamDefaultController<Uint8Array>).enqueue(chunk);
    if ((c.desiredSize ?? 1) <= 0) this.#handle?.readStop();
  }

  #closeReadable(): void {
    if (this.#readDone) return;
    this.#flushHeld();
    this.#readDone = true;
    try {
      this.#rc.close();
      // A pending BYOB read is answered with `done` only once given back empty.
      if (this.#bytes) (this.#rc as ReadableByteStreamController).byobRequest?.respond(0);
    } catch { /* already closed or errored by the consumer */ }
  }

  #onEnd(): void {
    this.#closeReadable();
    if (!this.#allowHalfOpen && !this.#writeDone) this.#closeWritableAfterFin();
    else this.#maybeFinish();
  }

  /**
   * The draft: without allowHalfOpen the peer's FIN closes the writable and
   * then the socket. Writes already queued still go out first: an unlocked
   * writable is closed the ordinary way; a locked one is closed once its
   * writer has gone idle (no write in flight when a macrotask comes round),
   * unless its owner (say, a pipeTo) closes it first.
   */
  #closeWritableAfterFin(): void {
    if (!this.writable.locked) {
      this.writable.close().catch(() => {});
      return;
    }
    const check = () => {
      if (this.#state !== "open" || this.#writeDone || this.#closing) return;
      if (this.#writing !== null) {
        this.#writing.then(later, later);
        return;
      }
      if (this.#pipeIn !== null && this.#pipeIn.pending) {
        this.#pipeIn.idle().then(later);
        return;
      }
      this.#writeDone = true;
      this.#errorWritable(new SocketError("the peer closed the connection"));
      this.#maybeFinish();
    };
    const later = () => setTimeout(check, 0);
    later();
  }

  #fail(err: unknown): void {
    if (this.#state === "closed" || this.#state === "detached") return;
    const error = toSocketError(err);
    const wasConnecting = this.#state === "connecting";
    this.#state = "closed";
    this.#cancel?.();
    this.#cancel = undefined;
    if (wasConnecting) this.#opened.reject(error);
    this.#ready.reject(error);
    this.#readDone = this.#writeDone = true;
    try {
      this.#rc.error(error);
    } catch { /* ignore */ }
    this.#errorWritable(error);
    const handle = this.#handle;
    this.#handle = null;
    if (handle === null) this.#closed.reject(error);
    else closeHandle(handle, () => this.#closed.reject(error));
  }

  #open(
    handle: StreamHandle,
    alpn: string | null = null,
    ends?: { remote: Endpoint; local: Endpoint },
  ): void {
    if (this.#state !== "connecting") {
      handle.close(() => {});
      return;
    }
    this.#cancel = undefined;
    this.#state = "open";
    this.#handle = handle;
    handle.attach(new _Events(this.#internals));
    this.#opened.resolve({
      remoteAddress: formatEndpoint(ends ? ends.remote : handle.remoteAddress()),
      localAddress: formatEndpoint(ends ? ends.local : handle.localAddress()),
      alpn,
    });
    this.#ready.resolve();
    if (this.#readCancelled) handle.readStop();
    else if (this.#wantRead || (this.#rc.desiredSize ?? 0) > 0) handle.readStart();
  }

  async #detach(): Promise<StreamHandle> {
    await this.#ready.promise;
    if (this.#state !== "open" || this.#handle === null) {
      throw new SocketError("the socket is closed");
    }
    const handle = this.#handle;
    this.#state = "detached";
    // A direct pipe reading from this socket lets go of the handle (it starts no more reads).
    this.#pipeOut?.stop();
    handle.readStop();
    this.#handle = null;
    this.#closeReadable();
    this.#writeDone = true;
    const writing = this.#writing;
    this.#errorWritable(new SocketError("the connection moved to another socket"));
    if (writing) await writing.catch(() => {});
    // The handle goes on with no write of a direct pipe in flight either.
    if (this.#pipeIn !== null) await this.#pipeIn.idle();
    this.#closed.resolve();
    return handle;
  }

  /**
   * `src.readable.pipeTo(dest.writable, options)` moving bytes from `src`'s
   * handle straight to `dest`'s, or `null` when the standard pipe
   * must run (see `_SocketReadable.pipeTo`).
   */
  static #pipeBetween(src: Socket, dest: Socket, options: _PipeOptions): Promise<void> | null {
    const srcHandle = src.#handle;
    if (
      srcHandle === null || src.#state !== "open" || src.#readDone || src.#pipeOut !== null ||
      src.#rc.desiredSize !== _READ_HWM || src.#held !== null ||
      dest.#handle === null || dest.#state !== "open" || dest.#writeDone || dest.#closing ||
      dest.#writing !== null || dest.#pipeIn !== null || src.readable.locked || dest.writable.locked
    ) return null;
    const writer = dest.writable.getWriter();
    if (writer.desiredSize !== _WRITE_HWM) {
      // Writes are queued (or waiting for the connection): the standard pipe keeps their order.
      writer.releaseLock();
      return null;
    }
    const reader = src.readable.getReader();
    const preventClose = !!options.preventClose;
    const preventAbort = !!options.preventAbort;
    const preventCancel = !!options.preventCancel;
    const signal = options.signal;
    const result = _settle<void>();
    const pipe = new _DirectPipe(dest, srcHandle);
    src.#pipeOut = pipe;
    dest.#pipeIn = pipe;
    let shuttingDown = false;
    // The spec's state checks, made on the sockets' own flags (the streams' states, synchronously).
    const srcReadable = () => !src.#readDone;
    const destWritable = () =>
      dest.#writableError === null && !dest.#closing && !dest.#writeDone && dest.#state === "open";

    const finalize = (error?: { e: unknown }) => {
      if (dest.#pipeIn === pipe) dest.#pipeIn = null;
      writer.releaseLock();
      reader.releaseLock();
      signal?.removeEventListener("abort", onAbort);
      if (error) result.reject(error.e);
      else result.resolve();
    };
    /** The spec's "shutdown with an action": chunks read are written first (if dest can take them). */
    const shutdown = (action: (() => Promise<unknown>) | null, error?: { e: unknown }) => {
      if (shuttingDown) return;
      shuttingDown = true;
      // No more reads for the pipe: bytes arriving from now on go to the readable's own
      // queue (kept for its next reader, or dropped if the shutdown cancels it), and the
      // readable's own flow takes over the handle's reading (it reads while it has room).
      pipe.stop();
      if (src.#pipeOut === pipe) src.#pipeOut = null;
      if (src.#state === "open" && !src.#readDone && src.#handle !== null) {
        if ((src.#rc.desiredSize ?? 0) > 0) src.#handle.readStart();
        else src.#handle.readStop();
      }
      // A write the handle never answers (the handle closed under it) ends with the writable.
      const waiting = destWritable()
        ? Promise.race([pipe.idle(), writer.closed.then(() => {}, () => {})])
        : Promise.resolve();
      waiting.then(() => {
        if (action === null) {
          finalize(error);
          return;
        }
        action().then(() => finalize(error), (e) => finalize({ e }));
      });
    };
    const onAbort = () => {
      const e = signal!.reason;
      const actions: Array<() => Promise<unknown>> = [];
      if (!preventAbort) actions.push(() => destWritable() ? writer.abort(e) : Promise.resolve());
      if (!preventCancel) actions.push(() => srcReadable() ? reader.cancel(e) : Promise.resolve());
      shutdown(() => Promise.all(actions.map((a) => a())), { e });
    };
    reader.closed.then(() => {
      if (shuttingDown) return;
      if (preventClose) shutdown(null);
      else {
        // WritableStreamDefaultWriterCloseWithErrorPropagation.
        shutdown(() => {
          if (dest.#writableError !== null) return Promise.reject(dest.#writableError.e);
          if (dest.#closing || dest.#writeDone) return Promise.resolve();
          return writer.close();
        });
      }
    }, (e) => {
      if (shuttingDown) return;
      if (preventAbort) shutdown(null, { e });
      else shutdown(() => writer.abort(e), { e });
    });
    writer.closed.then(() => {}, (e) => {
      if (shuttingDown) return;
      if (preventCancel) shutdown(null, { e });
      else shutdown(() => reader.cancel(e), { e });
    });
    signal?.addEventListener("abort", onAbort);
    srcHandle.readStart();
    return result.promise;
  }

  /** A direct pipe's write into this socket's handle. */
  #pipeWrite(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): boolean {
    const handle = this.#handle;
    if (handle === null || this.#state !== "open") return false;
    if (chunks.length === 1) handle.write(chunks[0], cb);
    else handle.writev(chunks, cb);
    return true;
  }

  /** A direct pipe's write failed: the writable errors as a failed sink write would error it. */
  #pipeWriteFailed(err: unknown): void {
    this.#errorWritable(toSocketError(err));
  }

  /** Errors the writable (once), remembering the error as the stream's stored error. */
  #errorWritable(e: unknown): void {
    if (this.#writableError !== null) return;
    this.#writableError = { e };
    try {
      this.#wc.error(e);
    } catch { /* already errored */ }
  }

  #makeInternals(): SocketInternalsImpl {
    return {
      open: (handle, alpn, ends) => this.#open(handle, alpn, ends),
      fail: (err) => this.#fail(err),
      setCancel: (cancel) => {
        this.#cancel = cancel;
      },
      detach: () => this.#detach(),
      ready: this.#ready.promise,
      ended: () => this.#state === "closed" || this.#state === "detached",
      handle: () => this.#handle,
      tls: () => this.#tls,
      allowHalfOpen: () => this.#allowHalfOpen,
      tlsRoute: () => this.#tlsRoute,
      setTlsRoute: (route) => {
        this.#tlsRoute = route;
      },
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
    };
  }

  /**
   * Closes the socket and its connection: the readable is cancelled and the
   * writable aborted (with `reason` when given), a pending `opened` rejects.
   * @param reason Passed on to the streams and to a pending `opened`.
   * @returns The `closed` promise.
   * @example
   * ```ts
   * import { connect } from "@omninet/net/sockets";
   * await connect("127.0.0.1:7").close();
   * ```
   */
  close(reason?: unknown): Promise<void> {
    if (this.#state === "closed" || this.#state === "detached") return this.closed;
    const wasConnecting = this.#state === "connecting";
    const error = reason === undefined ? new SocketError("the socket was closed") : reason;
    if (wasConnecting) {
      this.#cancel?.();
      this.#cancel = undefined;
      this.#opened.reject(error);
      this.#ready.reject(error);
    }
    if (reason === undefined) this.#closeReadable();
    else if (!this.#readDone) {
      this.#readDone = true;
      try {
        this.#rc.error(reason);
      } catch { /* ignore */ }
    }
    this.#readDone = this.#writeDone = true;
    this.#errorWritable(error);
    this.#release();
    return this.closed;
  }

  /**
   * Upgrades a `secureTransport: "starttls"` socket to TLS: this socket is
   * closed (its connection kept) and a new socket speaks TLS over the same
   * connection. Only on a plain `"starttls"` socket, once.
   * @param options omninet's TLS extension options (`ca`, `rejectUnauthorized`...).
   * @returns The TLS socket; its `opened` resolves after the handshake.
   * @example
   * ```ts
   * import { connect } from "@omninet/net/sockets";
   * const plain = connect("mail.example:587", { secureTransport: "starttls" });
   * // ... exchange STARTTLS in plain text, then:
   * const secure = plain.startTls();
   * await secure.opened;
   * ```
   */
  startTls(options?: { sni?: string; alpn?: string[]; omninet?: OmninetSocketOptions }): Socket {
    if (this.secureTransport !== "starttls") {
      throw new SocketError('startTls() needs secureTransport: "starttls"');
    }
    if (this.#upgraded) throw new SocketError("startTls() was already called on this socket");
    if (this.#state === "closed") throw new SocketError("the socket is closed");
    this.#upgraded = true;
    return _upgrade(this, options);
  }
}

/**
 * A socket's readable: `pipeTo()` into another omninet socket's writable
 * moves the bytes from one transport handle to the other (read callbacks
 * straight into writes, reads stopped while too many bytes are unwritten)
 * instead of a promise per chunk, with the standard's locks, ordering,
 * options and error propagation. Anything else is the standard pipe.
 */
class _SocketReadable extends ReadableStream<Uint8Array> {
  override pipeTo(
    destination: WritableStream<Uint8Array>,
    options?: _PipeOptions,
  ): Promise<void> {
    const src = _readableOwner.get(this);
    const dest = _writableOwner.get(destination);
    if (
      src !== undefined && dest !== undefined &&
      (options === undefined || (typeof options === "object" && options !== null)) &&
      (options?.signal === undefined ||
        (options.signal instanceof AbortSignal && !options.signal.aborted))
    ) {
      const p = _directPipe(src, dest, options ?? {});
      if (p !== null) {
        pipeStats.direct++;
        return p;
      }
    }
    pipeStats.standard++;
    return super.pipeTo(destination, options);
  }
}

/**
 * A direct pipe's bytes on their way from one socket's handle to another's.
 * As the transport contract wants, one write is in flight at a time; what
 * arrives meanwhile is queued and goes out in one `writev`, and a queue of
 * `_READ_HWM` bytes stops the source's reads until it is written.
 */
class _DirectPipe {
  #inFlight = false;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #stopped = false;
  #idle: Array<() => void> = [];
  #dest: Socket;
  #src: StreamHandle;
  constructor(dest: Socket, src: StreamHandle) {
    this.#dest = dest;
    this.#src = src;
  }
  /** Whether bytes read are not yet written. */
  get pending(): boolean {
    return this.#inFlight || this.#queued > 0;
  }
  #written = (err?: SystemError | null): void => {
    this.#inFlight = false;
    if (err) {
      this.#queue = [];
      this.#queued = 0;
      _pipeFailed(this.#dest, err);
    } else if (this.#queue.length > 0) {
      const chunks = this.#queue;
      this.#queue = [];
      this.#queued = 0;
      this.#send(chunks);
    }
    if (this.#inFlight) return;
    if (this.#paused && !this.#stopped && !err) {
      this.#paused = false;
      this.#src.readStart();
    }
    this.#wake();
  };
  /** Nothing is in flight: resolves `idle()` waiters (if nothing is queued either). */
  #wake(): void {
    if (this.#queued > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const w of waiting) w();
  }
  #send(chunks: Uint8Array[]): void {
    this.#inFlight = true;
    if (!_pipeWrite(this.#dest, chunks, this.#written)) this.#inFlight = false;
  }
  #flushQueued = false;
  /** Sends what queued during this turn's reads, in one write. */
  #flush = (): void => {
    this.#flushQueued = false;
    if (this.#inFlight || this.#queue.length === 0) return;
    const chunks = this.#queue;
    this.#queue = [];
    this.#queued = 0;
    this.#send(chunks);
    if (!this.#inFlight) this.#wake();
  };
  data(chunk: Uint8Array): void {
    if (this.#stopped) return;
    // A whole read's own buffer (libuv, Deno) goes out at once while it is still in the cache.
    // Deno runs no microtasks between the reads of one wake-up: a flush from a microtask
    // let four reads pile up, stop the reads and restart them for every 256 KiB (Deno echo
    // bench: 1017 pauses per 256 MiB, now 50; best round 763-799 MiB/s -> 789-890).
    if (!this.#inFlight && this.#queued === 0 && _ownsBuffer(chunk)) {
      this.#send([chunk]);
      if (!this.#inFlight) this.#wake();
      return;
    }
    // Parts of one read (Bun hands a 512 KiB read on in 64 KiB parts, synchronously)
    // go out as one write from the microtask after them: one send() instead of eight.
    const q = this.#queue;
    const last = q.length > 0 ? q[q.length - 1] : null;
    if (
      last !== null && last.buffer === chunk.buffer &&
      last.byteOffset + last.byteLength === chunk.byteOffset
    ) {
      q[q.length - 1] = new Uint8Array(
        last.buffer,
        last.byteOffset,
        last.byteLength + chunk.byteLength,
      );
    } else q.push(chunk);
    this.#queued += chunk.byteLength;
    if (!this.#inFlight && !this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flush);
    }
    if (this.#queued > pipeStats.maxQueued) pipeStats.maxQueued = this.#queued;
    if (this.#queued >= _READ_HWM && !this.#paused) {
      this.#paused = true;
      pipeStats.pauses++;
      this.#src.readStop();
    }
  }
  /** No more reads for this pipe. */
  stop(): void {
    this.#stopped = true;
  }
  /** Resolves once every byte read has been written (or its write failed). */
  idle(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** Creates a Socket in the connecting state (connect/listen/interop code). */
export function makeSocket(init: SocketInit): Socket {
  return _make(init);
}

/** The plumbing of `socket` (connect/listen/TLS code only). */
export function internalsOf(socket: Socket): SocketInternals {
  return _internals(socket);
}

/** The TLS upgrade, installed by `sockets/tls.ts` (which imports this module). */
let _upgrade: (
  socket: Socket,
  options?: { sni?: string; alpn?: string[]; omninet?: OmninetSocketOptions },
) => Socket;

/** Installs the startTls implementation (sockets/tls.ts). */
export function setUpgrade(fn: typeof _upgrade): void {
  _upgrade = fn;
}
