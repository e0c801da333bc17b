/**
 * The Bun adapter: the transport contract over `Bun.connect` / `Bun.listen`.
 *
 * Bun's sockets are handler-based: one handlers object serves every socket of
 * a kind, and each socket carries its state in `socket.data`. This file keeps
 * three shared handler sets (dialled, accepted and fd-wrapped sockets) and one
 * `Conn` per socket. `conn.ts` holds the connection, `handlers.ts` the
 * shared handlers, `dial.ts` the TCP dial (through Bun's node:net, so that a
 * pending attempt can be closed); this file listens, dials Unix paths and
 * wraps descriptors. Nothing on
 * the read or write path allocates a closure.
 *
 * Facts about Bun 1.4 this adapter relies on (each checked by experiment):
 * - every `data` call hands a fresh Buffer (no reuse), so chunks pass through
 *   without a copy;
 * - `pause()` stops reading from the kernel, so the peer's writes block;
 * - `write()` is unbuffered: it returns how many bytes the kernel took, or -1
 *   once the socket is closed; the rest is ours to keep until `drain`;
 * - `end()` releases the socket at once (close handler runs synchronously),
 *   `terminate()` does the same with SO_LINGER 0 (the peer reads ECONNRESET);
 * - sockets read as soon as they open, so bytes the owner never took may sit
 *   here instead of in the kernel: closing then terminates, so the peer sees
 *   the RST it would get from a receive queue holding unread data;
 * - with `allowHalfOpen` a peer FIN calls `end` and leaves the socket open,
 *   but when our side had already shut down, the FIN closes the socket
 *   without an `end` call, so a clean close also counts as end-of-stream;
 *   once both FINs are out Bun releases the socket on its own, and from then
 *   on names neither end (in the close handler already);
 * - every TCP socket starts with TCP_NODELAY set (Node leaves Nagle on);
 * - with a `connectError` handler Bun marks the rejection of the promise
 *   `connect()` returns as handled (no unhandled rejection, no exit);
 * - `connect({ fd })` wraps a connected socket fd, opening synchronously
 *   inside the call; a pipe fd "opens" too but fails with ENOTSOCK on use
 *   (pipes go through `Bun.file(fd)`: ./pipe.ts);
 * - no `error` handler is installed: Bun then reports an exception thrown by
 *   a handler (user code under `_onHandleData`) as an uncaught exception, like Node.
 * @module
 */
import { type SystemError, systemError } from "../../core/errors.ts";
import { errInvalidFdType, fdType } from "../../core/features.ts";
import type {
  AddressInfo,
  BoundHandle,
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  StreamHandle,
  TcpConnectRequest,
  TcpListenRequest,
  Transport,
  TransportFeatures,
  UnixListenRequest,
} from "../types.ts";
import {
  bunApi,
  type BunError,
  type BunListener,
  type BunSocket,
  Conn,
  ipInfo,
  TcpConn,
  UNNAMED,
} from "./conn.ts";
import { noop } from "../_shared.ts";
import { ACCEPT_HANDLERS, type ListenState, showListener } from "./handlers.ts";
import { dialHandle, dialTcp, dialUnix, dropDialHandle } from "./dial.ts";
import { openPipeFd } from "./pipe.ts";

class _Listener implements ListenerHandle {
  constructor(
    private readonly _l: BunListener,
    private readonly _addr: AddressInfo | string,
    private readonly _state: ListenState,
  ) {}

  address(): AddressInfo | string {
    return this._addr;
  }

  close(cb: () => void): boolean {
    // Bun closes the listening socket within stop().
    this._l.stop(false);
    queueMicrotask(cb);
    return true;
  }

  ref(): void {
    this._l.ref();
  }

  unref(): void {
    this._l.unref();
  }

  nativeHandle(): unknown {
    // What Bun's own net.Server keeps as `_handle`, and its child_process sends; with
    // Node's `onconnection` from now on (a server whose `_handle` nobody read pays nothing).
    showListener(this._state, this._l as unknown as { onconnection?: unknown });
    return this._l;
  }
}

function _listenError(e: unknown, address: string, port?: number): SystemError {
  const code = (e as BunError)?.code ?? "EINVAL";
  return systemError({ code, syscall: "listen", address, port, cause: e });
}

function _listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const state: ListenState = { events, path: null, local: null, shown: null };
  let l: BunListener;
  try {
    l = bunApi().listen({
      hostname: req.address,
      port: req.port,
      reusePort: req.reusePort,
      ipv6Only: req.ipv6Only,
      allowHalfOpen: true,
      data: state,
      socket: ACCEPT_HANDLERS,
    });
  } catch (e) {
    // Bun.listen binds synchronously: the outcome goes back at once, as the contract asks.
    cb(_listenError(e, req.address, req.port));
    return;
  }
  const name: { address?: string; family?: string; port?: number } = {};
  l.getsockname(name);
  const addr = ipInfo(name.address, name.port) ??
    { address: req.address, family: req.address.includes(":") ? "IPv6" : "IPv4", port: req.port };
  if (addr.address !== "0.0.0.0" && addr.address !== "::") state.local = addr;
  cb(null, new _Listener(l, addr, state));
}

function _listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
  const state: ListenState = { events, path: req.path, local: null, shown: null };
  let l: BunListener;
  try {
    l = bunApi().listen({
      unix: req.path,
      allowHalfOpen: true,
      data: state,
      socket: ACCEPT_HANDLERS,
    });
  } catch (e) {
    cb(_listenError(e, req.path));
    return;
  }
  cb(null, new _Listener(l, req.path, state));
}

/**
 * Listens on an inherited, bound socket descriptor (`listen({ fd })`), as
 * Bun's own node:net does: `Bun.listen` takes the descriptor as it is and
 * fails with `listen EINVAL` for anything that is not a socket. Bun takes no
 * backlog (as for `listenTcp`); a Unix socket is named "" like Node's.
 */
function _listenFd(fd: number, _backlog: number, events: ListenerEvents, cb: ListenCallback): void {
  const state: ListenState = { events, path: null, local: null, shown: null };
  let l: BunListener;
  try {
    l = bunApi().listen({ fd, allowHalfOpen: true, data: state, socket: ACCEPT_HANDLERS });
  } catch (e) {
    cb(systemError({ code: (e as BunError)?.code ?? "EINVAL", syscall: "listen", cause: e }));
    return;
  }
  const name: { address?: string; family?: string; port?: number } = {};
  l.getsockname(name);
  const addr = ipInfo(name.address, name.port);
  if (addr === null) state.path = UNNAMED;
  else if (addr.address !== "0.0.0.0" && addr.address !== "::") state.local = addr;
  cb(null, new _Listener(l, addr ?? UNNAMED, state));
}

/** What a socket made from an fd holds until its open handler builds the handle. */
interface _FdOpening {
  conn: Conn | null;
  err: BunError | null;
}

/**
 * A descriptor's socket without a peer (Unix, or TCP never connected). Bun
 * opens any socket descriptor as if connected and has no call that connects
 * one, so a `connect()` on it dials a new socket and closes the descriptor's:
 * what Bun's own node:net does too. The descriptor's local end (a bound path
 * or port) is not kept, unlike on Node (README, "What differs per runtime").
 */
class _FdConn extends Conn {
  toBound(): BoundHandle {
    return new _FdBound(this);
  }
}

/** The descriptor of an `_FdConn` until a dial replaces it. */
class _FdBound implements BoundHandle {
  readonly #conn: _FdConn;
  readonly #address: AddressInfo | string;
  /** The descriptor, read while the socket is open (Bun's socket names the one it was given). */
  readonly #fd: number;

  constructor(conn: _FdConn) {
    this.#conn = conn;
    this.#fd = conn.fd();
    const s = conn.sock as { localAddress?: string; localPort?: number } | null;
    this.#address = typeof s?.localPort === "number"
      ? ipInfo(s.localAddress, s.localPort) ?? ""
      : "";
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  fd(): number {
    return this.#fd;
  }

  close(): void {
    this.#conn.close(noop);
  }

  listen(backlog: number, events: ListenerEvents, cb: ListenCallback): void {
    _listenFd(this.#fd, backlog, events, cb);
  }

  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
    this.close();
    return dialTcp(req, cb);
  }

  connectUnix(path: string, cb: ConnectCallback): Dial {
    this.close();
    return dialUnix(path, cb);
  }
}

function _onFdOpen(s: BunSocket): void {
  const o = s.data as _FdOpening;
  // Bun knows addresses only for TCP; a Unix socket's ends stay unnamed.
  let c: Conn;
  if (s.remotePort === undefined) {
    c = new _FdConn();
    c.localEnd = c.remoteEnd = UNNAMED;
  } else {
    c = new TcpConn();
    c.nagleDue = c.nagle = true;
  }
  c.sock = s;
  s.data = c;
  o.conn = c;
  c._syncRef();
}

function _onFdError(s: BunSocket | undefined, err: BunError): void {
  const o = s?.data as _FdOpening | undefined;
  if (o !== undefined) o.err = err;
}

const _FD_HANDLERS = { ...ACCEPT_HANDLERS, open: _onFdOpen, connectError: _onFdError };

/**
 * Wraps an inherited connected socket, or a pipe. Bun's `connect({ fd })` only
 * takes sockets: a pipe would open as a dead socket (ENOTSOCK on first use),
 * so it goes through `Bun.file(fd)` (./pipe.ts); anything else that is not a
 * socket is Node's ERR_INVALID_FD_TYPE.
 */
function _openFd(fd: number): StreamHandle {
  const type = fdType(fd);
  if (type === "PIPE") return openPipeFd(fd);
  if (type !== "SOCKET") throw errInvalidFdType(type);
  const o: _FdOpening = { conn: null, err: null };
  // Bun opens an fd socket synchronously inside connect(); the promise adds nothing.
  bunApi().connect({ fd, data: o, socket: _FD_HANDLERS, allowHalfOpen: true }).catch(noop);
  if (o.conn !== null) return o.conn;
  throw systemError({ code: o.err?.code ?? "EBADF", syscall: "open", cause: o.err ?? undefined });
}

const _FEATURES: TransportFeatures = Object.freeze({
  reusePort: true,
  ipv6Only: true,
  // Bun.listen takes no backlog; the runtime's own value is used.
  backlog: false,
  keepAliveDelay: true,
  localBind: true,
  // Bun's sockets set IP_TOS (setTypeOfService) since Bun 1.3.
  typeOfService: true,
  // Connections upgrade with Bun's own TLS (socket.upgradeTLS): tls.ts.
  nativeTls: true,
  nativeStreamHandles: true,
});

/**
 * Creates the transport that runs sockets on Bun's native `Bun.connect` /
 * `Bun.listen`. Only call it on Bun: `Bun` is read when a socket is made.
 *
 * @returns The Bun transport.
 * @example
 * ```ts
 * import { createBunTransport } from "./mod.ts";
 * const transport = createBunTransport();
 * console.log(transport.name, transport.features.backlog);
 * ```
 */
export function createBunTransport(): Transport {
  return {
    name: "bun",
    features: _FEATURES,
    connectTcp: dialTcp,
    connectUnix: dialUnix,
    listenTcp: _listenTcp,
    listenUnix: _listenUnix,
    listenFd: _listenFd,
    openFd: _openFd,
    dialHandle,
    dropDialHandle,
  };
}
