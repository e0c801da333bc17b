/**
 * A connected TCP or Pipe handle behind the StreamHandle contract, and the
 * callbacks the handle and its write/shutdown requests call.
 * @module
 */
import { Buffer } from "node:buffer";
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
  CachedEnds,
  type Linger,
  lingerTimer,
  noop,
  passOn,
  TCP_SEND_BUFFER,
  UNIX_SEND_BUFFER,
  wireForeign,
  wireGivenOut,
  wireOwn,
} from "../_shared.ts";
import {
  type Cb,
  closePhase,
  endpointOf,
  OWNER,
  type RawStream,
  type Req,
  STREAM_OWNER,
  uv,
  UV_EOF,
  UV_EPIPE,
  uvError,
} from "./bindings.ts";
import { startUvTls } from "./tls.ts";
import { descriptorBound } from "./bound.ts";
import { exposeHandle } from "./expose.ts";

const { getSystemErrorName } = process.getBuiltinModule("node:util");

/** A handle's slots as this file reads and writes them (see `STREAM_OWNER`). */
type _Owned = Record<typeof STREAM_OWNER, UvStream | null | undefined>;

const _TCP = 1;
const _CLOSED = 2;
const _READING = 4;
const _READ_DONE = 8;
const _WRITING = 16;
/**
 * Deno: writes the handle queues are taken ahead of it (`#takeAhead`), as a kernel's send
 * buffer takes them. Set on an accepted connection, cleared once the handle writes directly.
 */
const _AHEAD = 32;
/** `#flags` counts, above its flag bits, the bytes taken ahead and not yet written (in these units). */
const _AHEAD_BYTE = 128;
const _AHEAD_SHIFT = 7;
// `nativeHandle()` gave the handle out: its `reading` property is kept up to date.
const _EXPOSED = 64;

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
   * `_WRITING` (a write did not complete within its call: it is in flight), `_AHEAD`;
   * above them, the bytes taken ahead and not yet written (`_AHEAD_BYTE` units).
   */
  #flags: number;
  #error: SystemError | null = null;

  /**
   * @param h the connected handle
   * @param tcp TCP (else a pipe)
   * @param local the local end, when known
   * @param remote the remote end, when known
   * @param accepted a connection just accepted: on Deno its handle queues the writes made before
   * it is first polled (see `#takeAhead`)
   */
  constructor(
    h: RawStream,
    tcp: boolean,
    local?: Endpoint,
    remote?: Endpoint,
    accepted = false,
  ) {
    super(local, remote);
    this.#h = h;
    this.#flags = (tcp ? _TCP : 0) | (accepted && uv.deno ? _AHEAD : 0);
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
    if (err < 0) UvStream.#readFailed(this, err);
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
    if ((this.#flags & _CLOSED) === 0) UvStream.#release(this);
  }

  write(chunk: Uint8Array, cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    // Node's handle completes an empty write at once (its callback runs synchronously).
    if (chunk.length === 0) return cb();
    if ((this.#flags & _AHEAD) !== 0 && UvStream.#fits(this, chunk.length)) {
      return UvStream.#takeAhead(this, Buffer.from(chunk), cb);
    }
    const req = new uv.WriteWrap();
    if ((this.#flags & _EXPOSED) !== 0) wireOwn(this.#h, 1, chunk.length);
    const err = this.#h.writeBuffer(UvStream.#prepare(this, req, chunk, cb), chunk);
    UvStream.#afterDispatch(this, req, err, cb);
  }

  writev(chunks: Uint8Array[], cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    if ((this.#flags & _AHEAD) !== 0) {
      const total = _byteLength(chunks);
      if (total > 0 && UvStream.#fits(this, total)) {
        return UvStream.#takeAhead(this, Buffer.concat(chunks, total), cb);
      }
    }
    const req = new uv.WriteWrap();
    if ((this.#flags & _EXPOSED) !== 0) wireOwn(this.#h, 1, _byteLength(chunks));
    const err = this.#h.writev(UvStream.#prepare(this, req, chunks, cb), chunks, true);
    UvStream.#afterDispatch(this, req, err, cb);
  }

  shutdown(cb: Cb): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    if (this.#error !== null) return UvStream.#later(this, cb);
    const req = new uv.ShutdownWrap();
    req.handle = this.#h;
    req.oncomplete = _afterShutdown;
    // Behind writes taken ahead (`#takeAhead`), the FIN is taken ahead with them: the handle
    // sends it after them, and the owner is called back as Node's is, whose shutdown of a
    // connection whose bytes all went to the kernel completes on the loop's next turn.
    const ahead = (this.#flags >>> _AHEAD_SHIFT) !== 0;
    req.data = ahead ? noop : cb;
    // A failed shutdown (the peer is gone) surfaces as a read error, as in Node.
    if (this.#h.shutdown(req) < 0) UvStream.#later(this, cb);
    else if (ahead) setImmediate(_shutDownAhead, this, cb);
  }

  close(cb: () => void): void {
    if ((this.#flags & _CLOSED) !== 0) return void queueMicrotask(cb);
    const writing = (this.#flags & _WRITING) !== 0;
    const ahead = this.#flags >>> _AHEAD_SHIFT;
    UvStream.#release(this);
    // Node's write goes to the kernel within the call where it can, so a close right after it
    // (destroy() after write()) loses nothing. Deno's handles write an accepted connection's
    // data asynchronously, and closing the handle cancels those writes (ECANCELED): there the
    // handle stays open for every write in flight, up to the linger bound (`lingerTimer`), as a
    // kernel goes on sending what a closed socket left; the close calls back as at once.
    if ((writing || ahead > 0) && uv.deno) {
      _linger(this.#h, writing, ahead);
      closePhase(cb);
    } else this.#h.close(cb);
  }

  /** Closes with a RST (TCP only: `UvTcpStream` exposes it as `reset`). */
  protected abort(cb: () => void): void {
    if ((this.#flags & _CLOSED) !== 0) return void queueMicrotask(cb);
    UvStream.#release(this);
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
    const out: Record<string, unknown> = {};
    return s.#h[which]!(out) === 0 ? endpointOf(out) : null;
  }

  static #release(s: UvStream): void {
    // Ends not read by now are not read at close (the contract answers `null`
    // then): core keeps the peer it was asked for itself, and asking here cost
    // every connection a getsockname or getpeername call and two objects
    // (bench:net connects +3% on Node; on Deno +4-6%, connect+close rounds
    // alternated in one process). Deno's bench:mem burst peak does not move
    // with them (with/without: 270.1/271.4 MiB, medians of 8 alternating
    // rounds; 133.9/135.6 with --v8-flags=--predictable-gc-schedule).
    s.#flags |= _CLOSED;
    // The handle insists on a function here. Unlinking the handle from this
    // object lets a closed connection die young: native handles and requests
    // outlive their last callback until V8 collects them.
    s.#h.onread = noop;
    (s.#h as unknown as _Owned)[STREAM_OWNER] = null;
  }

  static #prepare(s: UvStream, req: Req, data: unknown, cb: Cb): Req {
    req.handle = s.#h;
    req.oncomplete = _afterWrite;
    req.async = false;
    req.data = data;
    req[OWNER] = cb;
    return req;
  }

  /** Whether `n` more bytes stay within what a connection takes ahead. */
  static #fits(s: UvStream, n: number): boolean {
    const max = (s.#flags & _TCP) !== 0 ? TCP_SEND_BUFFER : UNIX_SEND_BUFFER;
    return (s.#flags >>> _AHEAD_SHIFT) + n <= max;
  }

  /**
   * Writes `copy` (the owner's bytes, copied: it may reuse its chunk once called back). Deno's
   * handle on a connection just accepted is not polled yet: it queues every write and calls
   * back on a later turn, where Node's write hands the bytes to the kernel within the call. The
   * stream would hold every later write until then, and a destroy() in this turn would drop
   * them. So a write the handle queued is complete for the owner at once, as a kernel's send
   * buffer takes bytes, up to the bound `#fits` sets; the handle writes its queue in order, a
   * shutdown after it, and the close waits for it. Once the handle writes directly (a write
   * done within its call, a completion, a read), an asynchronous write means what it means on
   * Node, the kernel's buffer is full, and the owner waits for it again.
   */
  static #takeAhead(s: UvStream, copy: Buffer, cb: Cb): void {
    const req = new uv.WriteWrap();
    if ((s.#flags & _EXPOSED) !== 0) wireOwn(s.#h, 1, copy.length);
    const err = s.#h.writeBuffer(UvStream.#prepare(s, req, copy, cb), copy);
    if (err < 0 || uv.state[uv.kAsync] === 0) return UvStream.#afterDispatch(s, req, err, cb);
    // No owner on the request: its completion calls no one back (see `_written`).
    req[OWNER] = undefined;
    req.unpolled = true;
    s.#flags += copy.length * _AHEAD_BYTE;
    cb();
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
    // Written at once: the request is spent; otherwise oncomplete follows.
    if (uv.state[uv.kAsync] !== 0) {
      if ((s.#flags & _AHEAD) !== 0) req.unpolled = true;
      s.#flags |= _WRITING;
      return;
    }
    req.data = req[OWNER] = req.handle = undefined;
    s.#flags &= ~_AHEAD;
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
    s.#events?.onError(err);
  }

  /** @internal whether `close()` was called. */
  get _closed(): boolean {
    return (this.#flags & _CLOSED) !== 0;
  }

  /** @internal one read's result, from `_onRead`. */
  _read(buf: ArrayBuffer | undefined): void {
    if ((this.#flags & _CLOSED) !== 0) return;
    const n = uv.state[uv.kNread];
    // A handle that reads is polled: it writes directly from now on.
    this.#flags &= ~_AHEAD;
    if (n > 0) {
      if ((this.#flags & _EXPOSED) !== 0) wireOwn(this.#h, 0, n);
      return this.#events!.onData(Buffer.from(buf!, uv.state[uv.kOffset], n));
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
    if (status === UV_EOF) s.#events!.onEnd();
    else UvStream.#fail(s, uvError(status, "read"));
  }

  /** @internal an asynchronous write finished. */
  _written(req: Req, status: number): void {
    const cb = req[OWNER] as Cb | undefined;
    if (cb === undefined) {
      // Taken ahead (`#takeAhead`): the owner was called back already. A failure is the
      // connection's, as Node reports a kernel's failure to send bytes it took.
      this.#flags = (this.#flags & ~_AHEAD) - (req.data as Buffer).length * _AHEAD_BYTE;
      if (status < 0) UvStream.#fail(this, uvError(status, "write"));
      return;
    }
    this.#flags &= ~(_WRITING | _AHEAD);
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

/** The bytes of a writev's chunks together. */
function _byteLength(chunks: Uint8Array[]): number {
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i].length;
  return total;
}

function _onRead(this: RawStream, buf: ArrayBuffer | undefined): void {
  (this as unknown as _Owned)[STREAM_OWNER]!._read(buf);
}

/**
 * Closes `h` once its writes in flight complete (or fail): the one its owner
 * waits for (`writing`) and those taken ahead (`ahead` bytes); or after the
 * linger bound. The handle's owner is this wait from now on; it reads no
 * more (what the peer sends meanwhile is dropped, as by a closed socket).
 */
function _linger(h: RawStream, writing: boolean, ahead: number): void {
  let wait: Linger | undefined = undefined;
  const finish = (): void => {
    if (wait === undefined) return;
    wait.stop();
    wait = undefined;
    (h as unknown as Record<PropertyKey, unknown>)[STREAM_OWNER] = null;
    h.close(noop);
  };
  h.readStop?.();
  (h as unknown as Record<PropertyKey, unknown>)[STREAM_OWNER] = {
    // Deno's handle may still deliver a read it had under way.
    _read: noop,
    _written(req: Req): void {
      if (req[OWNER] === undefined) ahead -= (req.data as Buffer).length;
      else writing = false;
      if (!writing && ahead === 0) finish();
    },
    _shutDown: noop,
  };
  // Progress: a write completed (`ahead` or `writing` went down), or the handle's own count
  // moved (a large write going out).
  wait = lingerTimer(finish, () => {
    const sent = _count(h, true);
    return (typeof sent === "number" ? sent : 0) - ahead - Number(writing);
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
  wireOwn(h, 1, Array.isArray(data) ? _byteLength(data) : data.length);
  const err = Array.isArray(data) ? h.writev(again, data, true) : h.writeBuffer(again, data);
  if (err < 0) return false;
  req.data = req[OWNER] = req.handle = undefined;
  if (uv.state[uv.kAsync] === 0) _afterWrite.call(again, 0);
  return true;
}

function _shutDownAhead(s: UvStream, cb: Cb): void {
  s._shutDown(cb);
}

function _afterShutdown(this: Req): void {
  (this.handle as unknown as _Owned)[STREAM_OWNER]?._shutDown(this.data as Cb);
  this.data = this.handle = undefined;
}

function _reportLater(events: HandleEvents | null, stream: UvStream, err: SystemError): void {
  if (!stream._closed) events?.onError(err);
}
