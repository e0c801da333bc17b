/**
 * `net.Socket`: a `node:stream` Duplex over a transport stream handle, with
 * every Node semantic (half-open, timeouts, backpressure, readyState, byte
 * counters, pending writes during connect, error shapes) implemented here
 * once for every runtime. The pieces with one concern each live beside it:
 * `socket_connect.ts` (one connect attempt), `socket_write.ts` (bytes and
 * held writes), `idle_timeout.ts` (setTimeout), `socket_types.ts` (the
 * public option types), `options.ts` (option checks). What stays is the one
 * class, by section (connecting, reading, writing, teardown, timeouts,
 * options, state): it is longer than the other modules because every section
 * reads and writes the same private state, which no other module can reach.
 * @module
 */
import type { Buffer as NodeBuffer } from "node:buffer";
import { Buffer } from "./builtins.ts";
import { Duplex, type DuplexOptions, finished } from "node:stream";
import { getTransport } from "../runtimes/mod.ts";
import {
  linkedSocketHints,
  type LinkedSocketState,
  sendableSocketPrototype,
} from "../runtimes/node/handoff.ts";
import type { AddressInfo, StreamHandle } from "../runtimes/types.ts";
import { isNormalized, normalizeArgs } from "./args.ts";
import type { BlockList } from "./block_list.ts";
import {
  adoptBoundHandle,
  adoptBoundSource,
  boundDial,
  boundLocal,
  holdsBound,
  releaseBoundSource,
} from "./bound_socket.ts";
import { makeAdoptable } from "./callable.ts";
import { normalizeTcpConnect, startTcpConnect, type TcpConnectPlan } from "./connect.ts";
import { applyKeepAlive, checkOpenFd, initialTypeOfService } from "./features.ts";
import {
  abortError,
  errFeatureUnavailable,
  errInvalidArgType,
  errMissingArgs,
  type SystemError,
  systemError,
} from "./errors.ts";
import { IdleTimeout } from "./idle_timeout.ts";
import { isIP } from "./ip.ts";
import { afterLoopTurn, holdTurnForBeforeExit } from "./loop.ts";
import {
  blockListOption,
  checkSocketOptions,
  checkSocketStreamOptions,
  keepAliveDelayOption,
  keepAliveSeconds,
  timerDuration,
} from "./options.ts";
import { ConnectAttempt, dialUnix, redialConnected, refuseSecondDial } from "./socket_connect.ts";
import {
  errClosedBeforeConnection,
  errInvalidHandleType,
  errSocketClosed,
} from "./socket_errors.ts";
import { OnRead } from "./socket_onread.ts";
import { publishClientSocket } from "./diagnostics.ts";
import type {
  AcceptConfig,
  AcceptingServer,
  ConnectionOwner,
  NetConnectOpts,
  SetKeepAliveOptions,
  SocketConnectOpts,
  SocketConstructorOpts,
  SocketReadyState,
  StreamCallback,
  StreamChunk,
} from "./socket_types.ts";
import {
  type HeldWrite,
  onReadableEnd,
  queuedBytes,
  toBytes,
  uncountedIfRefused,
} from "./socket_write.ts";
import {
  validateAbortSignal,
  validateFunction,
  validateInt32,
  validateString,
} from "./validators.ts";

function _noop(): void {}

// Bits of Socket's #flags.
const _F_UNIX = 1;
const _F_READING = 2;
const _F_READ_WANTED = 4;
const _F_CLOSE_EMITTED = 8;
const _F_RESETTING = 16;
const _F_UNREF = 32;
const _F_NO_DELAY = 64;
const _F_KEEP_ALIVE = 128;
const _F_PEER_ASKED = 256;
/** `#writeCb` holds `_final`'s callback: the shutdown is in flight. */
const _F_SHUTTING = 512;
/** The handle was opened from `fd` and this socket has not dialed over it yet. */
const _F_FD = 1024;
// A write is being handed to the handle; a failure reported meanwhile sent nothing.
const _F_DISPATCHING = 2048;
const _F_DISPATCH_FAILED = 4096;
/**
 * The runtime's TLS took the connection over in place (`_handle` was set to
 * the raw side it made, Bun's `node:tls`): when it lets go (`_handle = null`,
 * then `destroy()`), the socket still closes as one that had a connection.
 */
const _F_TAKEN_OVER = 8192;
/** A `connect()` on the connected socket is under way (`redialConnected`): it keeps its peer. */
const _F_REDIAL = 16384;

/** Socket state few sockets need, allocated on first use. */
interface _Rare {
  signal: AbortSignal | undefined;
  tos: number | undefined;
  held: HeldWrite | null;
  heldFinal: StreamCallback | null;
  peer: AddressInfo | null;
  /** setKeepAlive's probe interval (whole seconds) and count, when given. */
  kaInterval: number | undefined;
  kaCount: number | undefined;
  /** The keep-alive delay in whole seconds, once one other than 0 was given. */
  kaDelay: number;
  /** The `onread` option's state. */
  onread: OnRead | null;
}

const _NO_OPTIONS: SocketConstructorOpts = Object.freeze({});

/** The Duplex options of a socket: the user's, checked, with the ones Node's socket forces. */
function _streamOptions(opts: Record<string, unknown>): DuplexOptions {
  checkSocketOptions(opts);
  // Not `{ ...opts, key: value }`: V8 makes that a dictionary-mode object, which
  // costs ~3 µs here and slows every option read in the Duplex constructor.
  const out: DuplexOptions = {
    allowHalfOpen: false,
    emitClose: false,
    autoDestroy: true,
    decodeStrings: false,
    signal: undefined,
  };
  Object.assign(out, opts);
  out.allowHalfOpen = Boolean(opts.allowHalfOpen);
  // Node emits 'close' itself, with hadError, once the handle is released.
  out.emitClose = false;
  out.autoDestroy = true;
  out.decodeStrings = false;
  out.signal = undefined;
  return out;
}

/** What the linked prototype's slots answer for a socket (see `linkedSocketHints`). */
let _linkedState: LinkedSocketState;

/**
 * A TCP or Unix domain stream socket: Node's `net.Socket`.
 *
 * @example
 * ```ts
 * import { Socket } from "@omninet/net";
 * const socket = new Socket();
 * socket.connect(80, "example.com", () => socket.end("GET / HTTP/1.0\r\n\r\n"));
 * socket.on("data", (chunk) => console.log(chunk.toString()));
 * ```
 */
export class Socket extends Duplex {
  /** `true` while a connection is being established. */
  connecting: boolean = false;
  /** The server that accepted this socket, or `null`. */
  server: AcceptingServer | null = null;
  /**
   * The idle timeout set with `setTimeout()`, or `undefined`: as on Node, an
   * own property only once `setTimeout()` was called.
   */
  declare timeout: number | undefined;
  // `declare`: no own property (and no slot) until a connect or option sets them.
  /**
   * `ip:port` of every address tried with Happy Eyeballs; as on Node it is
   * `undefined` until a connect uses Happy Eyeballs (typed as @types/node
   * declares it, so an omninet socket is a `node:net` `Socket`).
   */
  declare autoSelectFamilyAttemptedAddresses: string[];
  /** Addresses this socket may not connect to. */
  declare blockList?: BlockList;
  /**
   * The host name of the last `connect()` that looked one up, as Node keeps
   * it (`null` until then; an IP literal or a Unix path sets none).
   * `node:tls` checks the server's certificate against it when it wraps this
   * socket without a `servername` or `host` (`tls.connect({ socket })`).
   */
  declare _host: string | null;
  /**
   * `false`, as on Node: `node:http` and `node:tls` mark a socket whose error
   * they reported, so that they report one only.
   */
  declare _hadError: boolean;

  /**
   * The connection's file descriptor, where the runtime exposes one (Node, Bun), else
   * `undefined` (also before connecting and once destroyed). Not a `node:net` property:
   * `child_process` reads a stream's own `fd` to take it as a child's stdio (as it does for
   * `fs` streams), so an omninet socket serves as `spawn(cmd, args, { stdio: [socket,
   * socket, "inherit"] })` as Node's own sockets do through their handle.
   * @example
   * ```ts
   * import { spawn } from "node:child_process";
   * createServer((socket) => spawn("date", [], { stdio: ["ignore", socket, "ignore"] }));
   * ```
   */
  fd: number | undefined = undefined;

  #handle: StreamHandle | null = null;
  /** The boolean state, one bit each (`_F_*`): one field instead of eight. */
  #flags = 0;
  #attempt: ConnectAttempt | null = null;
  #owner: ConnectionOwner | null = null;
  /** What few sockets use (a signal, TOS, writes held while connecting, the peer after close). */
  #rare: _Rare | null = null;

  #bytesRead = 0;
  #bytesDispatched = 0;
  /** The callback of the write in flight, or `_final`'s while the shutdown is (`_F_SHUTTING`). */
  #writeCb: StreamCallback | null = null;
  /**
   * The one function the handle calls back for this socket's writes and its
   * shutdown (made at the first of them): no closure per shutdown. A bound
   * method, not an arrow: no context object beside it (about 50 B less per
   * connection that wrote, Node 24 heap snapshot mid-burst).
   */
  #onWriteDone: ((err?: SystemError | null) => void) | null = null;

  #idle: IdleTimeout | null = null;
  /**
   * The size of the last write handed over (Node's `req.bytes`), read when
   * `setTimeout()` starts watching a write already in flight.
   */
  #flight = 0;

  static {
    _linkedState = {
      pending: (s) => #handle in s && (s.writableLength > 0 || (s.#handle?.settle?.() ?? false)),
      timer: (s) => (#idle in s ? s.#idle?.timer ?? null : null),
    };
  }

  /**
   * Creates a socket; it is not connected until `connect()` (unless `fd` is given).
   * @param options stream and socket options, or a file descriptor
   */
  constructor(options?: SocketConstructorOpts | number) {
    if (!_linkDecided) _decideLink();
    const opts = (typeof options === "number" ? { fd: options } : options ?? _NO_OPTIONS) as Record<
      string,
      unknown
    >;
    super(_streamOptions(opts));
    checkSocketStreamOptions(opts);
    if (opts.typeOfService !== undefined) {
      const tos = initialTypeOfService(getTransport(), opts.typeOfService as number);
      if (tos !== undefined) this.#r().tos = tos;
    }
    this.#set(_F_NO_DELAY, Boolean(opts.noDelay));
    this.#set(_F_KEEP_ALIVE, Boolean(opts.keepAlive));
    this.#setKeepAliveDelay(keepAliveSeconds(opts.keepAliveInitialDelay));
    this.on("end", onReadableEnd);
    if (opts.onread != null) this.#r().onread = OnRead.from(opts.onread);
    // As Node: a `handle` (any truthy value) wins over `fd`.
    if (opts.handle) {
      if (!adoptBoundSource(this, opts.handle)) {
        this.#openHandle(opts.handle);
        this.#startOpened(opts);
      }
    } else if (opts.fd !== undefined) {
      this.#openFd(opts.fd);
      this.#startOpened(opts);
    }
    if (opts.signal) this.#watchSignal(opts.signal);
    const blockList = blockListOption(opts.blockList);
    if (blockList !== undefined) this.blockList = blockList;
  }

  #r(): _Rare {
    return this.#rare ??= {
      signal: undefined,
      tos: undefined,
      held: null,
      heldFinal: null,
      peer: null,
      kaInterval: undefined,
      kaCount: undefined,
      kaDelay: 0,
      onread: null,
    };
  }

  // The keep-alive delay and `onread` live in #rare: two slots less on every
  // socket (16 B), for options few sockets use.
  #keepAliveDelay(): number {
    return this.#rare?.kaDelay ?? 0;
  }

  #setKeepAliveDelay(sec: number): void {
    if (sec !== 0 || this.#rare !== null) this.#r().kaDelay = sec;
  }

  #has(bit: number): boolean {
    return (this.#flags & bit) !== 0;
  }

  #set(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }

  #openFd(fd: unknown): void {
    validateInt32(fd, "fd", 0);
    const transport = getTransport();
    checkOpenFd(transport, fd);
    this.#adopt(transport.openFd!(fd));
    this.#set(_F_FD, true);
  }

  /**
   * A socket made on a descriptor or a handle reads at once unless `readable`
   * is false, as Node's; Node's own `pauseOnCreate` (the socket paused, no read)
   * and `manualStart` (no read until one is asked for) are honoured too.
   */
  #startOpened(opts: Record<string, unknown>): void {
    if (opts.readable === false) return;
    if (opts.pauseOnCreate) this.pause();
    else if (!opts.manualStart) this.read(0);
  }

  /**
   * `new Socket({ handle })` with a connected stream handle: the runtime's own
   * (another socket's `_handle`, one a child process got) or an object made
   * to look like one; the socket is open on it (reads start as `#startOpened` says).
   */
  #openHandle(handle: unknown): void {
    if (typeof handle !== "object" && typeof handle !== "function") {
      throw errInvalidArgType("options.handle", "of type object", handle);
    }
    const transport = getTransport();
    if (transport.openHandle === undefined) {
      throw errFeatureUnavailable("net.Socket({ handle })", transport.name);
    }
    const stream = transport.openHandle(handle as object);
    this.#adopt(stream);
    // Others hold the handle already: it is shown from the start (its `reading`
    // and byte counts kept as node:net keeps them, for whoever else drives it).
    stream.nativeHandle?.(this);
  }

  /**
   * `connect()` on a socket made with `fd`, the first time: its handle gives the descriptor's
   * socket up as a bound one, which the dial then goes out over (as over an adopted
   * BoundSocket). A read started meanwhile is asked for again once connected.
   * @returns whether the socket is to dial now (`false`: leave it as it is)
   */
  #dialOverDescriptor(): boolean {
    if (!this.#has(_F_FD)) return false;
    this.#set(_F_FD, false);
    const handle = this.#handle!;
    if (this.#writeCb !== null || this.writableLength > 0) return false;
    const bound = handle.toBound?.() ?? null;
    if (bound === null) return false;
    this.#handle = null;
    this.fd = undefined;
    if (this.#has(_F_READING)) this.#set(_F_READ_WANTED, true);
    this.#set(_F_READING, false);
    adoptBoundHandle(this, bound);
    return true;
  }

  #watchSignal(signal: unknown): void {
    validateAbortSignal(signal, "options.signal");
    const s = signal as AbortSignal;
    if (this.#rare?.signal === s) return;
    this.#r().signal = s;
    if (s.aborted) {
      this.destroy(abortError(s.reason));
      return;
    }
    const onAbort = () => this.destroy(abortError(s.reason));
    s.addEventListener("abort", onAbort, { once: true });
    this.once("close", () => s.removeEventListener("abort", onAbort));
  }

  // ---- connecting -------------------------------------------------------

  /**
   * Opens a connection: `connect(port[, host][, cb])`, `connect(path[, cb])`
   * or `connect(options[, cb])`.
   * @param args port and host, a Unix path, or options; then an optional `'connect'` listener
   * @returns this socket
   * @example
   * ```ts
   * new Socket().connect({ port: 8080, host: "127.0.0.1" }, () => console.log("up"));
   * ```
   */
  connect(options: SocketConnectOpts, connectionListener?: () => void): this;
  /** Connects — the `connect(port, host, connectionListener)` form; see the first overload for details. */
  connect(port: number, host: string, connectionListener?: () => void): this;
  /** Connects — the `connect(port, connectionListener)` form; see the first overload for details. */
  connect(port: number, connectionListener?: () => void): this;
  /** Connects — the `connect(path, connectionListener)` form; see the first overload for details. */
  connect(path: string, connectionListener?: () => void): this;
  connect(...args: unknown[]): this {
    // As Node, every way of connecting is announced first (net.connect() included).
    publishClientSocket(this);
    const [options, cb] = isNormalized(args[0]) ? args[0] : normalizeArgs(args);
    // Node adds the listener before any check, so it stays even when connect() throws.
    if (cb !== null) this.once("connect", cb as () => void);
    if (options.port === undefined && options.path == null) {
      throw errMissingArgs("options", "port", "path");
    }
    if (Object.hasOwn(this, "write")) delete (this as { write?: unknown }).write;
    // A socket connecting or connected dials again on the handle it has, as Node's (its docs
    // leave the case undefined), but for a descriptor's socket: Node connects that descriptor
    // (one bound, never connected). While connecting, the kernel refuses that dial and the
    // socket is destroyed; a connected one keeps its connection.
    const again = this.connecting ||
      (this.#handle !== null && !this.#dialOverDescriptor());
    if (again) {
      const path = options.path as string | undefined;
      const plan = this.#planFor(path, options);
      const pipe = this.#has(_F_UNIX);
      if (this.connecting) refuseSecondDial(this, getTransport(), plan, path, pipe);
      else {
        this.connecting = true;
        this.#set(_F_REDIAL, true);
        redialConnected(this, getTransport(), plan, path, pipe);
      }
      return this;
    }
    // An adopted BoundSocket fixes the kind of dial (Unix or TCP) and its local end.
    const bound = boundDial(this, options);
    const path = bound === null || bound.pipe ? options.path : undefined;
    const plan = this.#planFor(path, bound?.options ?? options);
    if (plan !== null) this.#applyConnectOptions(options);
    if (this.destroyed) this.#reopen();
    // As Node's constructor reads it: a falsy signal (null) is none.
    if (options.signal) {
      this.#watchSignal(options.signal);
      if (this.destroyed) return this; // already aborted: never dial
    }
    this.connecting = true;
    this.#attempt?.abandon();
    const attempt = this.#attempt = new ConnectAttempt(this);
    (this as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses =
      undefined;
    this.#idle?.touch();
    this.#set(_F_UNIX, plan === null);
    // As Node, before the lookup: a name looked up is kept (what node:tls verifies).
    if (plan !== null && isIP(plan.host) === 0) this._host = plan.host;
    const transport = bound?.transport ?? getTransport();
    attempt.prepare(transport, plan === null);
    if (plan === null) dialUnix(transport, path as string, attempt);
    else attempt.setCancel(startTcpConnect(transport, plan, attempt));
    return this;
  }

  /** The TCP dial of `options` (`null` for a Unix `path`, which is checked to be a string). */
  #planFor(path: unknown, options: Record<string, unknown>): TcpConnectPlan | null {
    if (path) validateString(path, "options.path");
    return path ? null : normalizeTcpConnect(this.#withBlockList(options));
  }

  #withBlockList(options: Record<string, unknown>): Record<string, unknown> {
    if (options.blockList || this.blockList === undefined) return options;
    return { ...options, blockList: this.blockList };
  }

  #applyConnectOptions(options: Record<string, unknown>): void {
    if (options.noDelay !== undefined) this.#set(_F_NO_DELAY, Boolean(options.noDelay));
    if (options.keepAlive !== undefined) this.#set(_F_KEEP_ALIVE, Boolean(options.keepAlive));
    if (options.keepAliveInitialDelay !== undefined) {
      this.#setKeepAliveDelay(keepAliveDelayOption(options.keepAliveInitialDelay));
    }
  }

  // A destroyed socket may connect again (Node's reconnect after 'close').
  #reopen(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#set(_F_CLOSE_EMITTED, false);
    this.#set(_F_RESETTING, false);
    this.removeListener("connect", this.#resetNow);
    if (this.#rare !== null) this.#rare.peer = null;
    this.#set(_F_PEER_ASKED | _F_REDIAL, false);
    this.#bytesRead = 0;
    this.#bytesDispatched = 0;
    this.#set(_F_READING, false);
    this.#set(_F_READ_WANTED, false);
  }

  /**
   * A `connect()` on the connected socket came back (see `redialConnected`):
   * it is connected as before, and says so again, as Node's.
   * @internal
   */
  _redialled(): void {
    if (this.destroyed || !this.connecting) return;
    this.connecting = false;
    this.#set(_F_REDIAL, false);
    this.#announceConnected();
  }

  /**
   * The current connect attempt failed (called by {@link ConnectAttempt}).
   * @param err the Node-shaped error the socket is destroyed with
   * @internal
   */
  _connectFailed(err: Error): void {
    // `connecting` is cleared by _destroy, which also reads it ('close' gets hadError).
    this.destroy(err);
  }

  /**
   * The single dial failed; the socket is destroyed with its error right
   * after `'connectionAttemptFailed'`, in whose listeners it already reads
   * as Node's: not connecting, `'open'`, not pending (its attempt holds
   * the handle until then).
   * @internal
   */
  _dialFailed(): void {
    this.connecting = false;
  }

  /**
   * The current connect attempt connected (called by {@link ConnectAttempt}).
   * @param handle the connected handle
   * @internal
   */
  _connectSucceeded(handle: StreamHandle): void {
    // The attempt is over (nothing of it calls back now): a connected socket keeps no attempt.
    const shownOut = this.#attempt?.shownOut === true;
    this.#attempt = null;
    if (this.destroyed) {
      handle.close(_noop);
      return;
    }
    this.connecting = false;
    this.#adopt(handle);
    // The handle was given out as `_handle` while connecting (a stack may have taken it over).
    if (shownOut) handle.nativeHandle?.(this);
    this.#idle?.touch();
    // A write or FIN held while connecting, or a reset asked for then, goes out from its own
    // 'connect' listener, added at that call: as in Node, listeners added before it (the connect
    // callback) run first, and 'ready' is still emitted after a reset.
    this.#announceConnected();
  }

  /** 'connect' and 'ready', then the reads a listener or the stream asked for meanwhile. */
  #announceConnected(): void {
    this.emit("connect");
    this.emit("ready");
    if (this.#handle === null) return;
    if (this.#has(_F_READ_WANTED) || !this.isPaused()) this.read(0);
    if (this.#has(_F_READ_WANTED)) this._read();
  }

  #adopt(handle: StreamHandle): void {
    this.#handle = handle;
    const fd = handle.fd?.() ?? -1;
    if (fd >= 0) this.fd = fd;
    // The socket takes the handle's callbacks itself (HandleEvents): no object per connection.
    handle.attach(this);
    if (this.#has(_F_NO_DELAY)) handle.setNoDelay(true);
    if (this.#has(_F_KEEP_ALIVE)) this.#applyKeepAlive(handle);
    if (this.#has(_F_UNREF)) handle.unref();
    const tos = this.#rare?.tos;
    if (tos !== undefined && !this.#has(_F_UNIX)) handle.setTypeOfService?.(tos);
  }

  /**
   * Adopts a handle a server accepted (called by {@link acceptSocket}).
   * @param handle the accepted handle (not reading yet)
   * @param owner the server, told when the socket is destroyed
   * @param config the server's settings for accepted sockets
   * @internal
   */
  _adoptAccepted(handle: StreamHandle, owner: ConnectionOwner, config: AcceptConfig): void {
    this.#owner = owner;
    this.server = owner as unknown as AcceptingServer;
    this.#set(_F_UNIX, config.isUnix);
    this.#set(_F_NO_DELAY, config.noDelay);
    this.#set(_F_KEEP_ALIVE, config.keepAlive);
    this.#setKeepAliveDelay(config.keepAliveInitialDelay);
    this.#adopt(handle);
    if (config.pauseOnConnect) this.pause();
    else this.read(0);
  }

  // The 'connect' listeners of a held write and a held FIN (see _connectSucceeded); methods,
  // not per-socket closures: the emitter calls them with the socket as `this`.
  #flushHeldWrite(): void {
    const held = this.#rare?.held ?? null;
    if (held === null) return;
    this.#rare!.held = null;
    this.removeListener("close", this.#failHeld);
    this.#writeGeneric(held.writev, held.data, held.encoding, held.cb);
  }

  #flushHeldFinal(): void {
    const fin = this.#rare?.heldFinal ?? null;
    if (fin === null) return;
    this.#rare!.heldFinal = null;
    this._final(fin);
  }

  // ---- reading ----------------------------------------------------------

  /**
   * Bytes of the connection were read past this socket by the runtime's
   * stack that took its handle over (`HandleEvents`, called by the adapter):
   * counted, and activity for the idle timer.
   * @param n the byte count
   * @internal
   */
  _onHandlePassed(n: number): void {
    this.#bytesRead += n;
    this.#idle?.touch();
  }

  /**
   * Bytes the `onread` delivery hands to its callback (called by {@link OnRead}).
   * @param n the byte count
   * @internal
   */
  _countRead(n: number): void {
    this.#bytesRead += n;
  }

  /**
   * Bytes arrived on the handle (`HandleEvents`, called by the adapter).
   * @param chunk the bytes
   * @internal
   */
  _onHandleData(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#idle?.touch();
    const onread = this.#rare?.onread ?? null;
    if (onread !== null) {
      // Counted as delivered: bytes kept when the callback stops are not read yet for Node.
      if (!onread.deliver(buf, this)) this.#stopReading();
      return;
    }
    this.#bytesRead += buf.length;
    if (!this.push(buf) && this.#has(_F_READING) && this.#handle !== null) {
      this.#set(_F_READING, false);
      this.#handle.readStop();
    }
  }

  /**
   * The peer ended its side (`HandleEvents`, called by the adapter).
   * @internal
   */
  _onHandleEnd(): void {
    this.#set(_F_READING, false);
    if (this.#has(_F_TAKEN_OVER)) {
      // The runtime's TLS reads this connection (its end included), as a Node
      // socket under a TLS socket never reads its handle: no 'end' here; the
      // connection is over, so the socket closes.
      if (!this.destroyed) this.destroy();
      return;
    }
    this.push(null);
    this.read(0);
  }

  /**
   * The handle failed (`HandleEvents`, called by the adapter): the socket is
   * destroyed with the error.
   * @param err the system error
   * @internal
   */
  _onHandleError(err: SystemError): void {
    if (!this.destroyed) this.destroy(err);
  }

  #stopReading(): void {
    if (this.#has(_F_READING) && this.#handle !== null) {
      this.#set(_F_READING, false);
      this.#handle.readStop();
    }
  }

  /**
   * Decodes what is read as text in `encoding`; an empty name is UTF-8, as
   * Node's decoder takes it (Bun's refuses it).
   * @param encoding the encoding, UTF-8 when none
   * @returns this socket
   * @example
   * ```ts
   * socket.setEncoding("utf8");
   * ```
   */
  override setEncoding(encoding?: BufferEncoding): this {
    return super.setEncoding(
      ((encoding as string) === "" ? undefined : encoding) as BufferEncoding,
    );
  }

  /**
   * Pauses the stream (with `onread`, also stops reading from the handle, as Node).
   * @returns this socket
   */
  override pause(): this {
    if ((this.#rare?.onread ?? null) !== null && !this.connecting) this.#stopReading();
    return super.pause();
  }

  /**
   * Resumes the stream (with `onread`, also reads from the handle again, as Node).
   * @returns this socket
   */
  override resume(): this {
    // Unpaused first: the kept bytes' callback may pause the socket again.
    super.resume();
    const handle = this.#handle;
    const onread = this.#rare?.onread ?? null;
    if (onread !== null && !this.connecting && handle !== null && !this.#has(_F_READING)) {
      if (onread.resume(this) && this.#handle !== null && !this.#has(_F_READING)) {
        this.#set(_F_READING, true);
        handle.readStart();
      }
    }
    return this;
  }

  /** Starts reading from the handle; the stream calls it when it wants data. */
  override _read(): void {
    const handle = this.#handle;
    if (this.connecting || handle === null) {
      this.#set(_F_READ_WANTED, true);
      return;
    }
    this.#set(_F_READ_WANTED, false);
    if (!this.#has(_F_READING)) {
      this.#set(_F_READING, true);
      handle.readStart();
    }
  }

  // ---- writing ----------------------------------------------------------

  /** Hands one chunk to the handle (or holds it until connected). */
  override _write(chunk: NodeBuffer | string, encoding: BufferEncoding, cb: StreamCallback): void {
    this.#writeGeneric(false, chunk, encoding, cb);
  }

  /** Hands several buffered chunks to the handle in one call. */
  override _writev(chunks: StreamChunk[], cb: StreamCallback): void {
    this.#writeGeneric(true, chunks, "utf8", cb);
  }

  #writeGeneric(
    writev: boolean,
    data: NodeBuffer | string | StreamChunk[],
    encoding: BufferEncoding,
    cb: StreamCallback,
  ): void {
    if (this.connecting) {
      this.#r().held = { writev, data, encoding, cb };
      this.once("connect", this.#flushHeldWrite);
      // As in Node, a 'close' listener of its own fails it, after the listeners added before.
      this.once("close", this.#failHeld);
      return;
    }
    const handle = this.#handle;
    if (handle === null) {
      cb(errSocketClosed());
      return;
    }
    this.#idle?.touch();
    this.#writeCb = cb;
    const done = this.#onWriteDone ??= this.#afterWrite.bind(this);
    if (writev) {
      const list = data as StreamChunk[];
      const bufs = new Array<NodeBuffer>(list.length);
      let n = 0;
      for (let i = 0; i < list.length; i++) {
        const b = toBytes(list[i].chunk, list[i].encoding);
        bufs[i] = b;
        n += b.length;
      }
      this.#bytesDispatched += n;
      handle.writev(bufs, done);
      this.#inFlight(n);
    } else {
      const b = toBytes(data as NodeBuffer | string, encoding);
      this.#bytesDispatched += b.length;
      this.#set(_F_DISPATCHING, true);
      handle.write(b, done);
      // Node's handle reports no bytes for a text write (utf8, latin1, ascii, ucs2) the
      // kernel refused at once (EPIPE on a Unix socket whose peer closed): bytesWritten
      // leaves it out. Buffers and other encodings are counted, refused or not.
      this.#dispatched(uncountedIfRefused(data as NodeBuffer | string, encoding) ? b.length : 0);
      this.#inFlight(b.length);
    }
  }

  /** A write of `n` bytes was handed over; one not called back yet is watched by the idle timer. */
  #inFlight(n: number): void {
    this.#flight = n;
    const idle = this.#idle;
    if (idle !== null && this.#writeCb !== null) idle.queue = n;
  }

  #dispatched(uncounted: number): void {
    if (this.#has(_F_DISPATCH_FAILED)) this.#bytesDispatched -= uncounted;
    this.#set(_F_DISPATCHING | _F_DISPATCH_FAILED, false);
  }

  #afterWrite(err?: SystemError | null): void {
    const cb = this.#writeCb;
    // Once the handle is let go (destroyed), its close settles the write (#cancelInflightWrite).
    if (cb === null || this.#handle === null) return;
    this.#writeCb = null;
    if (this.#has(_F_SHUTTING)) {
      // Node ignores asynchronous shutdown errors: the read side reports real failures.
      this.#set(_F_SHUTTING, false);
      cb();
      return;
    }
    if (err) {
      if (this.#has(_F_DISPATCHING)) this.#set(_F_DISPATCH_FAILED, true);
      cb(err);
      return;
    }
    const idle = this.#idle;
    if (idle !== null) {
      idle.queue = 0;
      idle.touch();
    }
    cb();
  }

  /** Sends FIN once every write is flushed (deferred while connecting). */
  override _final(cb: StreamCallback): void {
    const handle = this.#handle;
    // Like Node, a connecting socket waits for 'connect'; one that never connected is done.
    if (this.connecting) {
      this.#r().heldFinal = cb;
      this.once("connect", this.#flushHeldFinal);
      return;
    }
    if (handle === null) {
      cb();
      return;
    }
    // No write is in flight once the stream calls _final: its slot takes the callback.
    this.#writeCb = cb;
    this.#set(_F_SHUTTING, true);
    handle.shutdown(this.#onWriteDone ??= this.#afterWrite.bind(this));
  }

  // ---- teardown ---------------------------------------------------------

  /** Releases the handle; 'close' follows once the runtime let it go. */
  override _destroy(err: Error | null, cb: StreamCallback): void {
    // Node's 'close' has no argument for a socket that never had a handle (never connecting).
    const hadHandle = this.#handle !== null || this.connecting || this.#attempt !== null ||
      holdsBound(this) || this.#has(_F_TAKEN_OVER);
    this.connecting = false;
    const dial = this.#attempt?.abandon() ?? null;
    this.#attempt = null;
    this.#idle?.stop();
    releaseBoundSource(this);
    // Told first, like Node: the server's 'close' then precedes this socket's.
    const owner = this.#owner;
    if (owner !== null) {
      this.#owner = null;
      owner._connectionClosed();
    }
    const handle = this.#handle;
    let hadError = Boolean(err);
    if (handle !== null) {
      this.#handle = null;
      this.#keepForeignBytes(handle);
      this.fd = undefined;
      // Node answers remoteAddress after close only if it was read before.
      if (this.#has(_F_PEER_ASKED)) this.#r().peer = handle.remoteAddress() as AddressInfo;
      this.#set(_F_READING, false);
      // 'error' (queued by destroy with nextTick) must precede 'close'. Where the
      // adapter calls back from the event loop (libuv on Node) and that tick ran,
      // 'close' goes out at once, as node:net emits it: one tick object less per
      // socket. Otherwise it is deferred, whatever queue the callback ran on.
      // A write in flight fails (ECANCELED) where Node's handle cancels it, as it closes:
      // until then its bytes still count in writableLength, as in Node.
      const fromLoop = getTransport().features.closeFromLoop === true;
      const done = () => {
        this.#cancelInflightWrite();
        if (fromLoop && this.#destroyTickRan()) this.#emitClose(hadError);
        else process.nextTick(Socket.#closeTick, this, hadError);
      };
      if (!this.#has(_F_RESETTING) || !handle.reset) handle.close(done);
      else if (!this.#has(_F_SHUTTING)) handle.reset(done);
      else {
        // As Node's: no RST behind a FIN still on its way (libuv's reset says EINVAL then). The
        // connection closes with the FIN; Node's handle stays open and emits no 'close' (a leak).
        handle.close(done);
        hadError = true;
        this.emit("error", systemError({ code: "EINVAL", syscall: "reset" }));
      }
      cb(err);
    } else {
      cb(err);
      // Cancelled after cb: Node reports an aborted Happy Eyeballs dial after 'error', before 'close'.
      if (dial !== null) dial();
      if (hadHandle) {
        // Node's connecting socket has a handle already: 'close' comes from its close callback.
        const emit = () => this.#emitClose(hadError);
        const transport = getTransport();
        if (transport.afterLoopTurn !== undefined) transport.afterLoopTurn(emit);
        else afterLoopTurn(emit);
      } else process.nextTick(Socket.#closeTick, this, undefined);
      // A handle child_process took: the write it had in flight never calls back.
      this.#cancelInflightWrite();
    }
  }

  // The stream's destroy tick (which emits 'error') marks its state closeEmitted,
  // even though a socket's stream never emits 'close' itself (emitClose is off).
  #destroyTickRan(): boolean {
    const state = (this as unknown as { _readableState?: { closeEmitted?: boolean } })
      ._readableState;
    return state?.closeEmitted === true;
  }

  // The 'close' listener of a held write. The write stays held: Node's bytesWritten still
  // counts a write that never left (its pending data is not cleared on close).
  #failHeld(): void {
    const rare = this.#rare;
    if (rare === null) return;
    const held = rare.held;
    if (held !== null) {
      this.removeListener("connect", this.#flushHeldWrite);
      held.cb(errClosedBeforeConnection());
    }
  }

  #dropHeldFinal(): void {
    const rare = this.#rare;
    if (rare !== null && rare.heldFinal !== null) {
      rare.heldFinal = null;
      this.removeListener("connect", this.#flushHeldFinal);
    }
  }

  // The runtime drops an in-flight write on close; Node reports it as cancelled.
  // A shutdown cut short by the close is dropped, as its callback never comes.
  #cancelInflightWrite(): void {
    const cb = this.#writeCb;
    if (cb !== null) {
      this.#writeCb = null;
      if (this.#has(_F_SHUTTING)) this.#set(_F_SHUTTING, false);
      else cb(systemError({ code: "ECANCELED", syscall: "write" }));
    }
  }

  /** `'close'` on a later tick: `nextTick` arguments, not a closure per socket. */
  static #closeTick(socket: Socket, hadError: boolean | undefined): void {
    socket.#emitClose(hadError);
  }

  #emitClose(hadError: boolean | undefined): void {
    if (this.#has(_F_CLOSE_EMITTED)) return;
    this.#set(_F_CLOSE_EMITTED, true);
    this.#dropHeldFinal();
    if (hadError === undefined) this.emit("close");
    else this.emit("close", hadError);
    // A closing libuv handle keeps the loop up until its close callback's turn.
    if (getTransport().features.closeFromLoop !== true) holdTurnForBeforeExit();
  }

  /**
   * Ends the writable side, then destroys the socket once written data is flushed.
   * @example
   * ```ts
   * socket.destroySoon();
   * ```
   */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }

  /**
   * Closes a TCP connection with a RST so the peer sees `ECONNRESET`.
   * @returns this socket
   * @example
   * ```ts
   * socket.resetAndDestroy();
   * ```
   */
  resetAndDestroy(): this {
    if (this.#handle === null && !this.connecting) {
      this.destroy(errSocketClosed());
      return this;
    }
    if (this.#has(_F_UNIX)) {
      throw errInvalidHandleType();
    }
    if (this.#handle !== null && !this.#handle.reset) {
      throw errFeatureUnavailable("socket.resetAndDestroy()", getTransport().name);
    }
    // While connecting, as Node: the reset is asked for at 'connect', after the listeners added
    // before this call (one that destroys the socket closes it without a RST).
    if (this.connecting) this.once("connect", this.#resetNow);
    else this.#resetNow();
    return this;
  }

  #resetNow(): void {
    if (this.destroyed) return;
    const handle = this.#handle;
    if (handle !== null && !handle.reset) {
      this.destroy(errFeatureUnavailable("socket.resetAndDestroy()", getTransport().name));
      return;
    }
    this.#set(_F_RESETTING, true);
    this.destroy();
  }

  /**
   * Destroys the socket (with an `AbortError` unless it already ended) and
   * resolves once it is closed.
   * @returns a promise settled after `'close'`
   */
  override async [Symbol.asyncDispose](): Promise<void> {
    let error: Error | undefined;
    if (!this.destroyed) {
      error = this.readableEnded ? undefined : abortError();
      this.destroy(error);
    }
    // As Node: wait like finished() (whose listener takes the 'error'), ignoring our own abort.
    await new Promise<void>((resolve, reject) =>
      finished(this, (err) => (err && err !== error ? reject(err) : resolve()))
    );
  }

  // ---- timeouts ---------------------------------------------------------

  /**
   * Emits `'timeout'` after `msecs` of inactivity (0 disables).
   * @param msecs idle time in milliseconds
   * @param callback added as a one-time `'timeout'` listener
   * @returns this socket
   * @example
   * ```ts
   * socket.setTimeout(3000, () => socket.destroy());
   * ```
   */
  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    msecs = timerDuration(msecs, "msecs");
    if (msecs === 0) {
      this.#idle?.start(0);
      if (callback !== undefined) {
        validateFunction(callback, "callback");
        this.removeListener("timeout", callback);
      }
      return this;
    }
    let idle = this.#idle;
    if (idle === null) {
      idle = this.#idle = new IdleTimeout(() => this.#idleFired());
      // A write in flight already (Node counts every write): its progress since it was
      // handed over holds the timeout off, as Node compares the write's size at the first expiry.
      // A shutdown in flight comes after the last write's callback: nothing to watch.
      if (this.#writeCb !== null && !this.#has(_F_SHUTTING)) idle.queue = this.#flight;
    }
    idle.start(msecs);
    if (callback !== undefined) {
      validateFunction(callback, "callback");
      this.once("timeout", callback);
    }
    return this;
  }

  #idleFired(): void {
    if (this.destroyed) return;
    // As Node: a write in flight whose unsent bytes moved since the last look holds it off.
    const idle = this.#idle!, handle = this.#handle;
    if (idle.queue > 0 && handle !== null && handle.writeQueueSize !== undefined) {
      const left = handle.writeQueueSize();
      if (left !== idle.queue) {
        idle.queue = left;
        idle.touch();
        return;
      }
    }
    this.emit("timeout");
  }
  // ---- options ----------------------------------------------------------

  /**
   * Enables or disables Nagle's algorithm (TCP_NODELAY); `true` when omitted.
   * @param noDelay `true` to send data at once
   * @returns this socket
   * @example
   * ```ts
   * socket.setNoDelay(true);
   * ```
   */
  setNoDelay(noDelay?: boolean): this {
    const enable = Boolean(noDelay === undefined ? true : noDelay);
    if (this.#handle === null) {
      this.#set(_F_NO_DELAY, enable);
      return this;
    }
    if (enable !== this.#has(_F_NO_DELAY)) {
      this.#set(_F_NO_DELAY, enable);
      this.#handle.setNoDelay(enable);
    }
    return this;
  }

  /**
   * Sets the IP Type of Service (IP_TOS / DSCP bits) of a TCP socket; before
   * connecting (and on Unix sockets) the value is kept and applied on connect.
   * @param tos 0 to 255
   * @returns this socket
   * @example
   * ```ts
   * socket.setTypeOfService(0x10); // low delay
   * ```
   */
  setTypeOfService(tos: number): this {
    if (Number.isNaN(tos)) throw errInvalidArgType("tos", "of type number", tos);
    validateInt32(tos, "tos", 0, 255);
    const transport = getTransport();
    if (transport.features.typeOfService !== true) {
      throw errFeatureUnavailable("socket.setTypeOfService()", transport.name);
    }
    const handle = this.#handle;
    if (handle === null || this.#has(_F_UNIX) || !handle.setTypeOfService) {
      this.#r().tos = tos;
      return this;
    }
    if (tos !== this.#rare?.tos) {
      this.#r().tos = tos;
      const code = handle.setTypeOfService(tos);
      if (code !== null) throw systemError({ code, syscall: "setTypeOfService" });
    }
    return this;
  }

  /**
   * The IP Type of Service of a TCP socket (the value kept before connecting; 0 by default).
   * @returns 0 to 255
   * @example
   * ```ts
   * socket.getTypeOfService();
   * ```
   */
  getTypeOfService(): number {
    const handle = this.#handle;
    if (handle === null || this.#has(_F_UNIX) || !handle.getTypeOfService) {
      return this.#rare?.tos ?? 0;
    }
    const res = handle.getTypeOfService();
    if (typeof res === "string") throw systemError({ code: res, syscall: "getTypeOfService" });
    return res;
  }

  /**
   * Enables or disables TCP keep-alive probes, as `setKeepAlive(enable,
   * initialDelay, interval, count)` or with those as an options object (Node
   * 24.19+). The probe interval and count are set where the runtime can (Node
   * 24.21+ and 26); elsewhere giving either while enabling warns once
   * (`OMNINET_KEEPALIVE_PROBES_IGNORED`) and the system's values apply.
   * @param options `{ enable, initialDelay, interval, count }`
   * @returns this socket
   * @example
   * ```ts
   * socket.setKeepAlive({ enable: true, initialDelay: 60_000 });
   * ```
   */
  setKeepAlive(options: SetKeepAliveOptions): this;
  /**
   * Enables or disables TCP keep-alive probes.
   * @param enable turn keep-alive on
   * @param initialDelay milliseconds before the first probe (0 = system default)
   * @param interval milliseconds between probes (Node 24.21+ and 26; elsewhere warns once)
   * @param count probes before the connection is dropped (likewise)
   * @returns this socket
   * @example
   * ```ts
   * socket.setKeepAlive(true, 60_000);
   * ```
   */
  setKeepAlive(enable?: boolean, initialDelay?: number, interval?: number, count?: number): this;
  setKeepAlive(
    enable?: boolean | SetKeepAliveOptions | null,
    initialDelay?: number,
    interval?: number,
    count?: number,
  ): this {
    if (enable !== null && typeof enable === "object") {
      ({ enable, initialDelay, interval, count } = enable);
    }
    const on = Boolean(enable);
    const delaySec = keepAliveSeconds(initialDelay);
    const intervalSec = interval === undefined ? undefined : ~~(Number(interval) / 1000);
    const probes = count === undefined ? undefined : ~~Number(count);
    const rare = this.#rare;
    const changed = on !== this.#has(_F_KEEP_ALIVE) ||
      (on && (delaySec !== this.#keepAliveDelay() || intervalSec !== rare?.kaInterval ||
        probes !== rare?.kaCount));
    if (this.#handle !== null && !changed) return this;
    this.#set(_F_KEEP_ALIVE, on);
    this.#setKeepAliveDelay(delaySec);
    if (rare !== null || intervalSec !== undefined || probes !== undefined) {
      const r = this.#r();
      r.kaInterval = intervalSec;
      r.kaCount = probes;
    }
    if (this.#handle !== null) this.#applyKeepAlive(this.#handle);
    return this;
  }

  // The transport takes milliseconds; core keeps Node's whole seconds.
  #applyKeepAlive(handle: StreamHandle): void {
    const interval = this.#rare?.kaInterval;
    applyKeepAlive(
      getTransport(),
      handle,
      this.#has(_F_KEEP_ALIVE),
      this.#keepAliveDelay() * 1000,
      interval === undefined ? undefined : interval * 1000,
      this.#rare?.kaCount,
    );
  }

  /**
   * Lets the socket keep the process alive again (the default).
   * @returns this socket
   * @example
   * ```ts
   * socket.ref();
   * ```
   */
  ref(): this {
    this.#set(_F_UNREF, false);
    this.#handle?.ref();
    return this;
  }

  /**
   * Stops the socket from keeping the process alive.
   * @returns this socket
   * @example
   * ```ts
   * socket.unref();
   * ```
   */
  unref(): this {
    this.#set(_F_UNREF, true);
    this.#handle?.unref();
    return this;
  }

  // ---- state ------------------------------------------------------------

  /**
   * Keeps in this socket's counts the bytes the runtime's stacks moved
   * through a handle it lets go (see `StreamHandle.foreignBytes`), as Node's
   * socket keeps its handle's counts at close.
   */
  #keepForeignBytes(handle: StreamHandle): void {
    if (handle.foreignBytes === undefined) return;
    this.#bytesRead += handle.foreignBytes(false);
    this.#bytesDispatched += handle.foreignBytes(true);
  }

  /**
   * Bytes received, also those the runtime's own stacks read from the handle
   * shown as `_handle` (Node's count is the handle's).
   */
  get bytesRead(): number {
    return this.#bytesRead + (this.#handle?.foreignBytes?.(false) ?? 0);
  }

  /**
   * Bytes written, including those still queued (Node's count); `undefined`
   * once the stream state is gone, as on Node (typed `number` as @types/node
   * declares it).
   */
  get bytesWritten(): number {
    const queued = (this as unknown as { writableBuffer?: StreamChunk[] }).writableBuffer;
    if (!queued) return undefined as unknown as number;
    return this.#bytesDispatched + (this.#handle?.foreignBytes?.(true) ?? 0) +
      queuedBytes(queued, this.#rare?.held ?? null);
  }

  /** Node's legacy name for the bytes handed to the connection so far (queued ones not counted). */
  get _bytesDispatched(): number {
    return this.#bytesDispatched + (this.#handle?.foreignBytes?.(true) ?? 0);
  }

  /**
   * Characters or bytes queued for writing, also while connecting
   * (`undefined` before `connect()`, as on Node; typed `number` as
   * @types/node declares it).
   */
  get bufferSize(): number {
    return this.#handle !== null || this.connecting
      ? this.writableLength
      : undefined as unknown as number;
  }

  /**
   * The runtime's own stream handle where omninet's Socket is a `node:net`
   * Socket (Node, Deno and Bun; see `sendableSocketPrototype`), as `node:net`
   * keeps it: what `child_process` sends with `subprocess.send(message,
   * socket)`, and what the runtime's tls, http and http2 stacks drive
   * directly. While connecting, the handle the dial runs on, made at
   * `connect()` before any lookup, as Node's socket has it (where the adapter
   * makes it ahead: the libuv one; see `Transport.dialHandle`). `null`
   * elsewhere, before `connect()` and after close.
   */
  get _handle(): object | null {
    if (!_NATIVE_LINKED) return null;
    const handle = this.#handle;
    if (handle !== null) return handle.nativeHandle?.(this) ?? null;
    return this.#attempt?.shownHandle() ?? null;
  }

  /**
   * `child_process` sets `null` once it took the handle for another
   * process: the socket lets it go without closing it (the runtime closes it
   * once the other side has it), and stops counting for its server, as
   * `node:net`'s does. (Deno's `child_process` sends a duplicate descriptor
   * and destroys the socket instead.) Bun's `node:tls` sets the raw side of
   * the Bun socket it upgraded in place: the socket goes on over it (see
   * `StreamHandle.nativeReplaced`). Other values are ignored.
   */
  set _handle(value: unknown) {
    const handle = this.#handle;
    if (handle === null || !_NATIVE_LINKED) return;
    if (value !== null) {
      if (typeof value === "object" && handle.nativeReplaced?.(value) === true) {
        this.#set(_F_TAKEN_OVER, true);
      }
      return;
    }
    this.#handle = null;
    this.#keepForeignBytes(handle);
    handle.detach?.();
    this.#idle?.stop();
    this.#set(_F_READING, false);
    const owner = this.#owner;
    if (owner !== null) {
      this.#owner = null;
      owner._connectionClosed();
    }
  }

  /**
   * What a write made while connecting holds, as Node shows it: the chunk
   * (the list of `{ chunk, encoding }` for several), until it goes out at
   * connect (kept when the socket closes first); `null` otherwise. Code that
   * replays a connecting socket's writes reads it.
   */
  get _pendingData(): NodeBuffer | string | StreamChunk[] | null {
    return this.#rare?.held?.data ?? null;
  }

  /** Assigned, it becomes an own property, as Node's is. */
  set _pendingData(value: unknown) {
    _ownValue(this, "_pendingData", value);
  }

  /** The encoding of {@link Socket._pendingData}: `''` for several chunks or none. */
  get _pendingEncoding(): string {
    const held = this.#rare?.held ?? null;
    return held === null || held.writev ? "" : held.encoding;
  }

  /** Assigned, it becomes an own property, as Node's is. */
  set _pendingEncoding(value: unknown) {
    _ownValue(this, "_pendingEncoding", value);
  }

  /** Node's other name of {@link Socket.server}: the accepting server, or `null`. */
  get _server(): AcceptingServer | null {
    return this.server;
  }

  /** Assigned, it becomes an own property, as Node's is. */
  set _server(value: unknown) {
    _ownValue(this, "_server", value);
  }

  /**
   * The remote end as Node's internal helper gives it (code outside
   * `node:net` calls it): `{ address, family, port }`, or `{}` when there is
   * none (not connected, a Unix socket).
   * @returns the remote endpoint
   */
  _getpeername(): { address?: string; family?: string; port?: number } {
    const p = this.#peer();
    return p === null ? {} : { address: p.address, family: p.family, port: p.port };
  }

  /**
   * The local end as Node's internal helper gives it: what {@link
   * Socket.address} returns.
   * @returns the local endpoint, or `{}`
   */
  _getsockname(): AddressInfo | Record<string, never> {
    return this.address();
  }

  /** Activity seen by a stack that reads the handle itself (Node's http parser): the idle timer restarts. */
  _unrefTimer(): void {
    this.#idle?.touch();
  }

  /** Legacy alias of {@link Socket.connecting}, as Node keeps it. */
  get _connecting(): boolean {
    return this.connecting;
  }

  /** `true` until connected (also when never connected). */
  get pending(): boolean {
    // An adopted BoundSocket is Node's handle already.
    return (this.#handle === null && this.#attempt === null && !holdsBound(this)) ||
      this.connecting;
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`. */
  get readyState(): SocketReadyState {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable && !this.writable) return "readOnly";
    if (!this.readable && this.writable) return "writeOnly";
    return "closed";
  }

  // The handle caches its ends (CachedEnds): the socket keeps no copy while it has one.
  #peer(): AddressInfo | null {
    const handle = this.#handle;
    if (handle === null || (this.connecting && !this.#has(_F_REDIAL))) {
      return this.#rare?.peer ?? null;
    }
    const ep = handle.remoteAddress();
    if (ep === null || typeof ep !== "object") return null;
    this.#flags |= _F_PEER_ASKED;
    return ep;
  }

  #sock(): AddressInfo | null {
    // Without a connected handle, the end the dial was bound to, or an adopted BoundSocket's
    // endpoint (Node reads the bound socket).
    const ep = this.#handle !== null
      ? this.#handle.localAddress()
      : this.#attempt?.local ?? boundLocal(this);
    return ep !== null && typeof ep === "object" ? ep : null;
  }

  /** Remote IP, or `undefined` (Unix sockets, not connected). */
  get remoteAddress(): string | undefined {
    return this.#peer()?.address;
  }

  /** Remote port, or `undefined`. */
  get remotePort(): number | undefined {
    return this.#peer()?.port;
  }

  /** `'IPv4'` or `'IPv6'`, or `undefined`. */
  get remoteFamily(): string | undefined {
    return this.#peer()?.family;
  }

  /** Local IP, or `undefined`. */
  get localAddress(): string | undefined {
    const ep = this.#sock();
    if (ep !== null) return ep.address;
    // A Unix socket dialled from an adopted BoundSocket reports the bound path, as in Node.
    const bound = boundLocal(this);
    return typeof bound === "string" ? bound : undefined;
  }

  /** Local port, or `undefined`. */
  get localPort(): number | undefined {
    return this.#sock()?.port;
  }

  /** `'IPv4'` or `'IPv6'`, or `undefined`. */
  get localFamily(): string | undefined {
    return this.#sock()?.family;
  }

  /**
   * The local endpoint (`{ address, family, port }`), or `{}` when there is none.
   * @returns the bound address
   * @example
   * ```ts
   * const { port } = socket.address() as { port: number };
   * ```
   */
  address(): AddressInfo | Record<string, never> {
    const a = this.#sock();
    return a === null ? {} : { address: a.address, family: a.family, port: a.port };
  }
}

/**
 * The events of {@link Socket} and their arguments, as `@types/node` types
 * `net.Socket`'s (Node 26's name): what the listener methods' types take.
 */
export interface SocketEventMap {
  /** The socket is fully closed; `hadError` when an error closed it. */
  close: [hadError: boolean];
  /** The connection is established. */
  connect: [];
  /** A dial to one address starts. */
  connectionAttempt: [ip: string, port: number, family: number];
  /** A dial to one address failed. */
  connectionAttemptFailed: [ip: string, port: number, family: number, error: Error];
  /** A Happy Eyeballs dial to one address ran out of time. */
  connectionAttemptTimeout: [ip: string, port: number, family: number];
  /** Bytes arrived: a `Buffer` (the type the installed `@types/node` gives it), a string once an encoding is set. */
  data: [data: ReturnType<typeof NodeBuffer.alloc>];
  /** The write buffer emptied. */
  drain: [];
  /** The peer ended its side. */
  end: [];
  /** An error occurred; `'close'` follows. */
  error: [err: Error];
  /**
   * The host name was looked up (`err` null on success). Typed so that code
   * written for either `@types/node` takes it: `err` as 24 types it
   * (`Error`, which 26 widens to `Error | null`), `family` as a number (24:
   * `string | number`, 26: `number | null`).
   */
  lookup: [err: Error, address: string, family: number, host: string];
  /** The socket is ready to use, right after `'connect'`. */
  ready: [];
  /** The socket was idle for the time set with `setTimeout()`. */
  timeout: [];
}

/**
 * The listener methods of {@link Socket}, typed per event with
 * {@link SocketEventMap} as `@types/node` types `net.Socket`'s: code written against
 * `node:net` in strict TypeScript compiles against omninet (`Duplex`'s and
 * `EventEmitter`'s own overloads leave a listener's parameters `any`, or none
 * for `'close'`, which fails `noImplicitAny`). Declaration merging: no code,
 * the class's methods are `EventEmitter`'s.
 */
export interface Socket {
  /** Adds a listener; the events of {@link SocketEventMap} have typed arguments. */
  addListener<E extends keyof SocketEventMap>(
    event: E,
    listener: (...args: SocketEventMap[E]) => void,
  ): this;
  /** Adds a listener for any other event. */
  // deno-lint-ignore no-explicit-any
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a listener; the events of {@link SocketEventMap} have typed arguments. */
  on<E extends keyof SocketEventMap>(
    event: E,
    listener: (...args: SocketEventMap[E]) => void,
  ): this;
  /** Adds a listener for any other event. */
  // deno-lint-ignore no-explicit-any
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener; the events of {@link SocketEventMap} have typed arguments. */
  once<E extends keyof SocketEventMap>(
    event: E,
    listener: (...args: SocketEventMap[E]) => void,
  ): this;
  /** Adds a one-time listener for any other event. */
  // deno-lint-ignore no-explicit-any
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a listener before the others; the events of {@link SocketEventMap} have typed arguments. */
  prependListener<E extends keyof SocketEventMap>(
    event: E,
    listener: (...args: SocketEventMap[E]) => void,
  ): this;
  /** Adds a listener before the others for any other event. */
  // deno-lint-ignore no-explicit-any
  prependListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener before the others; the events of {@link SocketEventMap} have typed arguments. */
  prependOnceListener<E extends keyof SocketEventMap>(
    event: E,
    listener: (...args: SocketEventMap[E]) => void,
  ): this;
  /** Adds a one-time listener before the others for any other event. */
  // deno-lint-ignore no-explicit-any
  prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Emits an event of {@link SocketEventMap} with its typed arguments; `true` if it had listeners. */
  emit<E extends keyof SocketEventMap>(event: E, ...args: SocketEventMap[E]): boolean;
  /** Emits any other event; `true` if it had listeners. */
  // deno-lint-ignore no-explicit-any
  emit(event: string | symbol, ...args: any[]): boolean;
}
// Lets `net.Socket.call(obj, options)` initialise obj (see callable.ts).
makeAdoptable(Socket, Duplex);
// Node's per-socket defaults that other code reads, kept on the prototype: no slot per socket
// until a connect (or the code reading them) assigns one.
Object.defineProperties(Socket.prototype, {
  _host: { value: null, writable: true, configurable: true, enumerable: false },
  _hadError: { value: false, writable: true, configurable: true, enumerable: false },
});

/** Makes `name` an own data property of `target`, as an assignment to Node's socket does. */
function _ownValue(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}
// With the libuv and node:net adapters (Node, Deno) and on Bun, an instance of node:net's Socket
// too (runtimes/node/handoff.ts), decided when the first socket is made (the adapter is chosen
// then): what Duplex gives and node:net's prototype would otherwise shadow stays Duplex's, and the
// runtime's hints for its stacks are defined. Without native handles (Deno.connect) no link:
// Node's node:tls takes a node:net Socket without `_handle` for one still connecting.
let _NATIVE_LINKED = false;
let _linkDecided = false;

function _decideLink(): void {
  _linkDecided = true;
  const proto = sendableSocketPrototype();
  if (proto === null || getTransport().features.nativeStreamHandles !== true) return;
  _NATIVE_LINKED = true;
  _linkNative(proto);
}

function _linkNative(proto: object): void {
  // Between omninet's prototype and node:net's, Duplex's own versions of what node:net
  // overrides (pause, resume, read, end, _read, _write...): `super` in the class and every
  // stream method omninet does not define stay Duplex's. node:net's pause() and resume() start
  // and stop reads on `_handle` themselves (Deno's and Bun's always), past the adapter.
  const streamSide = Object.create(proto) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === "constructor" || !(name in Duplex.prototype)) continue;
    const own = Object.getOwnPropertyDescriptor(proto, name)!;
    if (typeof own.value !== "function") continue;
    Object.defineProperty(streamSide, name, {
      value: (Duplex.prototype as unknown as Record<string, unknown>)[name],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  Object.setPrototypeOf(Socket.prototype, streamSide);
  // node:net walks `_parent` (a TLSSocket's wrapped socket) up to `null` for its timers.
  Object.defineProperty(Socket.prototype, "_parent", {
    value: null,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperties(Socket.prototype, linkedSocketHints(_linkedState));
}

/**
 * Wraps a handle a server accepted into a connected Socket.
 * @param handle the accepted handle (not reading yet)
 * @param owner the server, told when the socket is destroyed
 * @param config the server's settings for accepted sockets
 * @returns the connected socket
 * @example
 * ```ts
 * server.emit("connection", acceptSocket(handle, server, config));
 * ```
 */
export function acceptSocket(
  handle: StreamHandle,
  owner: ConnectionOwner,
  config: AcceptConfig,
): Socket {
  // Plain options, checked and turned into stream options per socket: reusing
  // one prebuilt object saved 0.13 µs per socket (287 against 155 ns, Node 24
  // and Deno alike), under 0.3% of a connect + close, so it was not kept.
  const socket = new Socket({
    allowHalfOpen: config.allowHalfOpen,
    readableHighWaterMark: config.highWaterMark,
    writableHighWaterMark: config.highWaterMark,
  });
  socket._adoptAccepted(handle, owner, config);
  return socket;
}

/**
 * Creates a socket and connects it: `connect(port[, host][, cb])`,
 * `connect(path[, cb])` or `connect(options[, cb])`. `options.timeout` sets
 * the idle timeout.
 * @param args port and host, a Unix path, or options; then an optional `'connect'` listener
 * @returns the connecting socket
 * @example
 * ```ts
 * import net from "@omninet/net";
 * const socket = net.connect(8080, "127.0.0.1", () => socket.end("hi"));
 * ```
 */
export function connect(
  options: NetConnectOpts,
  connectionListener?: () => void,
): Socket;
/** Connects — the `connect(port, host, connectionListener)` form; see the first overload for details. */
export function connect(port: number, host?: string, connectionListener?: () => void): Socket;
/** Connects — the `connect(port, connectionListener)` form; see the first overload for details. */
export function connect(port: number, connectionListener?: () => void): Socket;
/** Connects — the `connect(path, connectionListener)` form; see the first overload for details. */
export function connect(path: string, connectionListener?: () => void): Socket;
export function connect(...args: unknown[]): Socket {
  const normalized = normalizeArgs(args);
  const options = normalized[0];
  const socket = new Socket(options as SocketConstructorOpts);
  if (options.timeout) socket.setTimeout(options.timeout as number);
  // An already-aborted signal destroyed the socket: it must not dial anyway.
  if (socket.destroyed) return socket;
  return socket.connect(normalized as unknown as SocketConnectOpts);
}

/**
 * Alias of {@link connect}.
 * @example
 * ```ts
 * import { createConnection } from "@omninet/net";
 * const socket = createConnection({ path: "/tmp/app.sock" });
 * ```
 */
export const createConnection: typeof connect = connect;
