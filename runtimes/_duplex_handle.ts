/**
 * A `node:stream` Duplex behind the StreamHandle contract: the one adapter
 * under the node:net transport's sockets (`runtimes/node/stream.ts`), the
 * plaintext side of node:tls (`runtimes/_node_tls.ts`) and a Duplex given to
 * the Sockets API (`sockets/duplex_handle.ts`). It starts paused and flows
 * only between `readStart()` and `readStop()` (a paused socket stops reading
 * from the kernel once its buffer is full, so the peer sees flow control);
 * bytes or EOF a runtime emits while stopped (Bun's node:net does) are held
 * and delivered in order on the next `readStart()`.
 * @module
 */
import type { Duplex } from "node:stream";
import { errnoOf, type SystemError, systemError } from "../core/errors.ts";
import { afterLoopTurn } from "../core/loop.ts";
import type { Endpoint, HandleEvents, StreamHandle } from "./types.ts";
import {
  byteLength,
  CachedEnds,
  ipEndpoint,
  lingerTimer,
  passOn,
  RUNTIME,
  TCP_SEND_BUFFER,
  UNIX_SEND_BUFFER,
  wireForeign,
  wireGivenOut,
  wireOwn,
} from "./_shared.ts";

type _Cb = (err?: SystemError | null) => void;

/** Node delivers at most 64 KiB per read; Bun's node:net reads up to 512 KiB at a time. */
const _MAX_CHUNK = 64 * 1024;

const _EMPTY = new Uint8Array(0);

/** The socket options a `net.Socket` has and another Duplex may lack. */
interface _SocketLike {
  setNoDelay?(enable: boolean): unknown;
  setKeepAlive?(enable: boolean, delay: number, interval?: number, count?: number): unknown;
  ref?(): unknown;
  unref?(): unknown;
  address?(): unknown;
  remoteAddress?: unknown;
  remoteFamily?: unknown;
  remotePort?: unknown;
  closed?: boolean;
}

/**
 * The error a handle reports for what its Duplex emitted: a system error
 * (an errno code, or none at all, which becomes `EIO`) is rebuilt with
 * `systemError()`, blamed on `write` if the runtime said so or the code is
 * `EPIPE` (Bun blames it on `read`), else on `read`; an error with another
 * code (`ERR_SSL_*`, `ERR_STREAM_*`) is not a system error and is passed on
 * as the runtime made it, as Node's sockets emit it.
 * @param raw what the Duplex emitted
 * @returns the error for `onError` and the pending callbacks
 * @example
 * ```ts
 * streamError({ code: "EPIPE", syscall: "read" }).message; // "write EPIPE"
 * ```
 */
export function streamError(raw: unknown): SystemError {
  const e = (raw ?? {}) as { code?: unknown; syscall?: unknown };
  const code = typeof e.code === "string" ? e.code : "EIO";
  if (errnoOf(code) === undefined && raw instanceof Error) return raw as SystemError;
  const syscall = code === "EPIPE" || e.syscall === "write" ? "write" : "read";
  return systemError({ code, syscall, cause: raw });
}

// Bun's node:net socket emits 'close' within the turn's ticks, before its immediates.
const _CLOSE_BEFORE_IMMEDIATES = RUNTIME === "bun";
// Deno's node:net writes later (an accepted connection's not before its handle is first polled),
// where Node's and Bun's hand the bytes to the kernel within write(). There a write is taken as a
// kernel's send buffer takes it: copied (its callback comes before the bytes are out, and the
// caller may refill the chunk then), up to that buffer's size, so that destroy() right after it
// loses nothing (close lets the Duplex's bytes out first).
const _TAKE_AHEAD = RUNTIME === "deno";

function _callAll(cbs: Array<() => void>): void {
  for (const cb of cbs) cb();
}

/**
 * A connected Duplex as a `StreamHandle`. Writes call back at once while the
 * Duplex takes more, else at its `'drain'`; `shutdown()` is `end()` and calls
 * back at `'finish'`; `close()` destroys the Duplex and calls back at its
 * `'close'`; `release()` gives the Duplex back instead.
 * @example
 * ```ts
 * import { connect } from "node:net";
 * const sock = connect(80, "127.0.0.1", () => {
 *   const handle = new DuplexStreamHandle(sock);
 *   handle.close(() => {});
 * });
 * ```
 */
export class DuplexStreamHandle<D extends Duplex = Duplex> extends CachedEnds
  implements StreamHandle {
  /** The Duplex this handle drives. */
  readonly duplex: D;
  #events: HandleEvents | null = null;
  #closed = false;
  #released = false;
  #reading = false;
  // Bytes or EOF the Duplex emitted while we were not reading; delivered in
  // order on the next readStart().
  #held: Uint8Array[] | null = null;
  #heldEnd = false;
  // An error the Duplex emitted while we were not reading and nothing was in flight: Node's
  // handle does not poll while stopped, so a reset is news only to the next read (after the
  // held bytes) or write. Bun's node:net reports it at once.
  #heldError: SystemError | null = null;
  /** The end of stream went to the owner. */
  #ended = false;
  #flushQueued = false;
  #error: SystemError | null = null;
  #writeCb: _Cb | null = null;
  #shutdownCb: _Cb | null = null;
  #closeCbs: Array<() => void> | null = null;
  /** Whether TCP options (`setNoDelay`, `setKeepAlive`) reach the Duplex. */
  readonly #tcpOptions: boolean;
  /** The bytes writes are taken ahead of the Duplex up to (`_TAKE_AHEAD`), or 0. */
  readonly #sendBuffer: number;
  /**
   * `close()` drops what the Duplex still holds, as a kernel's close drops what its send
   * buffer had no room for: a runtime's own socket where that runtime writes within the call.
   */
  readonly #dropsOnClose: boolean;
  /** The Duplex's handle was shown (`countPastHandle`): its counts are followed. */
  #wired = false;
  /** A write taken ahead (called back before the Duplex wrote it) failed in the Duplex. */
  #aheadLost = false;

  /**
   * Takes `duplex` over: pauses it, makes it half-open (the owner decides
   * what the peer's FIN means) and reads whichever end is not given.
   * @param duplex a connected Duplex (a `net.Socket`, a `tls.TLSSocket`...)
   * @param local the local end, when already known
   * @param remote the remote end, when already known
   * @param tcpOptions `false` for a socket that is known not to be TCP
   * @param runtimeSocket a socket of the runtime's own `node:net` or `node:tls`, whose writes
   *   are taken ahead where that runtime writes later (`_TAKE_AHEAD`)
   */
  constructor(
    duplex: D,
    local?: Endpoint,
    remote?: Endpoint,
    tcpOptions = true,
    runtimeSocket = false,
  ) {
    super(local, remote);
    this.duplex = duplex;
    this.#tcpOptions = tcpOptions;
    this.#sendBuffer = runtimeSocket && _TAKE_AHEAD
      ? (tcpOptions ? TCP_SEND_BUFFER : UNIX_SEND_BUFFER)
      : 0;
    this.#dropsOnClose = runtimeSocket && !_TAKE_AHEAD;
    (duplex as { allowHalfOpen: boolean }).allowHalfOpen = true;
    // Paused before the 'data' listener, which would otherwise start the flow.
    duplex.pause();
    duplex.on("data", this.#onData);
    duplex.on("end", this.#onEnd);
    duplex.on("drain", this.#onDrain);
    duplex.on("finish", this.#onFinish);
    duplex.on("error", this.#onError);
    duplex.on("close", this.#onClose);
    if ((duplex as _SocketLike).closed === true) this.#released = true;
    // Read while connected: once both FINs are exchanged or the peer reset,
    // the kernel no longer names the ends. Ends given cost nothing.
    this.localAddress();
    this.remoteAddress();
  }

  /** Whether `close()` or `release()` finished this handle. */
  protected get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * The Duplex's own handle is shown to the runtime's stacks, which may read
   * and write it past this handle: from now on the bytes they move are told
   * by `foreignBytes`, from the Duplex's counts (a `net.Socket`'s are its
   * handle's, as on Node) less what this handle moved itself.
   */
  protected countPastHandle(): void {
    if (this.#wired) return;
    this.#wired = true;
    const d = this.duplex as { bytesRead?: unknown; bytesWritten?: unknown };
    wireGivenOut(this.duplex, d.bytesRead, d.bytesWritten);
  }

  foreignBytes(written: boolean): number {
    if (!this.#wired) return 0;
    const d = this.duplex as { bytesRead?: unknown; bytesWritten?: unknown };
    return wireForeign(this.duplex, written ? 1 : 0, written ? d.bytesWritten : d.bytesRead);
  }

  /**
   * Whether the Duplex can go to a new owner as it is: the handle is open,
   * saw no error, and holds no bytes or EOF that belong before the new
   * owner's reads.
   * @returns `true` when `release()` would lose nothing
   */
  protected canHandOver(): boolean {
    return !this.#closed && this.#error === null && this.#held === null && !this.#heldEnd;
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed) return;
    this.#reading = true;
    if (this.#held === null && !this.#heldEnd && this.#heldError === null) {
      return void this.duplex.resume();
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushHeld);
    }
  }

  readStop(): void {
    if (this.#closed) return;
    this.#reading = false;
    // Pausing lets the stream fill to its high-water mark, then it stops the
    // kernel reads: bounded buffering, the peer sees TCP flow control.
    this.duplex.pause();
  }

  write(chunk: Uint8Array, cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    if (this.#wired) wireOwn(this.duplex, 1, chunk.length);
    // On a TLS socket, waiting for 'drain' past its own 16 KiB mark measured the same
    // as letting 256 KiB queue (TLS echo, Node 20 139–255 vs 158–247 MiB/s, Node 24
    // 189–313 vs 168–308, alternating runs): the plain form stays.
    if (chunk.length === 0) return cb();
    const ahead = this.#takesAhead(chunk.length);
    const written = ahead
      ? this.duplex.write(new Uint8Array(chunk), this.#aheadDone)
      : this.duplex.write(chunk);
    if (written) return cb();
    // A write the runtime's stream failed within write() (a Unix socket whose peer closed:
    // EPIPE at once on Node) fails ours within write() too, as Node's socket does.
    const refused = (this.duplex as { errored?: unknown }).errored;
    if (refused != null && this.#error === null) {
      const err = this.#error = streamError(refused);
      cb(err);
      // After the stream's own tick (which destroys the socket), as on Node.
      return void process.nextTick(() => {
        if (!this.#closed) this.#events?._onHandleError(err);
      });
    }
    if (ahead) cb();
    else this.#writeCb = cb;
  }

  /** Whether `n` more bytes are taken ahead of the Duplex (`_TAKE_AHEAD`). */
  #takesAhead(n: number): boolean {
    return this.#sendBuffer !== 0 && this.duplex.writableLength + n <= this.#sendBuffer;
  }

  writev(chunks: Uint8Array[], cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    // Corked writes reach the kernel as one writev() on uncork.
    const d = this.duplex;
    const ahead = this.#takesAhead(byteLength(chunks));
    let ok = true;
    d.cork();
    for (let i = 0; i < chunks.length; i++) {
      if (chunks[i].length === 0) continue;
      if (this.#wired) wireOwn(d, 1, chunks[i].length);
      ok = ahead ? d.write(new Uint8Array(chunks[i]), this.#aheadDone) : d.write(chunks[i]);
    }
    d.uncork();
    if (ok || ahead) cb();
    else this.#writeCb = cb;
  }

  shutdown(cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    this.#shutdownCb = cb;
    // A TLS socket sends close_notify, then the FIN once it is out.
    this.duplex.end();
  }

  close(cb: () => void): void {
    if (!this.finish(cb) || this.duplex.destroyed) return;
    const d = this.duplex;
    // What a runtime's own socket still holds on Node and Bun is what the kernel had no room
    // for when it was written (their writes hand the bytes over within the call), which Node's
    // close drops: it is dropped here too (until 2026-12-07 it was waited for). Deno's sockets
    // write later, so there the bytes this handle passed on may not have reached the kernel
    // yet, and any other Duplex holds bytes no kernel has: the Duplex is destroyed once what it
    // holds is written (an empty write calls back after every earlier one), or at the linger
    // bound.
    if (this.#error !== null || d.writableLength === 0 || this.#dropsOnClose) {
      return void d.destroy();
    }
    const destroy = (): void => {
      wait.stop();
      if (!d.destroyed) d.destroy();
    };
    const wait = lingerTimer(destroy, () => d.writableLength);
    // After end() no write is taken: the end's 'finish' says the same.
    if (d.writableEnded) d.once("finish", destroy);
    else d.write(_EMPTY, destroy);
    // The close calls back as at once, as a kernel's does while it sends what the socket left.
    const cbs = this.#closeCbs;
    this.#closeCbs = null;
    if (cbs !== null) afterLoopTurn(() => _callAll(cbs));
  }

  /**
   * Gives the Duplex back, paused and without this handle's listeners, with
   * the bytes held for the next `readStart()` put back in front of its
   * buffer; the handle is finished (its `close()` only calls back). Bytes
   * held together with an EOF the Duplex already emitted cannot be put back.
   * @returns the Duplex, for a new owner
   */
  release(): D {
    const d = this.duplex;
    this.#closed = this.#released = true;
    this.#events = null;
    this.#writeCb = this.#shutdownCb = null;
    d.pause();
    d.removeListener("data", this.#onData);
    d.removeListener("end", this.#onEnd);
    d.removeListener("drain", this.#onDrain);
    d.removeListener("finish", this.#onFinish);
    d.removeListener("error", this.#onError);
    d.removeListener("close", this.#onClose);
    const held = this.#held;
    this.#held = null;
    if (held !== null && !this.#heldEnd) {
      for (let i = held.length - 1; i >= 0; i--) d.unshift(held[i]);
    }
    return d;
  }

  /** What the Duplex still holds of the writes handed to it. */
  writeQueueSize(): number {
    return this.duplex.writableLength;
  }

  setNoDelay(enable: boolean): void {
    if (this.#tcpOptions && !this.#closed) (this.duplex as _SocketLike).setNoDelay?.(enable);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number, intervalMs?: number, count?: number): void {
    if (!this.#tcpOptions || this.#closed) return;
    const d = this.duplex as _SocketLike;
    // Node 24.21+ and 26 take the probes (features.keepAliveProbes); core passes them only then.
    if (intervalMs === undefined && count === undefined) d.setKeepAlive?.(enable, initialDelayMs);
    else d.setKeepAlive?.(enable, initialDelayMs, intervalMs, count);
  }

  ref(): void {
    (this.duplex as _SocketLike).ref?.();
  }

  unref(): void {
    (this.duplex as _SocketLike).unref?.();
  }

  protected readLocal(): Endpoint {
    const d = this.duplex as _SocketLike;
    const a = typeof d.address === "function" ? d.address() : undefined;
    if (typeof a === "string") return a === "" ? null : a;
    const info = a as { address?: unknown; family?: unknown; port?: unknown } | undefined;
    return ipEndpoint(info?.address, info?.family, info?.port);
  }

  protected readRemote(): Endpoint {
    const d = this.duplex as _SocketLike;
    return ipEndpoint(d.remoteAddress, d.remoteFamily, d.remotePort);
  }

  /**
   * Marks the handle closed (no callback but `close`'s from now on) and
   * queues `cb` for the Duplex's `'close'` (and `afterClose()`).
   * @param cb called once the Duplex is released
   * @returns whether the Duplex is still to be destroyed (not closed nor given back)
   */
  protected finish(cb: () => void): boolean {
    if (!this.#closed) {
      this.#closed = true;
      this.#events = null;
      this.#writeCb = this.#shutdownCb = null;
    }
    if (this.#released) {
      afterLoopTurn(cb);
      return false;
    }
    (this.#closeCbs ??= []).push(cb);
    return true;
  }

  /**
   * Runs when the Duplex has closed, before the close callbacks; calls
   * `done` once whatever else the handle holds is released too.
   * @param done continues with the close callbacks
   */
  protected afterClose(done: () => void): void {
    done();
  }

  #failLater(cb: _Cb): void {
    // A write or shutdown meets an error held while not reading: the owner hears of it now.
    const held = this.#heldError !== null;
    this.#heldError = null;
    queueMicrotask(() => {
      if (this.#closed) return;
      cb(this.#error);
      if (held && !this.#closed) this.#events?._onHandleError(this.#error!);
    });
  }

  #onData = (chunk: Uint8Array): void => {
    if (this.#closed) return;
    if (chunk.length > _MAX_CHUNK) return this.#onLarge(chunk);
    if (this.#wired) wireOwn(this.duplex, 0, chunk.length);
    if (this.#reading && this.#held === null) this.#events!._onHandleData(chunk);
    else (this.#held ??= []).push(chunk);
  };

  #onLarge(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length && !this.#closed; off += _MAX_CHUNK) {
      this.#onData(chunk.subarray(off, Math.min(off + _MAX_CHUNK, chunk.length)));
    }
  }

  #onEnd = (): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#deliverEnd();
    else this.#heldEnd = true;
  };

  #deliverEnd(): void {
    this.#ended = true;
    this.#events!._onHandleEnd();
  }

  #flushHeld = (): void => {
    this.#flushQueued = false;
    const held = this.#held;
    while (held !== null && held.length > 0) {
      if (!this.#reading || this.#closed) return;
      this.#events!._onHandleData(held.shift()!);
    }
    if (!this.#reading || this.#closed) return;
    this.#held = null;
    const err = this.#heldError;
    if (err !== null) {
      this.#heldError = null;
      return void this.#events?._onHandleError(err);
    }
    if (this.#heldEnd) {
      this.#heldEnd = false;
      return this.#deliverEnd();
    }
    this.duplex.resume();
  };

  #onDrain = (): void => {
    const cb = this.#writeCb;
    if (cb === null) return;
    this.#writeCb = null;
    // The write's callback and 'drain' run in here: see passOn.
    try {
      cb();
    } catch (err) {
      passOn(err);
    }
  };

  #onFinish = (): void => {
    const cb = this.#shutdownCb;
    if (cb === null) return;
    this.#shutdownCb = null;
    cb();
  };

  #aheadDone = (err?: Error | null): void => {
    if (err) this.#aheadLost = true;
  };

  #onError = (raw: unknown): void => {
    if (this.#closed || this.#error !== null) return;
    // Past the end of stream with nothing in flight (a half-open socket), Node's socket reads
    // no more: a reset (the peer's answer to a write after its FIN) is news only to the next
    // write, which fails with EPIPE, as Linux's write then does. Bun's node:net reports it.
    // Writes taken ahead that the Duplex then failed were in flight: Node's fail, so this
    // is reported (else the owner, told they went out, would never hear).
    if (
      this.#ended && this.#writeCb === null && this.#shutdownCb === null && !this.#aheadLost
    ) {
      this.#error = systemError({ code: "EPIPE", syscall: "write" });
      return;
    }
    const err = streamError(raw);
    if (!this.#reading && this.#writeCb === null && this.#shutdownCb === null) {
      this.#heldError = err;
      this.#error = systemError({ code: err.code, syscall: "write" });
      return;
    }
    this.#error = err;
    // A write that failed says so first, as Node's write callback does. Any other error of
    // the connection (a reset that a read met first) goes to the owner, and what is in
    // flight is cancelled as the owner closes (ECANCELED, from core), as libuv cancels it.
    if (err.syscall === "write" || this.#events === null) {
      const w = this.#writeCb;
      const s = this.#shutdownCb;
      this.#writeCb = this.#shutdownCb = null;
      w?.(err);
      s?.(err);
    }
    if (!this.#closed) this.#events?._onHandleError(err);
  };

  // A close callback comes where libuv's would, after the immediates of the turn in which the
  // close was asked: Node's and Deno's node:net sockets emit 'close' there, Bun's before that
  // turn's immediates (so on Bun the callbacks wait for them).
  #onClose = (): void => {
    this.afterClose(() => {
      this.#released = true;
      const cbs = this.#closeCbs;
      this.#closeCbs = null;
      if (cbs === null) return;
      if (_CLOSE_BEFORE_IMMEDIATES) afterLoopTurn(() => _callAll(cbs));
      else _callAll(cbs);
    });
  };
}
