/**
 * A connected TCP or Pipe handle behind the StreamHandle contract, and the
 * callbacks the handle and its write/shutdown requests call.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";
import type { SystemError } from "../../core/errors.ts";
import type {
  AddressInfo,
  BoundHandle,
  Dial,
  Endpoint,
  HandleEvents,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import {
  byteLength,
  CachedEnds,
  type Linger,
  lingerTimer,
  noop,
  passOn,
  wireForeign,
  wireGivenOut,
  wireOwn,
} from "../_shared.ts";
import {
  type Cb,
  endpointOf,
  OWNER,
  type RawStream,
  type Req,
  STREAM_OWNER,
  uv,
  UV_EALREADY,
  UV_EOF,
  UV_EPIPE,
  uvError,
} from "./bindings.ts";
import { startUvTls } from "./tls.ts";
import { descriptorBound } from "./bound.ts";
import { exposeHandle, takenOverRead } from "./expose.ts";

const { getSystemErrorName } = process.getBuiltinModule("node:util");

/** A handle's slots as this file reads and writes them (see `STREAM_OWNER`). */
type _Owned = Record<typeof STREAM_OWNER, UvStream | null | undefined>;

const _TCP = 1;
const _CLOSED = 2;
const _READING = 4;
const _READ_DONE = 8;
const _WRITING = 16;
/**
 * Deno: a fresh connection (accepted, or opened on a descriptor) whose handle may not be
 * polled yet. Such a handle queues every write and sends it on a later turn; a write it queued
 * is marked (`Req.unpolled`, see `_reissue`). Cleared once the handle writes directly (a write done within its call, a
 * completion, a read).
 */
const _AHEAD = 32;
// `nativeHandle()` gave the handle out: its `reading` property is kept up to date.
const _EXPOSED = 64;
/**
 * Deno: writes go to the kernel through a second handle on the connection's descriptor
 * (`_direct`) while the handle may not be polled: set on a fresh connection (accepted, or opened
 * on a descriptor), cleared after the turn of its first write, by a read, or when the handle is
 * given up.
 */
const _DIRECT = 128;

/**
 * Deno: the Pipe handles on a duplicate of a fresh connection's descriptor, by stream
 * (see `UvStream.#direct`). Each lives for the turn of the connection's first write.
 */
const _direct = new Map<UvStream, RawStream>();

/**
 * A connected TCP or Pipe handle behind the StreamHandle contract. Its helpers
 * are static private methods: an instance private method gives every object a
 * brand slot (8 B per connection).
 */
export class UvStream extends CachedEnds implements StreamHandle {
  readonly #h: RawStream;
  #events: HandleEvents | null = null;
  /**
   * `_TCP`, `_CLOSED`, `_READING`, `_READ_DONE` (EOF or a read error came: no more reads),
   * `_WRITING` (a write did not complete within its call: it is in flight; one at a time),
   * `_AHEAD`, `_EXPOSED`, `_DIRECT`.
   */
  #flags: number;
  #error: SystemError | null = null;

  /**
   * @param h the connected handle
   * @param tcp TCP (else a pipe)
   * @param local the local end, when known
   * @param remote the remote end, when known
   * @param fresh a connection just accepted, or a TCP handle just opened on a descriptor: on
   * Deno its handle queues the writes made before it is first polled (see `#direct`)
   */
  constructor(
    h: RawStream,
    tcp: boolean,
    local?: Endpoint,
    remote?: Endpoint,
    fresh = false,
  ) {
    super(local, remote);
    this.#h = h;
    this.#flags = (tcp ? _TCP : 0) | (fresh && uv.deno ? _AHEAD | _DIRECT : 0);
    (h as unknown as _Owned)[STREAM_OWNER] = this;
    h.onread = _onRead;
    // The peer is asked for when first wanted, as Node's sockets ask, not
    // here: an idle connection holds no address object
    // (80 B less heap per accepted socket, Node 24) and makes no system call
    // for it. After a reset, or once both FINs are exchanged, the kernel names
    // the peer no more; Node's own sockets answer `undefined` then too.
    // (A stream dialled to an IPv4 literal gets its peer from the dial: see
    // `knownPeer` in ../_shared.ts.)
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  fd(): number {
    // Node's handles have it; Deno's have none (their fdForIpc() hands out a duplicate).
    const fd = (this.#h as { fd?: unknown }).fd;
    return (this.#flags & _CLOSED) === 0 && typeof fd === "number" ? fd : -1;
  }

  readStart(): void {
    if ((this.#flags & _EXPOSED) !== 0) UvStream.#syncReading(this);
    if ((this.#flags & (_CLOSED | _READING | _READ_DONE)) !== 0) return;
    this.#flags |= _READING;
    if ((this.#flags & _EXPOSED) !== 0) this.#h.reading = true;
    const err = this.#h.readStart();
    // Already reading: the handle was taken over from a socket that read it
    // (`new net.Socket({ handle })`); its reads come here now all the same.
    if (err < 0 && err !== UV_EALREADY) UvStream.#readFailed(this, err);
  }

  readStop(): void {
    // Stops the kernel reads at once: nothing is held, unread bytes stay in
    // the kernel, the peer sees TCP flow control (or a RST on close).
    if ((this.#flags & _EXPOSED) !== 0) UvStream.#syncReading(this);
    if ((this.#flags & _CLOSED) !== 0 || (this.#flags & _READING) === 0) return;
    this.#flags &= ~_READING;
    if ((this.#flags & _EXPOSED) !== 0) this.#h.reading = false;
    this.#h.readStop();
  }

  /**
   * The runtime's own stream handle (what a `node:net` socket keeps as
   * `_handle`), or `null` once closed. From then on its `reading` property
   * says whether this stream reads, as `node:net` keeps it, for the stacks
   * that take the handle over (`node:tls` starts reading only if not).
   * @param owner the socket this stream belongs to (see `./expose.ts`)
   * @returns the TCP or Pipe handle
   */
  nativeHandle(owner: object): object | null {
    if ((this.#flags & _CLOSED) !== 0) return null;
    if ((this.#flags & _EXPOSED) === 0) {
      this.#flags |= _EXPOSED;
      this.#h.reading = (this.#flags & _READING) !== 0;
      exposeHandle(this.#h, owner, _onRead);
      wireGivenOut(this.#h, _count(this.#h, false), _count(this.#h, true));
    }
    return this.#h;
  }

  foreignBytes(written: boolean): number {
    if ((this.#flags & (_EXPOSED | _CLOSED)) !== _EXPOSED) return 0;
    return wireForeign(this.#h, written ? 1 : 0, _count(this.#h, written));
  }

  /**
   * Gives the handle up without closing it: another process took it
   * (`child_process` sends the descriptor, then closes the handle itself).
   * Nothing is called back any more; a write in flight still completes.
   */
  detach(): void {
    if ((this.#flags & _CLOSED) === 0) UvStream.#release(this, true);
  }

  write(chunk: Uint8Array, cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    // Node's handle completes an empty write at once (its callback runs synchronously).
    if (chunk.length === 0) return cb();
    const h = (this.#flags & _DIRECT) !== 0 ? UvStream.#direct(this) : this.#h;
    const req = new uv.WriteWrap();
    // The runtime counts what its handle writes; the second handle's writes are not in it.
    if ((this.#flags & _EXPOSED) !== 0 && h === this.#h) wireOwn(h, 1, chunk.length);
    const err = h.writeBuffer(UvStream.#prepare(h, req, chunk, cb), chunk);
    UvStream.#afterDispatch(this, req, err, cb);
  }

  writev(chunks: Uint8Array[], cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    const h = (this.#flags & _DIRECT) !== 0 ? UvStream.#direct(this) : this.#h;
    const req = new uv.WriteWrap();
    if ((this.#flags & _EXPOSED) !== 0 && h === this.#h) wireOwn(h, 1, byteLength(chunks));
    const err = h.writev(UvStream.#prepare(h, req, chunks, cb), chunks, true);
    UvStream.#afterDispatch(this, req, err, cb);
  }

  shutdown(cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    // The writes before it are done (the owner waits for them): what went through the
    // connection's second handle is with the kernel, and the FIN follows it from the handle.
    UvStream.#dropDirect(this);
    const req = new uv.ShutdownWrap();
    req.handle = this.#h;
    req.oncomplete = _afterShutdown;
    // A handle not polled yet (`_AHEAD`) sends the FIN on a later turn; Node's shutdown of a
    // connection whose bytes all went to the kernel completes on the loop's next turn, and so
    // does this one for the owner.
    const unpolled = (this.#flags & _AHEAD) !== 0;
    req.data = unpolled ? noop : cb;
    // A failed shutdown (the peer is gone) surfaces as a read error, as in Node.
    if (this.#h.shutdown(req) < 0) UvStream.#later(this, cb);
    else if (unpolled) setImmediate(_shutDownEarly, this, cb);
  }

  close(cb: () => void): void {
    if ((this.#flags & _CLOSED) !== 0) return void queueMicrotask(cb);
    // A write still in flight is what the kernel's send buffer had no room for: Node's close
    // cancels it, and so does this one, on Node and on Deno alike (Deno's handles, as libuv's,
    // try a write within the call when none is queued before it; the connection's second
    // handle too). Until 2026-12-07 a Deno handle stayed open for it up to the linger bound,
    // from when Deno's handles wrote a turn later: the peer got more than Node's would, and a
    // peer that read nothing heard of the close 5 s late.
    UvStream.#release(this, false);
    this.#h.close(cb);
  }

  /** Closes with a RST (TCP only: `UvTcpStream` exposes it as `reset`). */
  protected abort(cb: () => void): void {
    if ((this.#flags & _CLOSED) !== 0) return void queueMicrotask(cb);
    // The connection's second handle, if any, closes first: the RST cancels its write.
    UvStream.#release(this, false);
    // reset() sets SO_LINGER 0 and closes; where it cannot, a plain close.
    // Deno's sets SO_LINGER 0 only, and never calls back: the close is ours.
    if (uv.deno) {
      this.#h.reset!(noop);
      this.#h.close(cb);
    } else if (this.#h.reset!(cb) !== 0) this.#h.close(cb);
  }

  /** Node's handle counts it; Deno's does not (0: as Deno's own sockets, one timeout is held off). */
  writeQueueSize(): number {
    const n = this.#h.writeQueueSize;
    return typeof n === "number" ? n : 0;
  }

  setNoDelay(enable: boolean): void {
    if ((this.#flags & (_TCP | _CLOSED)) === _TCP) this.#h.setNoDelay!(enable);
  }

  setTypeOfService(tos: number): string | null {
    if ((this.#flags & (_TCP | _CLOSED)) !== _TCP || !this.#h.setTypeOfService) return null;
    const err = this.#h.setTypeOfService(tos);
    return err ? getSystemErrorName(err) : null;
  }

  getTypeOfService(): number | string {
    if ((this.#flags & (_TCP | _CLOSED)) !== _TCP || !this.#h.getTypeOfService) return 0;
    const res = this.#h.getTypeOfService();
    return res < 0 ? getSystemErrorName(res) : res;
  }

  setKeepAlive(enable: boolean, initialDelayMs: number, intervalMs?: number, count?: number): void {
    if ((this.#flags & (_TCP | _CLOSED)) !== _TCP) return;
    const delaySec = Math.floor(initialDelayMs / 1000);
    // Node 24.21+ and 26 handles take the probe interval (seconds) and count;
    // the transport says so in features.keepAliveProbes, and core passes them only then.
    if (intervalMs === undefined && count === undefined) this.#h.setKeepAlive!(enable, delaySec);
    else {
      const intervalSec = intervalMs === undefined ? undefined : Math.floor(intervalMs / 1000);
      this.#h.setKeepAlive!(enable, delaySec, intervalSec, count);
    }
  }

  ref(): void {
    if ((this.#flags & _CLOSED) === 0) this.#h.ref();
  }

  unref(): void {
    if ((this.#flags & _CLOSED) === 0) this.#h.unref();
  }

  /** Gives the raw handle to the runtime's TLS (`./tls.ts`); this stream is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    if ((this.#flags & _CLOSED) !== 0 || this.#error !== null) return null;
    const ends = { local: this.localAddress(), remote: this.remoteAddress() };
    UvStream.#giveUp(this);
    return startUvTls(this.#h, ends, req, cb);
  }

  /**
   * A descriptor's handle, given up as a bound socket to dial from (`./bound.ts`);
   * `null` for a TCP socket with a peer (connected already).
   */
  toBound(): BoundHandle | null {
    if ((this.#flags & _CLOSED) !== 0 || this.#error !== null) return null;
    const tcp = (this.#flags & _TCP) !== 0;
    if (tcp && this.remoteAddress() !== null) return null;
    const local: AddressInfo | string = tcp ? this.localAddress() ?? "" : "";
    const bound = descriptorBound(this.#h, local);
    if (bound === null) return null;
    UvStream.#giveUp(this);
    this.#h.onread = noop;
    return bound;
  }

  /** Stops reading and unlinks the handle: it goes to another owner. */
  static #giveUp(s: UvStream): void {
    UvStream.#dropDirect(s);
    if ((s.#flags & _READING) !== 0) s.#h.readStop();
    s.#flags |= _CLOSED;
    (s.#h as unknown as _Owned)[STREAM_OWNER] = null;
  }

  protected readLocal(): Endpoint {
    return UvStream.#ask(this, "getsockname");
  }

  protected readRemote(): Endpoint {
    return UvStream.#ask(this, "getpeername");
  }

  static #ask(s: UvStream, which: "getsockname" | "getpeername"): Endpoint {
    if ((s.#flags & _CLOSED) !== 0) return null;
    // Deno's Pipe handles name no ends (a descriptor's pipe or Unix socket): unnamed, as
    // Node's socket over a Pipe reports them.
    if (typeof s.#h[which] !== "function") return (s.#flags & _TCP) !== 0 ? null : "";
    const out: Record<string, unknown> = {};
    return s.#h[which]!(out) === 0 ? endpointOf(out) : null;
  }

  static #release(s: UvStream, linger: boolean): void {
    // Ends not read by now are not read at close (the contract answers `null`
    // then): core keeps the peer it was asked for itself, and asking here cost
    // every connection a getsockname or getpeername call and two objects
    // (bench:net connects +3% on Node; on Deno +4-6%, connect+close rounds
    // alternated in one process). Deno's bench:mem burst peak does not move
    // with them (with/without: 270.1/271.4 MiB, medians of 8 alternating
    // rounds; 133.9/135.6 with --v8-flags=--predictable-gc-schedule).
    UvStream.#dropDirect(s, linger);
    s.#flags |= _CLOSED;
    // The handle insists on a function here. Unlinking the handle from this
    // object lets a closed connection die young: native handles and requests
    // outlive their last callback until V8 collects them.
    s.#h.onread = noop;
    (s.#h as unknown as _Owned)[STREAM_OWNER] = null;
  }

  static #prepare(h: RawStream, req: Req, data: unknown, cb: Cb): Req {
    req.handle = h;
    req.oncomplete = _afterWrite;
    req.async = false;
    req.data = data;
    req[OWNER] = cb;
    return req;
  }

  /**
   * The handle to write to while `_DIRECT`. Deno's handle on a connection just accepted (or
   * opened on a descriptor) is not polled yet: it queues every write and sends it on a later
   * turn, where Node's write hands the bytes to the kernel within the call. Until then a write's callback (the owner's "sent")
   * would come before the bytes are anywhere a process exit or a close leaves them be, and the
   * stream would hold every later write. So for the turn of the first write, the connection is
   * written through a second handle, a Pipe opened on a duplicate of its descriptor: that one
   * writes within the call as far as the kernel takes the bytes, and queues only the rest, as
   * Node's does. Reads stay with the connection's handle. `_retire` gives the second handle up
   * after the turn; the connection's own handle is polled by then.
   */
  static #direct(s: UvStream): RawStream {
    let p = _direct.get(s);
    if (p !== undefined) return p;
    const h = s.#h as RawStream & { fdForIpc?(): number };
    p = new uv.Pipe(uv.pipe.SOCKET);
    const fd = typeof h.fdForIpc === "function" ? h.fdForIpc() : -1;
    if (fd < 0 || p.open!(fd) !== 0) {
      p.close();
      s.#flags &= ~_DIRECT;
      return s.#h;
    }
    p.onread = noop;
    (p as unknown as _Owned)[STREAM_OWNER] = s;
    _direct.set(s, p);
    setImmediate(_retire, s);
    return p;
  }

  /**
   * Gives the connection's second handle up (`#direct`): at once when no write is in flight
   * on it; else, with `linger`, once that write is out (or after the linger bound), as a
   * kernel goes on sending what a closed socket left, and without, cancelling it.
   */
  static #dropDirect(s: UvStream, linger = true): void {
    s.#flags &= ~_DIRECT;
    const p = _direct.get(s);
    if (p === undefined) return;
    _direct.delete(s);
    if ((s.#flags & _WRITING) !== 0 && linger) _linger(p);
    else {
      (p as unknown as _Owned)[STREAM_OWNER] = null;
      p.close();
    }
  }

  /** @internal the turn of the first write is over (see `#direct`). */
  _retire(): void {
    // A write in flight on the second handle keeps it until that write completes (`_written`).
    if ((this.#flags & _WRITING) !== 0) this.#flags &= ~_DIRECT;
    else UvStream.#dropDirect(this);
  }

  static #afterDispatch(s: UvStream, req: Req, err: number, cb: Cb): void {
    if (err < 0) {
      // As in Node, a write the kernel refused at once (EPIPE on a Unix socket whose peer
      // closed) fails within write(): the stream is errored before write() returns false.
      // The stream then destroys the socket itself on its next tick, as Node's does; the
      // handle's error is reported after that tick (the socket is gone by then).
      req.oncomplete = noop;
      const e = uvError(err, "write");
      if (s.#error === null) s.#error = e;
      cb(e);
      return void process.nextTick(_reportLater, s.#events, s, e);
    }
    const own = req.handle === s.#h;
    // Written at once: the request is spent; otherwise oncomplete follows.
    if (uv.state[uv.kAsync] !== 0) {
      if ((s.#flags & _AHEAD) !== 0 && own) req.unpolled = true;
      s.#flags |= _WRITING;
      return;
    }
    req.data = req[OWNER] = req.handle = undefined;
    if (own) s.#flags &= ~_AHEAD;
    cb();
  }

  static #writeFailed(s: UvStream, cb: Cb, err: SystemError): void {
    if ((s.#flags & _CLOSED) !== 0) return;
    cb(err);
    UvStream.#fail(s, err);
  }

  static #later(s: UvStream, cb: Cb): void {
    queueMicrotask(() => {
      if ((s.#flags & _CLOSED) === 0) cb(s.#error);
    });
  }

  static #fail(s: UvStream, err: SystemError): void {
    if ((s.#flags & _CLOSED) !== 0 || s.#error !== null) return;
    s.#error = err;
    s.#events?._onHandleError(err);
  }

  /** @internal whether `close()` was called. */
  get _closed(): boolean {
    return (this.#flags & _CLOSED) !== 0;
  }

  /** @internal one read's result, from `_onRead`. */
  _read(buf: ArrayBuffer | undefined): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if ((this.#flags & _EXPOSED) !== 0 && uv.deno) {
      const other = takenOverRead(this.#h, this.#events!);
      if (other !== null) return other.call(this.#h, buf);
    }
    const n = uv.state[uv.kNread];
    // A handle that reads is polled: it writes directly from now on.
    this.#flags &= ~(_AHEAD | _DIRECT);
    if (n > 0) {
      if ((this.#flags & _EXPOSED) !== 0) wireOwn(this.#h, 0, n);
      return this.#events!._onHandleData(Buffer.from(buf!, uv.state[uv.kOffset], n));
    }
    if (n < 0) UvStream.#readFailed(this, n);
  }

  /**
   * A handed-out handle's `reading` is the truth: Node's http server starts
   * and stops reads on it directly (on its socket's 'resume' and 'pause').
   */
  static #syncReading(s: UvStream): void {
    if (s.#h.reading === true) s.#flags |= _READING;
    else s.#flags &= ~_READING;
  }

  static #readFailed(s: UvStream, status: number): void {
    s.#flags = (s.#flags | _READ_DONE) & ~_READING;
    if ((s.#flags & _EXPOSED) !== 0) s.#h.reading = false;
    s.#h.readStop();
    if (status === UV_EOF) s.#events!._onHandleEnd();
    else UvStream.#fail(s, uvError(status, "read"));
  }

  /** @internal an asynchronous write finished. */
  _written(req: Req, status: number): void {
    const cb = req[OWNER] as Cb;
    if (req.handle === this.#h) this.#flags &= ~(_WRITING | _AHEAD);
    else {
      this.#flags &= ~_WRITING;
      // Through the second handle (`#direct`), after its turn: it is done.
      if ((this.#flags & _DIRECT) === 0) UvStream.#dropDirect(this);
    }
    if ((this.#flags & _CLOSED) !== 0) return;
    if (status >= 0) return cb();
    UvStream.#writeFailed(this, cb, uvError(status, "write"));
  }

  /** @internal the FIN went out (or could not). */
  _shutDown(cb: Cb): void {
    if ((this.#flags & _CLOSED) === 0) cb(this.#error);
  }
}

/** A TCP stream: it can also abort with a RST. */
export class UvTcpStream extends UvStream {
  reset(cb: () => void): void {
    this.abort(cb);
  }
}

/**
 * The runtime's own count of the bytes `h` read or had written to it (Node's
 * handles: `bytesRead`/`bytesWritten`; Deno's: `getBytesRead()`/`getBytesWritten()`),
 * `undefined` where it keeps none.
 */
function _count(h: RawStream, written: boolean): unknown {
  const c = h as {
    bytesRead?: unknown;
    bytesWritten?: unknown;
    getBytesRead?(): unknown;
    getBytesWritten?(): unknown;
  };
  return written ? c.getBytesWritten?.() ?? c.bytesWritten : c.getBytesRead?.() ?? c.bytesRead;
}

function _onRead(this: RawStream, buf: ArrayBuffer | undefined): void {
  (this as unknown as _Owned)[STREAM_OWNER]!._read(buf);
}

/**
 * Closes `h` once its write in flight completes (or fails), or after the linger bound. The
 * handle's owner is this wait from now on; it reads no more (what the peer sends meanwhile is
 * dropped, as by a closed socket). It does not hold the process: what the kernel took goes out
 * after an exit, as on Node, whose close cancels the rest, still queued, anyway (a write queued
 * only because its handle was not polled yet goes to the kernel within its call: `#direct`).
 */
function _linger(h: RawStream): void {
  let wait: Linger | undefined = undefined;
  const finish = (): void => {
    if (wait === undefined) return;
    wait.stop();
    wait = undefined;
    (h as unknown as Record<PropertyKey, unknown>)[STREAM_OWNER] = null;
    h.close(noop);
  };
  h.readStop?.();
  h.unref();
  (h as unknown as Record<PropertyKey, unknown>)[STREAM_OWNER] = {
    // Deno's handle may still deliver a read it had under way.
    _read: noop,
    _written: finish,
    _shutDown: noop,
  };
  // Progress: the handle's own count moved (a large write going out).
  wait = lingerTimer(finish, () => {
    const sent = _count(h, true);
    return typeof sent === "number" ? sent : 0;
  });
}

function _afterWrite(this: Req, status: number): void {
  const owner = (this.handle as unknown as _Owned)[STREAM_OWNER];
  // Once the handle is closed or given away (no owner), nothing is issued on it any more.
  if (status === UV_EPIPE && this.unpolled === true && owner != null && _reissue(this)) return;
  // The write's callback and 'drain' run in here: see passOn.
  try {
    owner?._written(this, status);
  } catch (err) {
    passOn(err);
  }
  this.data = this[OWNER] = this.handle = undefined;
}

/**
 * Deno's handle fails the writes it queued before it was first polled with EPIPE, having sent
 * nothing, when the peer's FIN came meanwhile (a client that ends at once): Node's writes went
 * to the kernel before, and a peer that only ended still reads. Such a write is issued once more,
 * now that the handle writes directly (a shutdown queued behind it waits for it); where the peer
 * is really gone, that fails too and the failure is reported. Returns whether it was re-issued:
 * the new request completes for the same owner.
 */
function _reissue(req: Req): boolean {
  const h = req.handle!;
  const again = new uv.WriteWrap();
  again.handle = h;
  again.oncomplete = _afterWrite;
  again.async = false;
  again.data = req.data;
  again[OWNER] = req[OWNER];
  const data = req.data as Uint8Array | Uint8Array[];
  wireOwn(h, 1, Array.isArray(data) ? byteLength(data) : data.length);
  const err = Array.isArray(data) ? h.writev(again, data, true) : h.writeBuffer(again, data);
  if (err < 0) return false;
  req.data = req[OWNER] = req.handle = undefined;
  if (uv.state[uv.kAsync] === 0) _afterWrite.call(again, 0);
  return true;
}

function _shutDownEarly(s: UvStream, cb: Cb): void {
  s._shutDown(cb);
}

function _retire(s: UvStream): void {
  s._retire();
}

function _afterShutdown(this: Req): void {
  (this.handle as unknown as _Owned)[STREAM_OWNER]?._shutDown(this.data as Cb);
  this.data = this.handle = undefined;
}

function _reportLater(events: HandleEvents | null, stream: UvStream, err: SystemError): void {
  if (!stream._closed) events?._onHandleError(err);
}
