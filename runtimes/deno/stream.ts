/**
 * One connected `Deno.Conn` behind the StreamHandle contract: a read loop
 * that parks while stopped, a bounded send queue, the FIN after it, and the
 * reset probe Deno needs because it reports a TCP reset as EOF.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";
import { type SystemError, systemError } from "../../core/errors.ts";
import type {
  Dial,
  Endpoint,
  HandleEvents,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import { coalesce, COPY_MAX, MAX_READ, MIN_READ, type ReadArena } from "./arena.ts";
import { afterLoopTurn } from "../../core/loop.ts";
import {
  byteLength,
  CachedEnds,
  type Linger,
  lingerTimer,
  noop,
  TCP_SEND_BUFFER,
  UNIX_SEND_BUFFER,
} from "../_shared.ts";
import { codeOf, type DenoConn, mapError, settle, toEndpoint } from "./api.ts";
import { denoCanStartTls, startDenoTls } from "./tls.ts";

const _EMPTY = new Uint8Array(0);

/** A connected `Deno.Conn` as a transport stream handle. */
export class DenoStream extends CachedEnds implements StreamHandle {
  #conn: DenoConn;
  #events: HandleEvents | null = null;
  #reading = false;
  #looping = false;
  #closed = false;
  #failed = false;
  /** The connection's fatal error: later writes fail with it. */
  #error: SystemError | null = null;
  #wake: (() => void) | null = null;
  #inflight: Promise<number | null> | null = null;
  /** Accepted bytes not yet written: the unit being sent, then the queue. */
  #sending: Uint8Array | null = null;
  #sent = 0;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  /** The owner's callback once more than the send buffer's bytes wait. */
  #heldCb: ((err?: SystemError | null) => void) | null = null;
  #shutdownCb: ((err?: SystemError | null) => void) | null = null;
  /** A close waiting for accepted bytes to be written (see `close`): its timer and callback. */
  #linger: Linger | null = null;
  #finPending = false;
  #arena: ReadArena;
  #tcp: boolean;
  #view: Uint8Array | null = null;
  #readSize = MIN_READ;
  /** Parked with a read's result the owner has not taken yet. */
  #holding = false;

  constructor(conn: DenoConn, arena: ReadArena) {
    super();
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
      while (!this.#reading && !this.#closed) await this.#park();
      if (this.#closed) return;
      const view = this.#view ??= this.#arena.reserve(this.#readSize);
      let n: number | null;
      try {
        n = await (this.#inflight = conn.read(view));
      } catch (err) {
        this.#inflight = null;
        this.#fail(mapError(err, "read"));
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
      // A readStop() between the wake-up and this turn parks it again: the bytes go to
      // whoever starts reading next (the handle may have changed hands meanwhile).
      while (!this.#reading) {
        this.#holding = true;
        await this.#park();
        this.#holding = false;
        if (this.#closed) return;
      }
      if (n === null) {
        this.#events?._onHandleEnd();
        return;
      }
      if (chunk !== null) this.#events?._onHandleData(chunk);
    }
  }

  // Grows the read size while reads come back full and shrinks it when they
  // come back small. A small chunk is copied out so the region serves the
  // next read: cheaper than a fresh region, which other connections' reads
  // would keep from being reclaimed.
  #take(view: Uint8Array, n: number): Buffer {
    const size = view.byteLength;
    if (n === size) {
      if (size < MAX_READ) this.#readSize = size * 2;
    } else if (n < size >> 2 && size > MIN_READ) {
      this.#readSize = size >> 1;
    }
    if (n <= COPY_MAX) {
      const copy = Buffer.allocUnsafe(n);
      copy.set(view.subarray(0, n));
      // The region serves the next read only at the size wanted now: a read
      // that came back full (the 4 KiB first region) must grow the next one.
      if (size !== this.#readSize) this.#giveBack(view);
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
      const code = codeOf(err);
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
    this.#error = err;
    this.#events?._onHandleError(err);
  }

  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void {
    if (chunk.byteLength === 0) {
      cb(null);
      return;
    }
    this.#accept([chunk], chunk.byteLength, cb);
  }

  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    const units = chunks.length === 1 ? chunks : coalesce(chunks);
    const total = byteLength(units);
    if (total === 0) {
      cb(null);
      return;
    }
    this.#accept(units, total, cb);
  }

  // Deno's write is a promise: whether the kernel took the bytes is known
  // only later. Like the socket send buffer libuv writes into at once, the
  // handle takes up to a send buffer's bytes at once, as copies (the owner may
  // reuse a chunk once its callback ran; `new Uint8Array(x)` copies, where a
  // Buffer's `slice()` would be a view), and calls back synchronously; so
  // write() returns false only when that much is really waiting, as on
  // Node. Beyond it the callback waits until everything queued is written.
  #accept(units: Uint8Array[], total: number, cb: (err?: SystemError | null) => void): void {
    if (this.#closed) return;
    const failed = this.#error;
    if (failed !== null) {
      queueMicrotask(() => {
        if (!this.#closed) cb(failed);
      });
      return;
    }
    const early = this.#buffered + total <= (this.#tcp ? TCP_SEND_BUFFER : UNIX_SEND_BUFFER);
    for (let i = 0; i < units.length; i++) {
      if (units[i].byteLength > 0) this.#queue.push(early ? new Uint8Array(units[i]) : units[i]);
    }
    this.#buffered += total;
    if (this.#sending === null) this.#next();
    if (early) cb(null);
    else this.#heldCb = cb;
  }

  #next(): void {
    const unit = this.#queue.shift()!;
    this.#sending = unit;
    this.#sent = 0;
    this.#send(unit);
  }

  #send(chunk: Uint8Array): void {
    this.#conn.write(chunk).then(
      (n) => this.#written(n),
      (err) => this.#writeFailed(err),
    );
  }

  #written(n: number): void {
    if (this.#closed && this.#linger === null) return;
    const unit = this.#sending!;
    this.#sent += n;
    this.#buffered -= n;
    if (this.#sent < unit.byteLength) {
      this.#send(unit.subarray(this.#sent));
      return;
    }
    this.#sending = null;
    if (this.#queue.length > 0) return this.#next();
    if (this.#closed) return this.#release();
    const cb = this.#heldCb;
    this.#heldCb = null;
    cb?.(null);
    if (this.#finPending && this.#sending === null) this.#closeWrite();
  }

  #writeFailed(err: unknown): void {
    if (this.#closed) {
      if (this.#linger !== null) this.#release();
      return;
    }
    const cb = this.#heldCb;
    this.#heldCb = this.#sending = null;
    this.#queue.length = 0;
    this.#buffered = 0;
    const e = mapError(err, "write");
    cb?.(e);
    this.#fail(e);
  }

  shutdown(cb: (err?: SystemError | null) => void): void {
    if (this.#closed || this.#shutdownCb !== null) return;
    this.#finPending = true;
    // FIN goes out after every accepted byte has been written.
    if (this.#sending === null) {
      this.#shutdownCb = cb;
      this.#closeWrite();
    } else if (this.#heldCb === null) {
      // Every waiting byte was taken as a kernel's send buffer takes it: Node's shutdown of a
      // connection whose bytes all went to the kernel completes on the loop's next turn, with
      // the FIN queued behind them, so 'finish' comes before a peer's FIN read meanwhile. A
      // write or FIN that fails later surfaces as the connection's error.
      this.#shutdownCb = noop;
      setImmediate(() => {
        if (!this.#closed && this.#error === null) cb(null);
      });
    } else this.#shutdownCb = cb;
  }

  #closeWrite(): void {
    this.#finPending = false;
    this.#conn.closeWrite().then(() => this.#onShutdown(null), (err) => this.#onShutdown(err));
  }

  #onShutdown(err: unknown): void {
    const cb = this.#shutdownCb;
    if (this.#closed || cb === null) return;
    cb(err === null ? null : mapError(err, "shutdown"));
  }

  close(cb: () => void): void {
    if (this.#closed) return void this.#afterRelease(cb);
    this.#closed = true;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
    if (this.#sending === null) {
      this.#queue.length = 0;
      this.#closeConn();
      return void this.#afterRelease(cb);
    }
    // Bytes this handle took (as a kernel's send buffer takes them) are still being written:
    // a kernel sends its buffer after close(), so the Conn closes once they are out, or after
    // the linger bound. Closing it now would cancel Deno's write. The close calls back as at
    // once, as a kernel's does.
    this.#linger = lingerTimer(() => this.#release(), () => this.#buffered);
    afterLoopTurn(cb);
  }

  /** A lingering close ends: the Conn is closed. */
  #release(): void {
    const linger = this.#linger;
    if (linger === null) return;
    this.#linger = null;
    linger.stop();
    this.#queue.length = 0;
    this.#sending = null;
    this.#closeConn();
  }

  #closeConn(): void {
    // The addresses stay readable: Deno keeps them on the closed Conn.
    try {
      this.#conn.close();
    } catch {
      // Already released by the runtime (e.g. after a reset): nothing left to free.
    }
  }

  #afterRelease(cb: () => void): void {
    // A cancelled read still holds the socket until it settles.
    // Then the close callback comes where libuv's would (`afterLoopTurn`).
    const inflight = this.#inflight;
    if (inflight === null) return afterLoopTurn(cb);
    // As a closing handle, ref'd or not, keeps the loop up until its callback.
    try {
      this.#conn.ref();
    } catch {
      // Released by the runtime already: the read settles on its own.
    }
    settle(inflight, () => afterLoopTurn(cb));
  }

  /**
   * `Deno.startTls` on this connection (`./tls.ts`), when Deno can serve the
   * request and nothing holds the connection: a pending read cannot be taken
   * back, and bytes read but not delivered belong before the TLS.
   */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    if (
      !this.#tcp || this.#closed || this.#error !== null || this.#inflight !== null ||
      this.#holding || this.#sending !== null || this.#shutdownCb !== null ||
      !denoCanStartTls(req)
    ) {
      return null;
    }
    const ends = { local: this.localAddress(), remote: this.remoteAddress() };
    this.#closed = true;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
    const arena = this.#arena;
    return startDenoTls(this.#conn, ends, req, (conn) => new DenoStream(conn, arena), cb);
  }

  /** Bytes taken and not yet written by Deno. */
  writeQueueSize(): number {
    return this.#buffered;
  }

  setNoDelay(enable: boolean): void {
    try {
      this.#conn.setNoDelay?.(enable);
    } catch {
      // Closed or not a TCP socket: Node ignores this too.
    }
  }

  setKeepAlive(enable: boolean, _initialDelayMs: number): void {
    // Deno sets only the flag (features.keepAliveDelay is false).
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

  protected readLocal(): Endpoint {
    return this.#addr("localAddr");
  }

  protected readRemote(): Endpoint {
    return this.#addr("remoteAddr");
  }

  #addr(which: "localAddr" | "remoteAddr"): Endpoint {
    try {
      return toEndpoint(this.#conn[which]);
    } catch {
      return null;
    }
  }
}
