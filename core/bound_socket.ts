/**
 * `net.BoundSocket` (Node 24.21 and 26.10): a socket bound in its
 * constructor, before anything listens or connects on it, then adopted by
 * exactly one `server.listen(bound)` or `new Socket({ handle: bound })`.
 *
 * Node's rules live here, once: option validation (a numeric IP only, no
 * DNS; `path` excludes the TCP options; an abstract path only on Linux), the
 * synchronous bind error, ownership (after adoption or `close()` the object
 * throws `ERR_SOCKET_HANDLE_ADOPTED`, `[Symbol.dispose]()` does nothing), and
 * what an adopting Socket does: it dials from the bound endpoint (no
 * `localAddress`/`localPort`, no Happy Eyeballs) and reports that endpoint
 * as its local end. The bind itself is the adapter's (`Transport.bindTcp`,
 * `bindUnix`); where the runtime cannot hold a socket that is bound only,
 * `core/features.ts` raises `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`.
 * @module
 */
import type {
  AddressInfo,
  BoundHandle,
  ConnectCallback,
  Dial,
  TcpConnectRequest,
  Transport,
} from "../runtimes/types.ts";
import { getTransport } from "../runtimes/mod.ts";
import {
  codedError,
  errFeatureUnavailable,
  errInvalidArgValue,
  type SystemError,
} from "./errors.ts";
import { nativeBound, type NativeBoundFacts } from "../runtimes/node/native_bound.ts";
import { checkBoundSocket } from "./features.ts";
import { isIP } from "./ip.ts";
import { reshape } from "./sys_errors.ts";
import { validateBoolean, validateObject, validatePort, validateString } from "./validators.ts";

/** Options of `new net.BoundSocket()`: a TCP endpoint, or a Unix socket `path`. */
export interface BoundSocketOptions {
  /** Local IP to bind, a numeric literal (no DNS). Default `'0.0.0.0'`, or `'::'` with `ipv6Only`. */
  host?: string | undefined;
  /** Local port; 0 (the default) lets the system pick one. */
  port?: number | undefined;
  /** Sets `IPV6_V6ONLY` (an IPv6 bind accepts no IPv4). Default `false`. */
  ipv6Only?: boolean | undefined;
  /** Sets `SO_REUSEPORT`. Default `false`. */
  reusePort?: boolean | undefined;
  /** A Unix socket path instead of a TCP endpoint (a leading `'\0'`: Linux's abstract namespace). */
  path?: string | undefined;
}

const _EMPTY: BoundSocketOptions = Object.freeze({});

function _errAdopted(): Error {
  return codedError(
    "ERR_SOCKET_HANDLE_ADOPTED",
    "The bound socket has already been adopted by a server or socket",
  );
}

let _take: (bound: BoundSocket) => BoundHandle;
let _peek: (bound: BoundSocket) => BoundHandle | null;
let _pathOf: (bound: BoundSocket) => string | undefined;

/**
 * A socket bound synchronously to a local TCP endpoint or Unix socket path,
 * for `server.listen(bound)` (a port reserved before listening) or
 * `new net.Socket({ handle: bound })` (a chosen egress address and port).
 * Adoption transfers the socket; one never adopted must be closed.
 * @example
 * ```ts
 * import net from "@omninet/net";
 * const bound = new net.BoundSocket({ host: "127.0.0.1" });
 * console.log(`reserved port ${bound.address().port}`);
 * net.createServer((s) => s.end("hi\n")).listen(bound);
 * ```
 */
export class BoundSocket extends Object {
  #handle: BoundHandle | null;
  #path: string | undefined;

  static {
    _take = (bound) => {
      const h = bound.#handle;
      if (h === null) throw _errAdopted();
      bound.#handle = null;
      return h;
    };
    _peek = (bound) => bound.#handle;
    _pathOf = (bound) => bound.#path;
  }

  /**
   * Binds now: errors such as `EADDRINUSE` are thrown from here.
   * @param options `host`/`port`/`ipv6Only`/`reusePort`, or `path`
   */
  constructor(options: BoundSocketOptions = _EMPTY) {
    super();
    validateObject(options, "options");
    const opts = options as Record<string, unknown>;
    if (opts.path !== undefined) {
      this.#handle = _bindPath(opts);
      this.#path = opts.path as string;
      return;
    }
    const port = validatePort(opts.port ?? 0, "options.port");
    const ipv6Only = opts.ipv6Only ?? false;
    validateBoolean(ipv6Only, "options.ipv6Only");
    const reusePort = opts.reusePort ?? false;
    validateBoolean(reusePort, "options.reusePort");
    let host = opts.host;
    if (host == null) {
      host = ipv6Only ? "::" : "0.0.0.0";
    } else {
      validateString(host, "options.host");
      if (isIP(host) === 0) {
        throw errInvalidArgValue(
          "options.host",
          host,
          "must be a numeric IP address; net.BoundSocket does not perform DNS resolution",
        );
      }
    }
    const transport = getTransport();
    checkBoundSocket(transport, { ipv6Only, reusePort, address: host as string });
    this.#handle = transport.bindTcp!({ address: host as string, port, ipv6Only, reusePort });
  }

  /**
   * The bound endpoint: `{ address, family, port }` (the port the system
   * picked for 0), or the path string for a Unix socket, as
   * `server.address()` reports them.
   * @returns the bound endpoint
   * @throws `ERR_SOCKET_HANDLE_ADOPTED` once adopted or closed
   */
  address(): AddressInfo {
    if (this.#handle === null) throw _errAdopted();
    return this.#handle.address() as AddressInfo;
  }

  /**
   * The socket's file descriptor, still owned by this object (do not close
   * it); -1 where the runtime exposes none.
   * @returns the descriptor
   * @throws `ERR_SOCKET_HANDLE_ADOPTED` once adopted or closed
   */
  fd(): number {
    if (this.#handle === null) throw _errAdopted();
    return this.#handle.fd();
  }

  /**
   * Releases a socket that was never adopted (a Unix socket's file is removed).
   * @throws `ERR_SOCKET_HANDLE_ADOPTED` once adopted or closed
   */
  close(): void {
    if (this.#handle === null) throw _errAdopted();
    this.#handle.close();
    this.#handle = null;
  }

  /** `using bound = new BoundSocket()`: closes it unless adopted or closed already. */
  [Symbol.dispose](): void {
    if (this.#handle === null) return;
    this.#handle.close();
    this.#handle = null;
  }

  /** Whether this is a Unix socket bind (`path`) rather than TCP. */
  get isPipe(): boolean {
    return this.#path !== undefined;
  }
}

/**
 * The base of omninet's BoundSocket. Where the runtime's `node:net` has a
 * BoundSocket, omninet's passes for one: its prototype chain goes through
 * node:net's (so `instanceof net.BoundSocket` holds for node:net's own code:
 * a node:net Server or Socket adopts it, Node 26's `child_process` sends it)
 * and it answers the symbols node:net calls (below). Where node:net's can be
 * moved to worker threads (Node 26.10+), each one is built on an object
 * node:net's constructor marked as transferable (it binds nothing for it).
 */
class _BoundSocketBase {
  constructor() {
    const shell = _native?.shell;
    if (shell) return Object.setPrototypeOf(shell(), new.target.prototype) as _BoundSocketBase;
  }
}

const _native = nativeBound();
// `super()` runs _BoundSocketBase (a parent set here, so that the public class names no private one).
Object.setPrototypeOf(BoundSocket, _BoundSocketBase);
Object.setPrototypeOf(BoundSocket.prototype, _BoundSocketBase.prototype);
if (_native !== null) {
  Object.setPrototypeOf(_BoundSocketBase.prototype, _native.Class.prototype);
  _answerNative(_native);
}

function _errNotTransferable(): Error {
  return codedError(
    "ERR_WORKER_HANDLE_NOT_TRANSFERABLE",
    "net.BoundSocket cannot be transferred in its current state; it must be a freshly " +
      "created or accepted handle that has not started reading and has no pending writes",
  );
}

/**
 * The runtime handle under an omninet BoundSocket, for node:net's code:
 * taken out of it when `take` is set (the BoundSocket is adopted from then
 * on), else left in place. `tcpOnly`: for worker messaging and
 * `child_process`, which move TCP handles only.
 */
function _nativeOf(bound: BoundSocket, tcpOnly: boolean, take: boolean): object {
  const h = _peek(bound);
  if (tcpOnly && (h === null || h.release === undefined || bound.isPipe)) {
    throw _errNotTransferable();
  }
  if (h === null) throw _errAdopted();
  if (h.release === undefined || h.nativeHandle === undefined) {
    throw errFeatureUnavailable("node:net adopting omninet's net.BoundSocket", getTransport().name);
  }
  return take ? _take(bound).release!() : h.nativeHandle();
}

// Node's node:net code calls these on a BoundSocket, under its own symbols; omninet's answer
// them itself (node:net's read its private fields, which omninet's objects lack).
function _answerNative(native: NativeBoundFacts): void {
  const methods: Record<symbol, unknown> = {};
  methods[native.consume] = function (this: BoundSocket): object {
    return _nativeOf(this, false, true);
  };
  Object.defineProperty(BoundSocket.prototype, native.path, {
    configurable: true,
    get(this: BoundSocket): string | undefined {
      return _pathOf(this);
    },
  });
  if (native.transferList !== undefined) {
    methods[native.transferList] = function (this: BoundSocket): object[] {
      return [_nativeOf(this, true, false)];
    };
  }
  if (native.transfer !== undefined) {
    methods[native.transfer] = function (this: BoundSocket): object {
      // Node's messaging takes the handle over; this BoundSocket is adopted from now on.
      return {
        data: { handle: _nativeOf(this, true, true) },
        deserializeInfo: "net:_TransferredBoundSocket",
      };
    };
  }
  if (native.deserialize !== undefined) {
    // Only node:net's own bound sockets are rebuilt on the receiving side.
    methods[native.deserialize] = function (): never {
      throw _errNotTransferable();
    };
  }
  for (const sym of Object.getOwnPropertySymbols(methods)) {
    Object.defineProperty(BoundSocket.prototype, sym, {
      configurable: true,
      writable: true,
      value: methods[sym],
    });
  }
}

function _bindPath(opts: Record<string, unknown>): BoundHandle {
  const { path, host, port, ipv6Only, reusePort } = opts;
  if (
    host !== undefined || port !== undefined || ipv6Only !== undefined || reusePort !== undefined
  ) {
    throw errInvalidArgValue(
      "options",
      opts,
      "path is mutually exclusive with host, port, ipv6Only, and reusePort",
    );
  }
  validateString(path, "options.path");
  if (path[0] === "\0" && process.platform !== "linux") {
    throw errInvalidArgValue(
      "options.path",
      path,
      "abstract socket paths are only supported on Linux",
    );
  }
  const transport = getTransport();
  checkBoundSocket(transport, {});
  try {
    return transport.bindUnix!(path);
  } catch (err) {
    // libuv reports a missing directory as EACCES (some runtimes say ENOENT).
    const e = err as SystemError;
    if (e?.code === "ENOENT") throw reshape(e, { code: "EACCES", syscall: "bind" });
    throw err;
  }
}

/**
 * Takes the socket out of a `BoundSocket` for the server or socket adopting it.
 * @param bound the BoundSocket
 * @returns its bound handle, which the caller owns from now on
 * @throws `ERR_SOCKET_HANDLE_ADOPTED` when adopted or closed already
 * @example
 * ```ts
 * const handle = takeBound(new BoundSocket());
 * ```
 */
export function takeBound(bound: BoundSocket): BoundHandle {
  return _take(bound);
}

/**
 * Takes the bound socket out of what `server.listen()` was given
 * (`listen(bound)` or `listen({ handle: bound })`): an omninet BoundSocket,
 * or the runtime's own `node:net` one (such as a child process received).
 * @param given the normalised first argument of `listen()`
 * @returns its bound handle, which the caller owns from now on, or `null`
 * @throws `ERR_SOCKET_HANDLE_ADOPTED` when that BoundSocket was adopted or closed already
 * @example
 * ```ts
 * takeBoundListenArg({ handle: new BoundSocket() }); // its handle
 * ```
 */
export function takeBoundListenArg(given: unknown): BoundHandle | null {
  return _takeBoundArg(given) ?? _takeBoundArg((given as { handle?: unknown } | null)?.handle);
}

function _takeBoundArg(value: unknown): BoundHandle | null {
  if (value instanceof BoundSocket) return takeBound(value);
  if (_native === null || !(value instanceof _native.Class)) return null;
  const transport = getTransport();
  if (transport.adoptBound === undefined) {
    throw errFeatureUnavailable("adopting node:net's own net.BoundSocket", transport.name);
  }
  return transport.adoptBound(value);
}

// ---- a Socket that adopted a BoundSocket --------------------------------

/** What a socket keeps of the BoundSocket it adopted. */
interface _Source {
  /** The bound socket until a dial takes it (or the socket is destroyed). */
  handle: BoundHandle | null;
  /** The bound endpoint: the socket's local end until it is connected. */
  local: AddressInfo | string;
}

// Kept outside the Socket so sockets that never adopt one carry nothing for it;
// until a first adoption, the socket's calls here return without a lookup.
const _sources = new WeakMap<object, _Source>();
let _used = false;

/**
 * `new Socket({ handle })`: adopts `value` when it is a BoundSocket,
 * omninet's or the runtime's `node:net`'s (other values are left to the
 * caller: a connected stream handle).
 * @param socket the new Socket
 * @param value the `handle` option
 * @returns whether `value` was a BoundSocket, now adopted
 * @throws `ERR_SOCKET_HANDLE_ADOPTED` when that BoundSocket was adopted or closed already
 * @example
 * ```ts
 * adoptBoundSource(socket, new BoundSocket({ host: "127.0.0.1" }));
 * ```
 */
export function adoptBoundSource(socket: object, value: unknown): boolean {
  const handle = _takeBoundArg(value);
  if (handle !== null) adoptBoundHandle(socket, handle);
  return handle !== null;
}

/**
 * From now on `socket` dials over `handle`: a BoundSocket's it adopted, or the
 * socket of its `fd` that is to be connected (see `StreamHandle.toBound`).
 * @param socket the Socket
 * @param handle the bound socket
 * @example
 * ```ts
 * const bound = handle.toBound?.();
 * if (bound) adoptBoundHandle(socket, bound);
 * ```
 */
export function adoptBoundHandle(socket: object, handle: BoundHandle): void {
  _used = true;
  _sources.set(socket, { handle, local: handle.address() });
}

/** How a socket with an adopted BoundSocket dials: over it, once. */
export interface BoundDial {
  /** The bound socket is a Unix one: `connect()` needs a `path`. */
  pipe: boolean;
  /** The connect options, with Happy Eyeballs off (one family: the bound one). */
  options: Record<string, unknown>;
  /** A transport whose first dial goes out through the bound socket. */
  transport: Transport;
}

/**
 * The plan for `socket.connect(options)` when the socket holds an unused
 * adopted BoundSocket; Node's checks for it are thrown from here.
 * @param socket the connecting Socket
 * @param options the normalised connect options
 * @returns the plan, or `null` for an ordinary connect
 * @example
 * ```ts
 * const via = boundDial(socket, { port: 80, host: "127.0.0.1" });
 * ```
 */
export function boundDial(socket: object, options: Record<string, unknown>): BoundDial | null {
  if (!_used) return null;
  const source = _sources.get(socket);
  if (source === undefined || source.handle === null) return null;
  const pipe = typeof source.local === "string";
  if (pipe) {
    validateString(options.path, "options.path");
  } else if (options.localAddress !== undefined || options.localPort !== undefined) {
    throw errInvalidArgValue(
      "options",
      options,
      "localAddress and localPort cannot be used with an adopted bound socket",
    );
  }
  const real = getTransport();
  const take = (): BoundHandle | null => {
    const h = source.handle;
    source.handle = null;
    return h;
  };
  const transport: Transport = {
    ...real,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      const h = take();
      return h === null ? real.connectTcp(req, cb) : h.connectTcp(req, cb);
    },
    connectUnix(path: string, cb: ConnectCallback): Dial {
      const h = take();
      return h === null ? real.connectUnix(path, cb) : h.connectUnix(path, cb);
    },
  };
  return { pipe, options: pipe ? options : { ...options, autoSelectFamily: false }, transport };
}

/**
 * The local end a socket reports while it has no connected handle: the
 * adopted BoundSocket's endpoint (Node reads it from the bound socket).
 * @param socket the Socket
 * @returns the bound endpoint, or `null`
 * @example
 * ```ts
 * boundLocal(socket); // { address: "127.0.0.1", family: "IPv4", port: 40000 }
 * ```
 */
export function boundLocal(socket: object): AddressInfo | string | null {
  return _used ? _sources.get(socket)?.local ?? null : null;
}

/**
 * Whether the socket holds an adopted BoundSocket it has not dialled from:
 * Node's socket has a handle then (`pending` is false, and `'close'` gets
 * `hadError` when destroyed).
 * @param socket the Socket
 * @returns `true` while the bound socket waits for `connect()`
 * @example
 * ```ts
 * holdsBound(new Socket({ handle: new BoundSocket() })); // true
 * ```
 */
export function holdsBound(socket: object): boolean {
  return _used && (_sources.get(socket)?.handle ?? null) !== null;
}

/**
 * The socket is being destroyed: a BoundSocket it adopted but never dialled
 * from is closed (a TCP one is forgotten; a Unix one's path stays its
 * `localAddress`, as in Node).
 * @param socket the Socket
 * @example
 * ```ts
 * releaseBoundSource(socket);
 * ```
 */
export function releaseBoundSource(socket: object): void {
  if (!_used) return;
  const source = _sources.get(socket);
  if (source === undefined) return;
  source.handle?.close();
  source.handle = null;
  if (typeof source.local !== "string") _sources.delete(socket);
}
