/**
 * The WinterTC Sockets API `Socket`: a connection as a `ReadableStream` and
 * a `WritableStream`, with `opened`/`closed` promises. It drives a transport
 * `StreamHandle` directly (no `net.Socket` in between): the readable's pull
 * starts kernel reads and a full queue stops them (`readStop`), each write
 * resolves when the handle took the bytes. TLS sockets drive a `node:tls`
 * socket through the same contract (`DuplexHandle`).
 * @module
 */
import type { BlockList } from "../core/block_list.ts";
import type { SystemError } from "../core/errors.ts";
import type { Endpoint, HandleEvents, StreamHandle } from "../runtimes/types.ts";
import { formatEndpoint } from "./address.ts";
import { SocketError, toSocketError } from "./error.ts";

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

let _bytesSupported: boolean | undefined;

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
  const buf = chunk.buffer;
  if (
    chunk.byteOffset === 0 && chunk.byteLength === buf.byteLength && buf instanceof ArrayBuffer &&
    !(buf as { resizable?: boolean }).resizable
  ) {
    return chunk;
  }
  // Not `chunk.slice()`: on a Buffer that is a view, not a copy.
  return new Uint8Array(chunk);
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
  onData(chunk: Uint8Array): void {
    this.s.data(chunk);
  }
  onEnd(): void {
    this.s.end();
  }
  onError(err: SystemError): void {
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
  #onWritten = (err?: SystemError | null): void => {
    const res = this.#writeResolve;
    const rej = this.#writeReject;
    this.#writing = null;
    this.#writeResolve = this.#writeReject = null;
    if (err) rej?.(toSocketError(err));
    else res?.();
  };
  #internals: SocketInternalsImpl;
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
        this.#handle?.readStop();
        this.#maybeFinish();
      },
    };
    if (this.#bytes) {
      return new ReadableStream({ ...source, type: "bytes" }, { highWaterMark: _READ_HWM });
    }
    return new ReadableStream<Uint8Array>(
      source,
      new ByteLengthQueuingStrategy({ highWaterMark: _READ_HWM }),
    );
  }

  #makeWritable(): WritableStream<Uint8Array | ArrayBufferView | ArrayBuffer | string> {
    return new WritableStream({
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
      abort: () => {
        // An aborted writable half-closes: the reading side may still be wanted.
        this.#writeDone = true;
        if (this.#handle !== null && this.#state === "open") this.#handle.shutdown(() => {});
        this.#maybeFinish();
      },
    }, { highWaterMark: _WRITE_HWM, size: _chunkSize });
  }

  #write(bytes: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (handle === null || this.#state !== "open") {
      return Promise.reject(new SocketError("the socket is closed"));
    }
    const p = new Promise<void>((resolve, reject) => {
      this.#writeResolve = resolve;
      this.#writeReject = reject;
    });
    this.#writing = p;
    handle.write(bytes, this.#onWritten);
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
    handle.close(() => this.#closed.resolve());
  }

  #onData(chunk: Uint8Array): void {
    if (this.#readDone) return;
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
      this.#writeDone = true;
      try {
        this.#wc.error(new SocketError("the peer closed the connection"));
      } catch { /* already errored */ }
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
    try {
      this.#wc.error(error);
    } catch { /* ignore */ }
    const handle = this.#handle;
    this.#handle = null;
    if (handle === null) this.#closed.reject(error);
    else handle.close(() => this.#closed.reject(error));
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
    handle.readStop();
    this.#handle = null;
    this.#closeReadable();
    this.#writeDone = true;
    const writing = this.#writing;
    try {
      this.#wc.error(new SocketError("the connection moved to another socket"));
    } catch { /* ignore */ }
    if (writing) await writing.catch(() => {});
    this.#closed.resolve();
    return handle;
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
    try {
      this.#wc.error(error);
    } catch { /* ignore */ }
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
