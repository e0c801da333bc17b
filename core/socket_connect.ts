/**
 * One `socket.connect()` as the socket sees it: the sink `startTcpConnect()`
 * reports to, the Unix dial, and the rule that an abandoned attempt (the
 * socket was destroyed or reconnected) never touches the socket again except
 * for Node's late events.
 * @module
 */
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  StreamHandle,
  Transport,
} from "../runtimes/types.ts";
import { type ConnectSink, startTcpConnect, type TcpConnectPlan } from "./connect.ts";
import { systemError } from "./errors.ts";
import { afterLoopTurn } from "./loop.ts";
import { errSocketClosed } from "./socket_errors.ts";
import { failedDial, refusedConnect, unixPathError } from "./sys_errors.ts";

/** What a connect attempt needs from its socket. */
export interface ConnectingSocket {
  /** The socket's `emit`. */
  emit(event: string, ...args: unknown[]): boolean;
  /** `ip:port` of every address tried with Happy Eyeballs. */
  autoSelectFamilyAttemptedAddresses?: string[];
  /** The attempt connected: the socket adopts `handle`. */
  _connectSucceeded(handle: StreamHandle): void;
  /** The attempt failed: the socket is destroyed with `err`. */
  _connectFailed(err: Error): void;
  /** Its single dial failed: not connecting any more (see `ConnectSink.dialFailed`). */
  _dialFailed(): void;
  /** A dial on the connected socket's own connection came back (see `redialConnected`). */
  _redialled?(): void;
}

function _noop(): void {}

/**
 * A connect attempt of one socket; abandoned once the socket moves on.
 * @example
 * ```ts
 * const attempt = new ConnectAttempt(socket);
 * attempt.setCancel(startTcpConnect(transport, plan, attempt));
 * ```
 */
export class ConnectAttempt implements ConnectSink {
  /** Set when the socket was destroyed or reconnected meanwhile. */
  abandoned = false;
  /** `_handle` was read while connecting: the connected stream is told it was given out. */
  shownOut = false;
  /** The current dial's local end, once bound (see `ConnectSink.boundTo`). */
  local: AddressInfo | null = null;
  #cancel: (() => void) | null = null;
  /** Where the transport makes dial handles ahead (`Transport.dialHandle`): it, else null. */
  #maker: Transport | null = null;
  #pipe = false;
  /** The handle of the current dial, or the one made for the first: what `_handle` shows. */
  #shown: object | null = null;
  /** The handle made ahead while no dial has it yet: this attempt closes it if none takes it. */
  #spare: object | null = null;

  /**
   * @param socket the connecting socket
   */
  constructor(readonly socket: ConnectingSocket) {}

  /**
   * Makes the handle the first dial runs on, where the transport makes them
   * ahead: the socket holds it as Node's from `connect()` on, before any lookup.
   * @param transport the adapter that dials
   * @param pipe a Unix dial (else TCP)
   */
  prepare(transport: Transport, pipe: boolean): void {
    if (transport.dialHandle === undefined) return;
    this.#maker = transport;
    this.#pipe = pipe;
    this.#shown = this.#spare = transport.dialHandle(pipe);
  }

  /**
   * What `_handle` shows while connecting.
   * @returns the current dial's runtime handle, or null where there is none yet
   */
  shownHandle(): object | null {
    if (this.#shown !== null) this.shownOut = true;
    return this.#shown;
  }

  /**
   * The handle of the next dial: the one made ahead (at `prepare()` or
   * `renewDialHandle()`), which the dial owns from now on.
   * @returns the handle, or undefined where the adapter makes its own
   */
  dialHandle(): object | undefined {
    const h = this.#spare;
    this.#spare = null;
    return h ?? undefined;
  }

  /**
   * A new handle for the next address Happy Eyeballs tries (the last one's
   * dial closed its own), shown as `_handle` from now on, as Node's socket
   * takes a new handle before it announces each later attempt.
   */
  renewDialHandle(): void {
    const maker = this.#maker;
    if (maker === null || this.abandoned || this.#spare !== null) return;
    this.#shown = this.#spare = maker.dialHandle!(this.#pipe);
  }

  /** Closes the handle made ahead if no dial took it, and shows none. */
  #release(): void {
    this.#shown = null;
    const h = this.#spare;
    if (h === null) return;
    this.#spare = null;
    this.#maker!.dropDialHandle?.(h);
  }

  /**
   * Keeps the function that cancels the dial; calls it at once if already abandoned
   * (a synchronous lookup may have failed or abandoned the connect).
   * @param cancel cancels the pending dial
   */
  setCancel(cancel: () => void): void {
    if (this.abandoned) cancel();
    else this.#cancel = cancel;
  }

  /**
   * Marks the attempt abandoned.
   * @returns the pending dial's cancel function, if any: the socket calls it when Node would
   */
  abandon(): (() => void) | null {
    this.abandoned = true;
    this.#release();
    const cancel = this.#cancel;
    this.#cancel = null;
    return cancel;
  }

  /** Emits on the socket (late events included); false once abandoned. */
  emit(event: string, ...args: unknown[]): boolean {
    this.socket.emit(event, ...args);
    return !this.abandoned;
  }

  /** {@link ConnectAttempt.emit} for three arguments: no rest array per connection. */
  emit3(event: string, a: unknown, b: unknown, c: unknown): boolean {
    this.socket.emit(event, a, b, c);
    return !this.abandoned;
  }

  /** {@link ConnectAttempt.emit} for four arguments. */
  emit4(event: string, a: unknown, b: unknown, c: unknown, d: unknown): boolean {
    this.socket.emit(event, a, b, c, d);
    return !this.abandoned;
  }

  /** Happy Eyeballs starts: the attempted list becomes `[]`. */
  startMulti(): void {
    if (!this.abandoned) this.socket.autoSelectFamilyAttemptedAddresses = [];
  }

  /** The local end the current dial was bound to, shown while connecting. */
  boundTo(local: AddressInfo | null): void {
    if (!this.abandoned) this.local = local;
  }

  /** Appends to the attempted list. */
  recordAttempt(ipPort: string): void {
    if (!this.abandoned) (this.socket.autoSelectFamilyAttemptedAddresses ??= []).push(ipPort);
  }

  /** The dial connected. */
  connected(handle: StreamHandle): void {
    this.#release();
    if (this.abandoned) {
      handle.close(_noop);
      return;
    }
    this.#cancel = null;
    this.socket._connectSucceeded(handle);
  }

  /** The single dial failed: the socket stops connecting (see `ConnectSink.dialFailed`). */
  dialFailed(): void {
    if (!this.abandoned) this.socket._dialFailed();
  }

  /** The dial failed. */
  failed(err: Error): void {
    this.#release();
    if (this.abandoned) return;
    this.#cancel = null;
    this.socket._connectFailed(err);
  }
}

/**
 * Dials a Unix socket path for `attempt`.
 * @param transport the adapter that dials
 * @param path the socket's path
 * @param attempt the attempt told of the outcome
 * @example
 * ```ts
 * dialUnix(getTransport(), "/tmp/app.sock", new ConnectAttempt(socket));
 * ```
 */
export function dialUnix(transport: Transport, path: string, attempt: ConnectAttempt): void {
  // Node reports a Unix dial as an attempt too: (path, undefined, undefined[, err]).
  attempt.socket.emit("connectionAttempt", path, undefined, undefined);
  // A path too long for sun_path or with a NUL byte: Node's connect call refuses it, and the
  // socket is destroyed within connect(), with no 'connectionAttemptFailed'.
  const refused = unixPathError(path, "connect");
  if (refused !== null) {
    if (!attempt.abandoned) attempt.failed(refused);
    return;
  }
  const dial = transport.connectUnix(path, (err, handle) => {
    if (attempt.abandoned) {
      handle?.close(_noop);
      return;
    }
    if (handle && !err) {
      attempt.connected(handle);
      return;
    }
    const e = err ?? errSocketClosed();
    attempt.dialFailed();
    attempt.socket.emit("connectionAttemptFailed", path, undefined, undefined, e);
    if (!attempt.abandoned) attempt.failed(e);
  }, attempt.dialHandle());
  attempt.setCancel(() => dial.cancel());
}

/**
 * `connect()` on a socket whose first connect is under way, as Node's: Node dials again on
 * the same handle, which the kernel refuses, and the socket is destroyed with that error
 * (which also ends the first dial). A TCP target is looked up and announced as a dial is,
 * then refused with `EALREADY`; a Unix path on a Unix dial fails with `EISCONN` (reported
 * as a failed attempt), and a dial of the other kind with `EINVAL` at once.
 * @param socket the connecting socket
 * @param transport the adapter (its lookups and checks; no dial goes out)
 * @param plan the second target, when TCP
 * @param path the second target, when a Unix path
 * @param pipeDial whether the first dial is a Unix one
 * @example
 * ```ts
 * refuseSecondDial(socket, getTransport(), plan, undefined, false);
 * ```
 */
export function refuseSecondDial(
  socket: ConnectingSocket & { readonly destroyed: boolean },
  transport: Transport,
  plan: TcpConnectPlan | null,
  path: string | undefined,
  pipeDial: boolean,
): void {
  if (plan === null) {
    socket.emit("connectionAttempt", path, undefined, undefined);
    if (pipeDial) {
      // As the libuv callback of Node's refused dial: after the ticks queued with the call.
      const err = systemError({ code: "EISCONN", syscall: "connect", address: path });
      queueMicrotask(() => {
        if (socket.destroyed) return;
        socket._dialFailed();
        socket.emit("connectionAttemptFailed", path, undefined, undefined, err);
        socket._connectFailed(err);
      });
    } else {
      socket._connectFailed(refusedConnect("EINVAL", path as string));
    }
    return;
  }
  if (pipeDial) {
    socket._connectFailed(refusedConnect("EINVAL", plan.host, plan.port));
    return;
  }
  const refusing: Transport = Object.create(transport);
  refusing.connectTcp = (req, cb) =>
    failedDial(refusedConnect("EALREADY", req.address, req.port), cb);
  startTcpConnect(refusing, plan, _ownSink(socket));
}

/**
 * `connect()` on a connected socket, as Node's (its docs leave the case
 * undefined; Deno's and Bun's `node:net` do the same): Node dials again on the
 * connected handle. A TCP target on a TCP connection is looked up and
 * announced as a dial is, and the kernel's answer leaves the connection as it
 * was: `'connect'` and `'ready'` come again on the loop's next turn, the
 * socket connecting until then (writes wait for it), whatever the target. A
 * TCP target on a Unix connection fails its attempt (`ENOENT`, as libuv
 * reports it); a Unix path fails as on a socket still connecting
 * ({@link refuseSecondDial}).
 * @param socket the connected socket, `connecting` set again
 * @param transport the adapter (its lookups and checks; no dial goes out)
 * @param plan the new target, when TCP
 * @param path the new target, when a Unix path
 * @param pipe whether the connection is a Unix one
 * @example
 * ```ts
 * redialConnected(socket, getTransport(), plan, undefined, false);
 * ```
 */
export function redialConnected(
  socket: ConnectingSocket & { readonly destroyed: boolean },
  transport: Transport,
  plan: TcpConnectPlan | null,
  path: string | undefined,
  pipe: boolean,
): void {
  if (plan === null) return refuseSecondDial(socket, transport, null, path, pipe);
  const again: Transport = Object.create(transport);
  again.connectTcp = pipe
    ? (req, cb) => failedDial(refusedConnect("ENOENT", req.address, req.port), cb)
    : (_req, cb) => _sameConnection(cb);
  startTcpConnect(again, plan, _ownSink(socket));
}

/** A dial answered by the connection the socket has: a success on the loop's next turn. */
function _sameConnection(cb: ConnectCallback): Dial {
  let live = true;
  afterLoopTurn(() => {
    if (live) cb(null, _SAME as StreamHandle);
  });
  return { cancel: () => void (live = false) };
}

/** What `_sameConnection` "connects": no handle, the socket keeps its own. */
const _SAME = Object.freeze({});

/** The sink of a dial on the socket's own handle, made outside its `ConnectAttempt`. */
function _ownSink(socket: ConnectingSocket & { readonly destroyed: boolean }): ConnectSink {
  return {
    emit: (event, ...args) => {
      if (socket.destroyed) return false;
      socket.emit(event, ...args);
      return !socket.destroyed;
    },
    startMulti: _noop,
    recordAttempt: _noop,
    dialFailed: () => {
      if (!socket.destroyed) socket._dialFailed();
    },
    connected: (handle) => {
      if (handle === _SAME) socket._redialled?.();
      else handle.close(_noop);
    },
    failed: (err) => {
      if (!socket.destroyed) socket._connectFailed(err);
    },
  };
}
