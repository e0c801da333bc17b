/**
 * One Bun connection behind the StreamHandle contract (`Conn`, and
 * `TcpConn` with the RST and TCP options), with the functions that read its
 * ends, deliver what it holds and pump its writes. The shared Bun handlers
 * (`handlers.ts`) call into these; nothing here allocates a closure per
 * read or write.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";
import { type SystemError, systemError } from "../../core/errors.ts";
import { afterLoopTurn } from "../../core/loop.ts";
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
import { byteLength, CachedEnds, wireForeign, wireGivenOut, wireOwn } from "../_shared.ts";
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
  /** Closes the socket, also while it is still connecting (Bun's node:net relies on this). */
  close?(): void;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  setNoDelay(noDelay: boolean): boolean;
  setTypeOfService?(tos: number): unknown;
  getTypeOfService?(): number;
  setKeepAlive(enable: boolean, initialDelayMs: number): boolean;
  /** The socket's descriptor (Bun 1.1+; not in Bun's types). */
  readonly fd?: number;
  /** The bytes written to it so far: what Bun took (it keeps no read count). */
  readonly bytesWritten?: number;
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

/**
 * A dial in progress: its callback, the address dialled, and the native
 * socket of the attempt when there is one to close (a TCP dial through Bun's
 * `node:net`; `null` for a `Bun.connect()` dial, which hands out none), and
 * the peer when the dial already names it (see `knownPeer`).
 */
export interface DialState {
  cb: ConnectCallback | null;
  address: string;
  port: number;
  pending: BunSocket | null;
  peer: AddressInfo | undefined;
}

// Unix sockets: Bun reports no addresses, so they come from the path used.
// A dialled socket is unnamed locally; an accepted one has the listener's path.
/** The name of an unnamed Unix socket end. */
export const UNNAMED: string = "";

/**
 * The write state of a connection, made on its first write: an idle
 * connection carries none of it.
 */
export class WriteState {
  /** The tick (`_tick`) of the last write, -1 before any (see `_pushSecond`). */
  sentTick = -1;
  /** The tick of the last send the kernel took (part of), -1 before any (see `pump`). */
  okTick = -1;
  /** Write in progress: current buffer and offset, the rest of a writev. */
  buf: Uint8Array | null = null;
  off = 0;
  rest: Uint8Array[] | null = null;
  next = 0;
  /** A shutdown waiting for the write in progress (only ever set while `wCb` is). */
  shutCb: ((err?: SystemError | null) => void) | null = null;
}

/**
 * One connection: the `StreamHandle` core sees, stored in `socket.data`.
 * This base class serves Unix sockets, which have no RST and no TCP options:
 * `reset` stays absent, as the contract asks. `TcpConn` adds them.
 */
export class Conn extends CachedEnds implements StreamHandle, Dial {
  sock: BunSocket | null = null;
  ev: HandleEvents | null = null;
  /** Chunks that arrived while stopped, or before a queued flush ran. */
  pending: Buffer[] | null = null;
  releaseErr: BunError | undefined = undefined;
  /** The write state, made on the first write (an idle connection has none). */
  io: WriteState | null = null;
  /** Callback of the write in progress (`null` when none is). */
  wCb: ((err?: SystemError | null) => void) | null = null;
  /** The dial in progress, until it settles (accepted connections never have one). */
  dial: DialState | null = null;
  /**
   * The ends: a Unix socket's path (set at open: Bun names none), or a TCP
   * endpoint read from Bun on first request (the local one at the latest
   * before our FIN, see _sendFin): Bun stops naming them once it released
   * the socket, and a peer not asked for by then is `null`, as on Node. Each
   * read costs a system call, so ends known for free (an IPv4 dial's peer, a
   * listener's own address) are filled in at open. `undefined` while not
   * read yet.
   */
  localEnd: string | AddressInfo | undefined = undefined;
  remoteEnd: string | AddressInfo | undefined = undefined;

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

  /** Nagle is on (Node's default for TCP) as far as the owner knows (see `pushed`). */
  get nagle(): boolean {
    return (this.bits & 2) !== 0;
  }
  set nagle(on: boolean) {
    this.bits = on ? this.bits | 2 : this.bits & ~2;
  }

  /**
   * TCP_NODELAY is on in the kernel though Nagle is wanted: a tick wrote a
   * small chunk after another (see `_pushSecond`); it stays on from then on.
   */
  get pushed(): boolean {
    return (this.bits & 4) !== 0;
  }
  set pushed(on: boolean) {
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

  /** A shutdown completed whose FIN waits for close() or the end of its callback's ticks (see shutdown). */
  get finDeferred(): boolean {
    return (this.bits & 32768) !== 0;
  }
  set finDeferred(on: boolean) {
    this.bits = on ? this.bits | 32768 : this.bits & ~32768;
  }

  /** The owner's ref()/unref() choice. */
  get refWanted(): boolean {
    return (this.bits & 8192) !== 0;
  }
  set refWanted(on: boolean) {
    this.bits = on ? this.bits | 8192 : this.bits & ~8192;
  }

  /** `nativeHandle()` gave the Bun socket out: writes past this adapter are counted (see `foreignBytes`). */
  get shown(): boolean {
    return (this.bits & 65536) !== 0;
  }
  set shown(on: boolean) {
    this.bits = on ? this.bits | 65536 : this.bits & ~65536;
  }

  /**
   * Code past this adapter closed the Bun socket given out as `_handle`
   * (`socket._handle.close()`): a write then fails with `EBADF`, as on a
   * Node socket whose handle was closed under it.
   */
  get ownerClosed(): boolean {
    return (this.bits & 262144) !== 0;
  }
  set ownerClosed(on: boolean) {
    this.bits = on ? this.bits | 262144 : this.bits & ~262144;
  }

  /**
   * A send failed after one the kernel took in the same tick: the peer was there for that
   * one, so it had closed, and Linux fails the write with `EPIPE` (see `pump`).
   */
  get sentIntoClose(): boolean {
    return (this.bits & 524288) !== 0;
  }
  set sentIntoClose(on: boolean) {
    this.bits = on ? this.bits | 524288 : this.bits & ~524288;
  }

  /**
   * Bun reported a reset (`releaseErr`) while the owner was not reading: as a Node socket's,
   * whose handle does not poll while stopped, it is news only to the next read (after the
   * bytes that came before it) or write.
   */
  get resetHeld(): boolean {
    return (this.bits & 1048576) !== 0;
  }
  set resetHeld(on: boolean) {
    this.bits = on ? this.bits | 1048576 : this.bits & ~1048576;
  }

  /**
   * Bun's `node:tls` upgraded the socket in place: `sock` is the raw side it
   * made, whose reads are the TLS socket's ciphertext (see `nativeReplaced`).
   */
  get tlsRaw(): boolean {
    return (this.bits & 131072) !== 0;
  }
  set tlsRaw(on: boolean) {
    this.bits = on ? this.bits | 131072 : this.bits & ~131072;
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
    if (this.pending !== null || (this.eof && !this.eofDelivered) || this.resetHeld) {
      queueFlush(this);
    }
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
    const io = this.io ??= new WriteState();
    if (this.nagle) _pushSecond(this, io, chunk.byteLength);
    io.buf = chunk;
    io.off = 0;
    io.rest = null;
    this.wCb = cb;
    _startWrite(this);
  }

  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    const total = byteLength(chunks);
    const io = this.io ??= new WriteState();
    if (this.nagle) _pushSecond(this, io, total);
    _writeChunks(this, io, chunks, total, cb);
  }

  shutdown(cb: (err?: SystemError | null) => void): void {
    if (this.released) {
      queueMicrotask(() => cb(systemError({ code: "ENOTCONN", syscall: "shutdown" })));
    } else if (this.wCb !== null) {
      this.io!.shutCb = cb; // FIN goes out once the queued bytes are written
    } else if (this.eofDelivered && this.pending === null) {
      // The peer's FIN came and was delivered, so ours releases the socket at
      // once and its ends would have to be read first (a system call each).
      // An owner that closes right after its shutdown completes (Node's
      // sockets destroy themselves once both sides ended) sends it with
      // close(): no end is read unless asked. Else it goes out after the
      // callback's own ticks.
      this.finDeferred = true;
      queueMicrotask(() => {
        try {
          cb();
        } finally {
          // After the ticks the callback queued (where an owner closes), even if it threw.
          process.nextTick(_sendDeferredFin, this);
        }
      });
    } else {
      // As Node 24 and 26 (libuv sends it from its loop): the FIN goes out once the
      // ticks of the code that ended have run, then the callback; a close before
      // that sends none, so `end(data); destroy()` with bytes unread is the RST
      // alone, not a FIN and then a RST (Node 20 sent the FIN within end()).
      queueMicrotask(() => process.nextTick(_sendQueuedFin, this, cb));
    }
  }

  close(cb: () => void): void {
    this._release(false);
    afterLoopTurn(cb);
  }

  /** What the write in progress has not handed to Bun's socket yet. */
  writeQueueSize(): number {
    const io = this.io;
    if (io === null || io.buf === null) return 0;
    let n = io.buf.byteLength - io.off;
    const rest = io.rest;
    if (rest !== null) { for (let i = io.next; i < rest.length; i++) n += rest[i].byteLength; }
    return n;
  }

  setNoDelay(_enable: boolean): void {}

  setKeepAlive(_enable: boolean, _initialDelayMs: number): void {}

  /** Hands the socket to Bun's TLS (`./tls.ts`); this connection is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    return startBunTls(this, req, cb);
  }

  /** The `Dial` of a pending connect: no callback after this, and the attempt is closed. */
  cancel(): void {
    this.cancelled = true;
    const d = this.dial;
    if (d === null) return;
    d.cb = null;
    const s = d.pending;
    d.pending = null;
    // Closes the attempt's descriptor now: it opens no more, fails no more.
    // (terminate() leaves a socket that has not opened yet alone; close() does not.)
    s?.close?.();
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
   * The Bun socket, what Bun's own node:net socket keeps as `_handle` and its
   * `child_process` sends (`null` once closed or released).
   */
  nativeHandle(_owner: object): object | null {
    const s = this.closed || this.released ? null : this.sock;
    if (s !== null && !this.shown) {
      this.shown = true;
      wireGivenOut(s, NaN, s.bytesWritten);
      _watchClose(s, this);
    }
    return s;
  }

  /**
   * What Bun's own stacks wrote to the Bun socket given out (Bun's `http2`
   * writes there itself). Bun keeps no read count: reads past this adapter
   * are known only on the raw side of an in-place TLS upgrade (`HandleEvents._onHandlePassed`).
   */
  foreignBytes(written: boolean): number {
    // Bun still answers the count of a socket it closed.
    const s = this.sock;
    if (!written || !this.shown || s === null) return 0;
    return wireForeign(s, 1, s.bytesWritten);
  }

  /**
   * Bun's `node:tls` upgraded the Bun socket in place (`upgradeTLS()`, for a
   * socket with nothing pending: see `settle`) and gives the raw side it
   * made: the old socket object is closed, so this connection goes on over
   * the raw side (same connection, same handlers and data), and leaves what
   * it reads to the TLS socket.
   */
  nativeReplaced(raw: object): boolean {
    const old = this.sock;
    const r = raw as BunSocket;
    if (old === null || r === old || this.closed || r.data !== this) return false;
    if (typeof r.write !== "function") return false;
    this.sock = r;
    this.tlsRaw = true;
    // The TLS side keeps the process alive from now on, and its ref()/unref() decide (as a
    // Node TLS socket's do for the handle it shares with the net socket): Bun's raw side holds
    // no ref of its own, and this adapter no longer refs it (see _syncRef).
    r.unref();
    this.refd = false;
    // The TLS socket reads the connection from now on: a pause this adapter made (a chunk
    // came while its owner did not read) must not hold it back.
    if (this.paused) {
      this.paused = false;
      r.resume();
    }
    // What Bun's stacks write past this adapter is counted on the raw side from now on.
    if (this.shown) wireGivenOut(r, NaN, r.bytesWritten);
    return true;
  }

  settle(): boolean {
    if (this.closed || this.released) return false;
    // Bytes held for an owner that stopped reading go to its buffer now: Bun's node:tls reads
    // them from the socket's buffer (as the first bytes of the TLS stream) before the upgrade.
    const held = this.pending;
    if (held !== null && this.ev !== null) {
      this.pending = null;
      for (let i = 0; i < held.length && !this.closed; i++) this.ev._onHandleData(held[i]);
    }
    if (this.wCb !== null) return true;
    // Nothing pending: Bun's node:tls upgrades this socket in place now, and the TLS side it
    // makes takes the socket's ref: ref'd unless the owner unref'd it, as Node's TLS socket
    // reads (and so holds) the net socket's handle. The raw side then holds none (nativeReplaced).
    if (this.refWanted && !this.closed && this.sock !== null) {
      this.sock.ref();
      this.refd = true;
    }
    return false;
  }

  /**
   * Another process took the socket (Bun's `child_process` sends its
   * descriptor and, unless `keepOpen`, closes it here afterwards): nothing
   * is delivered or called back any more; the socket is left to Bun, not
   * closed.
   */
  detach(): void {
    if (this.closed) return;
    _stopOwner(this);
    const s = this.sock;
    // Bun's child_process clears the socket's data before this: its callbacks now find a closed one.
    if (s !== null) s.data = _DETACHED;
  }

  fd(): number {
    const fd = this.sock?.fd;
    return typeof fd === "number" && fd >= 0 ? fd : -1;
  }

  /**
   * Node's liveness: like a libuv handle, a socket keeps the process alive
   * only while it reads (until the peer's end of stream: libuv stops reading
   * at EOF) or has a write in flight (and the owner did not unref it). Bun
   * keeps every ref'd socket alive, so a paused connection, or one whose
   * peer ended, with nothing to write is unref'd here.
   */
  _syncRef(): void {
    if (this.released || this.sock === null || this.tlsRaw) return;
    // A shutdown waiting for a write is only there while that write is.
    const want = this.refWanted && ((this.reading && !this.eof) || this.wCb !== null);
    if (want === this.refd) return;
    this.refd = want;
    if (want) this.sock.ref();
    else this.sock.unref();
  }

  protected readLocal(): Endpoint {
    _captureLocal(this);
    return _ownEnd(this.localEnd);
  }

  protected readRemote(): Endpoint {
    _captureRemote(this);
    return _ownEnd(this.remoteEnd);
  }

  /** Detaches the owner and lets Bun go of the socket, gracefully or with a RST. */
  _release(abort: boolean): void {
    if (this.closed) return;
    // Bytes Bun read but the owner never took are, for Node, still in the
    // kernel's receive queue: closing then sends a RST, never a clean FIN.
    const unread = _stopOwner(this);
    if (this.released || this.sock === null) return;
    const s = this.sock;
    if (this.finDeferred) {
      // The FIN of the completed shutdown goes first, as if sent then; with
      // the peer's FIN in, it releases the socket.
      this.finDeferred = false;
      s.shutdown();
      if (this.released) return;
    }
    if (abort || unread) s.terminate();
    else {
      s.end();
      // end() releases at once in Bun 1.4; never leave the fd behind if not.
      if (!this.released) s.terminate();
    }
  }
}

/**
 * Closes `c` for its owner (nothing is delivered or called back any more).
 * @returns whether bytes Bun read were left that the owner never took
 */
function _stopOwner(c: Conn): boolean {
  c.closed = true;
  const unread = c.pending !== null;
  c.ev = null;
  c.wCb = null;
  c.pending = null;
  c.io = null;
  return unread;
}

// What a detached socket's callbacks find in its data: a connection closed and released.
const _DETACHED = new Conn();
_DETACHED.closed = true;
_DETACHED.released = true;

/** A TCP connection: adds the RST and the TCP options. */
export class TcpConn extends Conn {
  reset(cb: () => void): void {
    this._release(true);
    afterLoopTurn(cb);
  }

  override setNoDelay(enable: boolean): void {
    this.nagleDue = false;
    this.pushed = false;
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

// Bun has no writev: a writev's chunks go out in batches of up to this many bytes, each copied
// together for one send(); a chunk this large or larger goes out alone, uncopied.
const _CONCAT_LIMIT = 64 * 1024;

/** An IP endpoint from Bun's address fields, its family from the text; `null` when unknown. */
export function ipInfo(address: string | undefined, port: number | undefined): AddressInfo | null {
  if (address === undefined || port === undefined) return null;
  return { address, family: address.includes(":") ? "IPv6" : "IPv4", port };
}

// Endpoint reads: each Bun field costs a getsockname/getpeername, so families
// come from the address text. Nothing is read once Bun released the socket.

function _captureLocal(c: Conn): void {
  if (c.localEnd !== undefined || c.released || c.sock === null) return;
  c.localEnd = ipInfo(c.sock.localAddress, c.sock.localPort) ?? undefined;
}

function _captureRemote(c: Conn): void {
  if (c.remoteEnd !== undefined || c.released || c.sock === null) return;
  c.remoteEnd = ipInfo(c.sock.remoteAddress, c.sock.remotePort) ?? undefined;
}

/** An end as the owner gets it: its own object (a listener's address is shared by its connections). */
function _ownEnd(e: string | AddressInfo | undefined): Endpoint {
  if (e === undefined) return null;
  if (typeof e === "string") return e;
  return { address: e.address, family: e.family, port: e.port };
}

/**
 * Sends the FIN. Once both FINs are out Bun releases the socket and can no
 * longer name its ends, so the local end, if still unknown, is read now (a
 * system call per field): Node's sockets name it until they close. Not the
 * peer: once both FINs are out the kernel names it no more, and Node's
 * sockets answer `undefined` unless it was asked for before (then it is
 * cached). When our FIN is the first one the read cannot wait: the peer's FIN
 * releases the socket without a call to us first. When the peer's came
 * first, `Conn.shutdown` lets an owner that closes at once skip it (client
 * side of bench:net connects, CPU per connect+close against a raw Bun
 * listener, min of 15 alternating rounds, 3 runs: 67.2/68.0/66.2 µs reading,
 * 64.1/64.6/62.7 µs deferred).
 */
function _sendFin(c: Conn): void {
  _captureLocal(c);
  c.sock!.shutdown();
}

/** Sends the FIN of a shutdown unless the connection closed meanwhile, then calls back. */
function _sendQueuedFin(c: Conn, cb: (err?: SystemError | null) => void): void {
  if (!c.closed && !c.released) _sendFin(c);
  cb();
}

/** Sends a deferred FIN the owner did not close after (see `Conn.shutdown`). */
function _sendDeferredFin(c: Conn): void {
  if (!c.finDeferred || c.closed) return;
  c.finDeferred = false;
  if (!c.released) _sendFin(c);
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
    while (q.length > 0 && c.reading && c.ev !== null) c.ev._onHandleData(q.shift()!);
    if (q.length > 0 || c.closed) return;
    c.pending = null;
  }
  if (c.resetHeld) {
    if (c.reading) {
      c.resetHeld = false;
      reportReset(c, c.releaseErr!);
    }
    return;
  }
  if (c.eof && !c.eofDelivered && c.reading && c.ev !== null) {
    c.eofDelivered = true;
    c.ev._onHandleEnd();
  }
}

/** Starts a write of several chunks: small batches as one copy and one send(). */
function _writeChunks(
  c: Conn,
  io: WriteState,
  chunks: Uint8Array[],
  total: number,
  cb: (err?: SystemError | null) => void,
): void {
  c.wCb = cb;
  io.off = 0;
  if (chunks.length === 1 || total <= _CONCAT_LIMIT) {
    io.buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    io.rest = null;
  } else {
    // Many small chunks (a corked encoder's) as one send() per batch, not one each: 2,000
    // corked writes of 100 bytes took 7x as long as with Bun's own node:net chunk by chunk.
    const batches = _batches(chunks);
    io.buf = batches[0];
    io.rest = batches.length === 1 ? null : batches;
    io.next = 1;
  }
  _startWrite(c);
}

/** The chunks of a writev in sends of up to `_CONCAT_LIMIT` bytes (see there). */
function _batches(chunks: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0, size = 0;
  const flush = (to: number): void => {
    if (to - from === 1) out.push(chunks[from]);
    else if (to > from) out.push(Buffer.concat(chunks.slice(from, to), size));
    from = to;
    size = 0;
  };
  for (let i = 0; i < chunks.length; i++) {
    const n = chunks[i].byteLength;
    if (size + n > _CONCAT_LIMIT) flush(i);
    size += n;
  }
  flush(chunks.length);
  return out;
}

// A write of less than this is small: Nagle would hold it back behind an unacknowledged one.
const _SMALL = 16 * 1024;

// The tick count: a tick ends at the first microtask after a write in it.
let _tick = 0;
let _tickQueued = false;

function _endTick(): void {
  _tickQueued = false;
  _tick++;
}

/** The current tick, for a send that went through (its end is queued). */
function _sentNow(): number {
  if (!_tickQueued) {
    _tickQueued = true;
    queueMicrotask(_endTick);
  }
  return _tick;
}

/**
 * Every write goes to the kernel within the call, as Node's (its `true`
 * means flushed to the kernel). With Nagle on, a second small send in one
 * tick would wait for the peer's ACK of the first, up to its delayed-ACK
 * time (~40 ms), which stalls every request/response protocol that writes a
 * header and a body separately (Bun's node:http does; Node's corks them into
 * one). Such a write turns TCP_NODELAY on first, and it stays on (Bun's own
 * sockets always have it), so no setsockopt pair is paid per tick.
 */
function _pushSecond(c: Conn, io: WriteState, n: number): void {
  if (io.sentTick === _tick) {
    if (n < _SMALL && !c.pushed && !c.released) {
      // Nagle still owed is not on in the kernel yet (Bun opens sockets with TCP_NODELAY).
      if (!c.nagleDue) c.sock!.setNoDelay(true);
      c.nagleDue = false;
      c.pushed = true;
    }
    return;
  }
  io.sentTick = _tick;
  if (_tickQueued) return;
  _tickQueued = true;
  queueMicrotask(_endTick);
}

/** Readies a send of the write in progress: `false` once Bun released the socket. */
function _beforeSend(c: Conn): boolean {
  if (c.released) return false;
  if (!c.refd) c._syncRef();
  if (c.nagleDue) {
    c.nagleDue = false;
    c.sock!.setNoDelay(false);
  }
  return true;
}

/** Runs the first attempt of a write; `cb` is synchronous when it all went out. */
function _startWrite(c: Conn): void {
  if (!_beforeSend(c)) {
    failWrite(c, undefined, true);
    return;
  }
  const r = pump(c);
  if (r === 1) finishWrite(c);
  // As Node's: a first send that fails fails write() itself (libuv's try-write); one after a
  // send this call made (libuv's write loop) calls back on a later turn, with the writes the
  // owner queued meanwhile, still before any read of the peer's FIN.
  else if (r < 0) failWrite(c, undefined, r === -1);
}

/**
 * Writes as much as the kernel takes: 1 all written, 0 blocked, -1 closed at
 * the first send, -2 closed after a send of this call went through.
 */
export function pump(c: Conn): number {
  const s = c.sock!;
  const io = c.io!;
  let sent = false;
  for (;;) {
    const buf = io.buf!;
    const left = buf.byteLength - io.off;
    const n = io.off === 0 ? s.write(buf) : s.write(buf, io.off, left);
    if (n < 0) {
      // A send in this tick went through: the peer was there for it and answered it with a
      // reset, so it had closed (its FIN came first), and Linux fails this one with EPIPE.
      if (io.okTick === _tick) c.sentIntoClose = true;
      return sent ? -2 : -1;
    }
    if (n !== 0) {
      io.okTick = _sentNow();
      sent = true;
    }
    if (c.shown) wireOwn(s, 1, n);
    if (n < left) {
      io.off += n;
      // As libuv, a send the kernel took part of is tried again at once: the kernel refuses
      // the next one (0), or fails it when the peer answered the part with a reset (a peer
      // that had closed), and the write then fails before a read reports the peer's FIN.
      if (n === 0) return 0;
      continue;
    }
    const rest = io.rest;
    if (rest === null || io.next >= rest.length) break;
    io.buf = rest[io.next++];
    io.off = 0;
  }
  io.buf = null;
  io.rest = null;
  return 1;
}

/** The write in progress went out: sends a FIN waiting on it, then calls back. */
export function finishWrite(c: Conn): void {
  const cb = c.wCb!;
  c.wCb = null;
  const io = c.io!;
  const shut = io.shutCb;
  if (shut !== null) {
    io.shutCb = null;
    _sendFin(c);
    queueMicrotask(shut);
  }
  if (!c.reading) c._syncRef();
  cb(null);
}

/**
 * Marks `c` closed by its owner when code past the adapter calls `close()` on
 * the Bun socket given out as `_handle` (an own method on that one socket
 * object; Bun's own stacks close the sockets they upgrade natively, and a
 * connection that moved to another socket object is not marked).
 * @param s the Bun socket given out
 * @param c its connection
 */
function _watchClose(s: BunSocket, c: Conn): void {
  const close = (s as unknown as { close?: (...a: unknown[]) => unknown }).close;
  if (typeof close !== "function") return;
  Object.defineProperty(s, "close", {
    configurable: true,
    writable: true,
    value: function (this: BunSocket, ...args: unknown[]): unknown {
      if (c.sock === this && !c.released) c.ownerClosed = true;
      return close.apply(this, args);
    },
  });
}

/**
 * Fails the pending write (and a shutdown waiting on it), then reports onError once.
 * @param c the connection
 * @param bunErr Bun's error, when it gave one
 * @param sync the owner's write met the failure within its call (the send the kernel refused
 * there): as Node's, it fails at once, as a write error, whatever a read would have met
 */
export function failWrite(c: Conn, bunErr: BunError | undefined, sync = false): void {
  const cb = c.wCb;
  c.wCb = null;
  const io = c.io;
  let shut: ((err?: SystemError | null) => void) | null = null;
  if (io !== null) {
    shut = io.shutCb;
    io.shutCb = null;
    io.buf = null;
    io.rest = null;
  }
  if (sync) _failWriteNow(c, bunErr, cb, shut, true);
  else queueMicrotask(() => _failWriteNow(c, bunErr, cb, shut, false));
}

function _failWriteNow(
  c: Conn,
  bunErr: BunError | undefined,
  cb: ((err?: SystemError | null) => void) | null,
  shut: ((err?: SystemError | null) => void) | null,
  sync: boolean,
): void {
  if (c.closed) return;
  // Bun's write says only that it failed, and its close often names no cause. A Unix
  // stream socket's write fails with EPIPE once the peer is gone. On TCP, Linux's write
  // fails with ECONNRESET on a connection the peer reset, and with EPIPE once the peer's
  // FIN came (the reset that answers a write after it is then no news). A reset that
  // finds the socket reading is read first, as libuv reads before it writes (Bun's close
  // names that `read` too): Node reports those.
  const cause = bunErr ?? c.releaseErr;
  const code = cause?.code ??
    (c.ownerClosed
      ? "EBADF"
      : c.eof || c.sentIntoClose || !(c instanceof TcpConn)
      ? "EPIPE"
      : "ECONNRESET");
  const readFirst = !sync && code === "ECONNRESET" && c.reading;
  // A write that met the failure within its call names `write`, also for a reset Bun named
  // a read's while no read was under way (resetHeld).
  c.resetHeld = false;
  const err = systemError({
    code,
    syscall: sync ? "write" : bunSyscall(code, cause, readFirst ? "read" : "write"),
    cause,
  });
  // Met by a read first: the owner's 'error' alone; the write in flight is cancelled as
  // the socket closes (ECANCELED, from core), as Node 24 and 26 report it.
  if (!readFirst) {
    cb?.(err);
    shut?.(err);
  }
  // Failed within write(), as libuv's try-write: the owner's stream destroys the socket on
  // its own tick, after the callbacks of the writes made meanwhile (Node's errorBuffer); the
  // error is reported after that tick, as the libuv adapter does.
  if (sync && cb !== null) process.nextTick(reportError, c, err);
  else reportError(c, err);
}

/**
 * The syscall of a connection error: `write` for `EPIPE` (Bun labels it a
 * `read` error), else the one Bun's error names, else `fallback`.
 * @param code the error's code
 * @param cause Bun's error, when it gave one
 * @param fallback the syscall when Bun names none
 * @returns the syscall Node would report
 */
export function bunSyscall(code: string, cause: BunError | undefined, fallback: string): string {
  return code === "EPIPE" ? "write" : cause?.syscall ?? fallback;
}

/** Reports a reset Bun's close named, as a read met it. */
export function reportReset(c: Conn, err: BunError): void {
  const code = err.code ?? "ECONNRESET";
  reportError(c, systemError({ code, syscall: bunSyscall(code, err, "read"), cause: err }));
}

/** Reports a connection error to the owner, at most once. */
export function reportError(c: Conn, err: SystemError): void {
  if (c.errored || c.closed || c.ev === null) return;
  c.errored = true;
  c.ev._onHandleError(err);
}
