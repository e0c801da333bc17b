/**
 * One Bun connection behind the StreamHandle contract (`Conn`, and
 * `TcpConn` with the RST and TCP options), with the functions that read its
 * ends, deliver what it holds and pump its writes. The shared Bun handlers
 * (`handlers.ts`) call into these; nothing here allocates a closure per
 * read or write.
 * @module
 */
import { Buffer } from "node:buffer";
import { type SystemError, systemError } from "../../core/errors.ts";
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  Endpoint,
  HandleEvents,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import { CachedEnds } from "../_shared.ts";
import { startBunTls } from "./tls.ts";

/** The part of Bun's `Socket` this adapter uses. */
export interface BunSocket {
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
  setTypeOfService?(tos: number): unknown;
  getTypeOfService?(): number;
  setKeepAlive(enable: boolean, initialDelayMs: number): boolean;
}

/** The part of Bun's socket listener this adapter uses. */
export interface BunListener {
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
  getsockname(out: { address?: string; family?: string; port?: number }): void;
}

/** The error shape Bun gives `connectError`/`close` and throws from `listen`. */
export interface BunError {
  code?: string;
  syscall?: string;
}

/** `Bun.connect` / `Bun.listen`, typed just enough for this file. */
export interface BunApi {
  connect(options: Record<string, unknown>): Promise<BunSocket>;
  listen(options: Record<string, unknown>): BunListener;
}

/** The `Bun` global (only called on Bun). */
export function bunApi(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}

/** Does nothing (a callback slot that must hold a function). */
export function noop(): void {}

// Unix sockets: Bun reports no addresses, so they come from the path used.
// A dialled socket is unnamed locally; an accepted one has the listener's path.
/** The name of an unnamed Unix socket end. */
export const UNNAMED: string = "";

/**
 * One connection: the `StreamHandle` core sees, stored in `socket.data`.
 * This base class serves Unix sockets, which have no RST and no TCP options:
 * `reset` stays absent, as the contract asks. `TcpConn` adds them.
 */
export class Conn extends CachedEnds implements StreamHandle, Dial {
  sock: BunSocket | null = null;
  /**
   * Copies of the writes accepted this tick, sent together from a microtask: with Nagle on,
   * a second small send would wait for the peer's delayed ACK of the first
   * (~40 ms), which stalls every request/response protocol that writes a
   * header and a body separately (Bun's node:http does).
   */
  cork: Uint8Array[] | null = null;
  corkBytes = 0;
  /** Callback of a cork flush, made on first use. */
  corkCb: ((err?: SystemError | null) => void) | null = null;
  /** An owner write that arrived while a cork flush waited for the kernel. */
  heldChunks: Uint8Array[] | null = null;
  heldCb: ((err?: SystemError | null) => void) | null = null;
  ev: HandleEvents | null = null;
  /** Chunks that arrived while stopped, or before a queued flush ran. */
  pending: Buffer[] | null = null;
  releaseErr: BunError | undefined = undefined;
  /** Write in progress: current buffer and offset, the rest of a writev. */
  wBuf: Uint8Array | null = null;
  wOff = 0;
  wRest: Uint8Array[] | null = null;
  wNext = 0;
  wCb: ((err?: SystemError | null) => void) | null = null;
  shutCb: ((err?: SystemError | null) => void) | null = null;
  /** Dial state, before the socket opens. */
  dialCb: ConnectCallback | null = null;
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

  /** The boolean state of the accessors below, one bit each: one slot instead of fifteen (Bun idle RSS). */
  bits = 24576;

  /**
   * Node's Nagle-on start is still owed: Bun opened the socket with
   * TCP_NODELAY set. Nagle only shapes sends, so the setsockopt waits for the
   * first write (a connection that never writes never pays for it).
   */
  get nagleDue(): boolean {
    return (this.bits & 1) !== 0;
  }
  set nagleDue(on: boolean) {
    this.bits = on ? this.bits | 1 : this.bits & ~1;
  }

  /** Nagle is on (Node's default for TCP): small writes are corked for the tick. */
  get nagle(): boolean {
    return (this.bits & 2) !== 0;
  }
  set nagle(on: boolean) {
    this.bits = on ? this.bits | 2 : this.bits & ~2;
  }

  /** State bit `corkQueued`. */
  get corkQueued(): boolean {
    return (this.bits & 4) !== 0;
  }
  set corkQueued(on: boolean) {
    this.bits = on ? this.bits | 4 : this.bits & ~4;
  }

  /** State bit `reading`. */
  get reading(): boolean {
    return (this.bits & 8) !== 0;
  }
  set reading(on: boolean) {
    this.bits = on ? this.bits | 8 : this.bits & ~8;
  }

  /** Bun's reading is paused (set lazily: see readStop). */
  get paused(): boolean {
    return (this.bits & 16) !== 0;
  }
  set paused(on: boolean) {
    this.bits = on ? this.bits | 16 : this.bits & ~16;
  }

  /** State bit `flushQueued`. */
  get flushQueued(): boolean {
    return (this.bits & 32) !== 0;
  }
  set flushQueued(on: boolean) {
    this.bits = on ? this.bits | 32 : this.bits & ~32;
  }

  /** Bun saw the peer's FIN (or a clean close). */
  get eof(): boolean {
    return (this.bits & 64) !== 0;
  }
  set eof(on: boolean) {
    this.bits = on ? this.bits | 64 : this.bits & ~64;
  }

  /** State bit `eofDelivered`. */
  get eofDelivered(): boolean {
    return (this.bits & 128) !== 0;
  }
  set eofDelivered(on: boolean) {
    this.bits = on ? this.bits | 128 : this.bits & ~128;
  }

  /** Owner called close()/reset(): no more callbacks. */
  get closed(): boolean {
    return (this.bits & 256) !== 0;
  }
  set closed(on: boolean) {
    this.bits = on ? this.bits | 256 : this.bits & ~256;
  }

  /** Bun released the socket (its close handler ran). */
  get released(): boolean {
    return (this.bits & 512) !== 0;
  }
  set released(on: boolean) {
    this.bits = on ? this.bits | 512 : this.bits & ~512;
  }

  /** State bit `errored`. */
  get errored(): boolean {
    return (this.bits & 1024) !== 0;
  }
  set errored(on: boolean) {
    this.bits = on ? this.bits | 1024 : this.bits & ~1024;
  }

  /** State bit `cancelled`. */
  get cancelled(): boolean {
    return (this.bits & 2048) !== 0;
  }
  set cancelled(on: boolean) {
    this.bits = on ? this.bits | 2048 : this.bits & ~2048;
  }

  /** Inside Bun.connect(): Bun may open or fail synchronously there. */
  get dialing(): boolean {
    return (this.bits & 4096) !== 0;
  }
  set dialing(on: boolean) {
    this.bits = on ? this.bits | 4096 : this.bits & ~4096;
  }

  /** The owner's ref()/unref() choice. */
  get refWanted(): boolean {
    return (this.bits & 8192) !== 0;
  }
  set refWanted(on: boolean) {
    this.bits = on ? this.bits | 8192 : this.bits & ~8192;
  }

  /** What Bun was last told: its sockets open ref'd. */
  get refd(): boolean {
    return (this.bits & 16384) !== 0;
  }
  set refd(on: boolean) {
    this.bits = on ? this.bits | 16384 : this.bits & ~16384;
  }

  attach(events: HandleEvents): void {
    this.ev = events;
  }

  readStart(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    if (!this.refd) this._syncRef();
    if (this.pending !== null || (this.eof && !this.eofDelivered)) queueFlush(this);
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
    this._syncRef();
  }

  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void {
    if (this.nagle && _corkable(this, chunk.byteLength)) {
      _cork(this, chunk);
      cb(null);
      return;
    }
    if (this.cork !== null || this.wCb !== null) {
      _writeAfterCork(this, [chunk], cb);
      return;
    }
    this.wBuf = chunk;
    this.wOff = 0;
    this.wRest = null;
    this.wCb = cb;
    _startWrite(this);
  }

  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
    if (this.nagle && _corkable(this, total)) {
      for (let i = 0; i < chunks.length; i++) _cork(this, chunks[i]);
      cb(null);
      return;
    }
    if (this.cork !== null || this.wCb !== null) _writeAfterCork(this, chunks, cb);
    else _writeChunks(this, chunks, total, cb);
  }

  shutdown(cb: (err?: SystemError | null) => void): void {
    if (this.cork !== null) _uncork(this);
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

  /** Hands the socket to Bun's TLS (`./tls.ts`); this connection is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    return startBunTls(this, req, cb);
  }

  /** The `Dial` of a pending connect: no callback after this. */
  cancel(): void {
    this.cancelled = true;
    this.dialCb = null;
  }

  ref(): void {
    this.refWanted = true;
    this._syncRef();
  }

  unref(): void {
    this.refWanted = false;
    this._syncRef();
  }

  /**
   * Node's liveness: like a libuv handle, a socket keeps the process alive
   * only while it reads or has a write in flight (and the owner did not
   * unref it). Bun keeps every ref'd socket alive, so a paused connection
   * with nothing to write is unref'd here.
   */
  _syncRef(): void {
    if (this.released || this.sock === null) return;
    const want = this.refWanted && (this.reading || this.wCb !== null || this.shutCb !== null);
    if (want === this.refd) return;
    this.refd = want;
    if (want) this.sock.ref();
    else this.sock.unref();
  }

  protected readLocal(): Endpoint {
    if (this.unixLocal !== null) return this.unixLocal;
    _captureLocal(this);
    return ipInfo(this.localIp, this.localPort);
  }

  protected readRemote(): Endpoint {
    if (this.unixRemote !== null) return this.unixRemote;
    _captureRemote(this);
    return ipInfo(this.remoteIp, this.remotePort);
  }

  /** Detaches the owner and lets Bun go of the socket, gracefully or with a RST. */
  _release(abort: boolean): void {
    if (this.closed) return;
    // Corked bytes were accepted: they reach the kernel before a graceful close.
    if (!abort && this.cork !== null && !this.released) _uncork(this);
    this.closed = true;
    // Bytes Bun read but the owner never took are, for Node, still in the
    // kernel's receive queue: closing then sends a RST, never a clean FIN.
    const unread = this.pending !== null;
    this.ev = null;
    this.wCb = this.shutCb = this.heldCb = null;
    this.wBuf = null;
    this.wRest =
      this.pending =
      this.cork =
      this.heldChunks =
        null;
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
export class TcpConn extends Conn {
  reset(cb: () => void): void {
    this._release(true);
    queueMicrotask(cb);
  }

  override setNoDelay(enable: boolean): void {
    this.nagleDue = false;
    this.nagle = !enable;
    if (!this.released) this.sock!.setNoDelay(enable);
  }
  setTypeOfService(tos: number): string | null {
    if (!this.released) this.sock!.setTypeOfService?.(tos);
    return null;
  }

  getTypeOfService(): number | string {
    return this.released ? 0 : this.sock!.getTypeOfService?.() ?? 0;
  }

  override setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (!this.released) this.sock!.setKeepAlive(enable, initialDelayMs);
  }
}

// Above this total, writev sends chunk by chunk instead of copying them together.
const _CONCAT_LIMIT = 64 * 1024;

/** An IP endpoint from Bun's address fields, its family from the text; `null` when unknown. */
export function ipInfo(address: string | undefined, port: number | undefined): AddressInfo | null {
  if (address === undefined || port === undefined) return null;
  return { address, family: address.includes(":") ? "IPv6" : "IPv4", port };
}

// Endpoint reads: each Bun field costs a getsockname/getpeername, so families
// come from the address text. Nothing is read once Bun released the socket.

function _captureLocal(c: Conn): void {
  if (c.localIp !== undefined || c.released || c.sock === null) return;
  c.localIp = c.sock.localAddress;
  c.localPort = c.sock.localPort;
}

function _captureRemote(c: Conn): void {
  if (c.remoteIp !== undefined || c.released || c.sock === null) return;
  c.remoteIp = c.sock.remoteAddress;
  c.remotePort = c.sock.remotePort;
}

/** Records whichever TCP endpoint is still unknown, while Bun can name it. */
function _captureEnds(c: Conn): void {
  if (c.unixLocal !== null) return;
  _captureLocal(c);
  _captureRemote(c);
}

/**
 * Sends the FIN. Once both FINs are out Bun releases the socket and can no
 * longer name its ends, so the ends still unknown are read now (a system
 * call each). Deferring the read so that an owner closing at once skips it
 * showed no difference in bench:net on Bun (connects/s, two A/B runs at load
 * average ~3: 13,773 / 13,107 deferred, 13,302 / 13,715 plain), so the plain
 * form stays.
 */
function _sendFin(c: Conn): void {
  _captureEnds(c);
  c.sock!.shutdown();
}

/** Delivers held bytes and EOF on a microtask (once per batch). */
export function queueFlush(c: Conn): void {
  if (c.flushQueued) return;
  c.flushQueued = true;
  queueMicrotask(() => flush(c));
}

/** Delivers what arrived while stopped, then the end-of-stream, in order. */
export function flush(c: Conn): void {
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

/** Starts a write of several chunks: small batches as one copy and one send(). */
function _writeChunks(
  c: Conn,
  chunks: Uint8Array[],
  total: number,
  cb: (err?: SystemError | null) => void,
): void {
  c.wCb = cb;
  c.wOff = 0;
  if (chunks.length === 1 || total <= _CONCAT_LIMIT) {
    // Bun has no writev: small batches are cheaper as one copy and one send().
    c.wBuf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    c.wRest = null;
  } else {
    c.wBuf = chunks[0];
    c.wRest = chunks;
    c.wNext = 1;
  }
  _startWrite(c);
}

// Writes from this size on are sent as they are, never corked: a cork costs a
// copy, and a bulk write gains nothing from joining a small one (Nagle holds
// back only a small segment). bench:net echo on Bun, 64 KiB writes, MiB/s:
// 1,023 / 924 before the cork, 936 / 804 with every write corked, 957 / 1,016
// with this limit (2026-12-04, two runs each on a quiet machine).
const _CORK_MAX = 16 * 1024;

/** Whether a write of `n` bytes may join this tick's cork. */
function _corkable(c: Conn, n: number): boolean {
  return n < _CORK_MAX && c.wCb === null && !c.released && c.corkBytes + n <= _CONCAT_LIMIT;
}

function _cork(c: Conn, chunk: Uint8Array): void {
  // A copy: the owner hears "written" now and may reuse its buffer at once.
  (c.cork ??= []).push(Buffer.from(chunk));
  c.corkBytes += chunk.byteLength;
  if (c.corkQueued) return;
  c.corkQueued = true;
  queueMicrotask(() => _uncork(c));
}

/** Sends what was corked (the owner's callbacks already ran). */
function _uncork(c: Conn): void {
  c.corkQueued = false;
  const chunks = c.cork;
  if (chunks === null || c.closed) return;
  c.cork = null;
  const total = c.corkBytes;
  c.corkBytes = 0;
  _writeChunks(c, chunks, total, c.corkCb ??= (err) => _corkSent(c, err));
}

/** A cork flush finished: an owner write held behind it goes next. */
function _corkSent(c: Conn, err?: SystemError | null): void {
  const held = c.heldChunks;
  const cb = c.heldCb;
  if (held === null || cb === null) return;
  c.heldChunks = null;
  c.heldCb = null;
  if (err) cb(err);
  else c.writev(held, cb);
}

/**
 * An owner write that cannot join the cork: sent after the corked bytes,
 * together with them when they are still here, else once their flush is out.
 */
function _writeAfterCork(
  c: Conn,
  chunks: Uint8Array[],
  cb: (err?: SystemError | null) => void,
): void {
  if (c.wCb !== null) {
    c.heldChunks = chunks;
    c.heldCb = cb;
    return;
  }
  const all = c.cork!.concat(chunks);
  let total = c.corkBytes;
  for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
  c.cork = null;
  c.corkBytes = 0;
  _writeChunks(c, all, total, cb);
}

/** Runs the first attempt of a write; `cb` is synchronous when it all went out. */
function _startWrite(c: Conn): void {
  if (c.released) {
    failWrite(c, undefined);
    return;
  }
  if (!c.refd) c._syncRef();
  if (c.nagleDue) {
    c.nagleDue = false;
    c.sock!.setNoDelay(false);
  }
  const r = pump(c);
  if (r === 1) finishWrite(c);
  else if (r < 0) failWrite(c, undefined);
}

/** Writes as much as the kernel takes: 1 all written, 0 blocked, -1 closed. */
export function pump(c: Conn): number {
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

/** The write in progress went out: sends a FIN waiting on it, then calls back. */
export function finishWrite(c: Conn): void {
  const cb = c.wCb!;
  c.wCb = null;
  const shut = c.shutCb;
  if (shut !== null) {
    c.shutCb = null;
    _sendFin(c);
    queueMicrotask(shut);
  }
  if (!c.reading) c._syncRef();
  cb(null);
}

/** Fails the pending write (and a shutdown waiting on it), then reports onError once. */
export function failWrite(c: Conn, bunErr: BunError | undefined): void {
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
    reportError(c, err);
  });
}

/** Reports a connection error to the owner, at most once. */
export function reportError(c: Conn, err: SystemError): void {
  if (c.errored || c.closed || c.ev === null) return;
  c.errored = true;
  c.ev.onError(err);
}
