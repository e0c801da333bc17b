/**
 * `net.BoundSocket` on the handles: a TCP or Pipe handle that `bind()`
 * reserved and that later listens or connects, as Node 26's own does.
 *
 * libuv keeps some bind errors (`EADDRINUSE`) for the next call on the
 * handle; asking for the bound address at once brings them out inside the
 * constructor, as Node does. A bound Pipe handle has a descriptor but is not
 * opened for reading and writing until `open(fd)` (libuv's bind only sets
 * the descriptor), so a client connect reopens it first. Closing a Pipe
 * handle removes its socket file (libuv unlinks the bound path).
 *
 * The dial and listen steps shared with ordinary handles come from `mod.ts`
 * as `BoundOps`, so this file stays free of an import cycle.
 * @module
 */
import { constants as osConstants } from "node:os";
import { failedDial } from "../../core/sys_errors.ts";
import type {
  AddressInfo,
  BoundHandle,
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  TcpBindRequest,
  TcpConnectRequest,
} from "../types.ts";
import { endpointOf, type RawServer, type RawStream, uv, uvError } from "./bindings.ts";

/** What `mod.ts` lends this file: its dial and listen steps on a given handle. */
export interface BoundOps {
  /** Listens on `h`; `path` for a Unix socket. */
  listen(
    h: RawServer,
    backlog: number,
    events: ListenerEvents,
    cb: ListenCallback,
    path?: string,
  ): void;
  /** Connects `h` over TCP. */
  dialTcp(h: RawStream, req: TcpConnectRequest, cb: ConnectCallback): Dial;
  /** Connects `h` to a Unix socket path. */
  dialUnix(h: RawStream, path: string, cb: ConnectCallback): Dial;
  /** The adapter's correction of a bind status (Deno's EINVAL for EADDRNOTAVAIL). */
  bindError(status: number, address: string): number;
}

type _Handle = RawStream & RawServer & { fd?: number; fdForIpc?(): number };

/** A bound handle behind the BoundHandle contract. */
class _UvBound implements BoundHandle {
  readonly #h: _Handle;
  readonly #address: AddressInfo | string;
  readonly #ops: BoundOps;
  /** A descriptor's socket is opened already (see `descriptorBound`). */
  readonly #opened: boolean;
  #dup: number | undefined;

  constructor(h: _Handle, address: AddressInfo | string, ops: BoundOps, opened = false) {
    this.#h = h;
    this.#address = address;
    this.#ops = ops;
    this.#opened = opened;
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  fd(): number {
    const h = this.#h;
    if (typeof h.fd === "number") return h.fd;
    // Deno's TCP handles have no fd; fdForIpc() hands out a duplicate of the
    // descriptor (a new one each call): one is kept, and closed when the
    // socket is closed or adopted, so it never holds the port afterwards.
    if (typeof h.fdForIpc !== "function") return -1;
    return this.#dup ??= h.fdForIpc();
  }

  #dropDup(): void {
    if (this.#dup === undefined) return;
    // Deno's node:fs closes its own resource ids, not raw descriptors: a
    // handle opened on the duplicate closes it.
    const t = new uv.TCP(uv.tcp.SOCKET);
    if (t.open!(this.#dup) === 0) t.close();
    this.#dup = undefined;
  }

  close(): void {
    this.#dropDup();
    this.#h.close();
  }

  listen(backlog: number, events: ListenerEvents, cb: ListenCallback): void {
    this.#dropDup();
    const path = typeof this.#address === "string" ? this.#address : undefined;
    this.#ops.listen(this.#h, backlog, events, cb, path);
  }

  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
    this.#dropDup();
    return this.#ops.dialTcp(this.#h, req, cb);
  }

  nativeHandle(): object {
    return this.#h;
  }

  release(): object {
    this.#dropDup();
    return this.#h;
  }

  connectUnix(path: string, cb: ConnectCallback): Dial {
    this.#dropDup();
    const h = this.#h;
    const fd = typeof h.fd === "number" && !this.#opened ? h.fd : -1;
    const err = fd >= 0 && h.open ? h.open(fd) : 0;
    if (err < 0) {
      h.close();
      return failedDial(uvError(err, "open"), cb);
    }
    return this.#ops.dialUnix(h, path, cb);
  }
}

/**
 * Binds a TCP handle for `net.BoundSocket`; throws the bind's system error.
 * @param req the numeric IP, port and flags
 * @param ops the adapter's dial and listen steps
 * @param retry how often a bind Deno lost to a race (see below) is tried again
 * @returns the bound handle
 * @example
 * ```ts
 * const bound = bindTcp({ address: "127.0.0.1", port: 0, ipv6Only: false, reusePort: false }, ops);
 * ```
 */
export function bindTcp(req: TcpBindRequest, ops: BoundOps, retry = 1): BoundHandle {
  const h = new uv.TCP(uv.tcp.SOCKET) as unknown as _Handle & InstanceType<typeof uv.TCP>;
  const flags = (req.ipv6Only ? uv.tcp.UV_TCP_IPV6ONLY : 0) |
    (req.reusePort ? uv.tcp.UV_TCP_REUSEPORT ?? 0 : 0);
  let err = ops.bindError(
    req.address.includes(":")
      ? h.bind6(req.address, req.port, flags)
      : flags !== 0 && h.bindWithFlags
      ? h.bindWithFlags(req.address, req.port, flags)
      : h.bind(req.address, req.port, flags),
    req.address,
  );
  const out: Record<string, unknown> = {};
  if (err === 0) err = h.getsockname!(out);
  // Deno's handles keep a failed bind to themselves (bind and getsockname
  // answer 0, the socket stays unbound, port 0) and report it from listen():
  // only on such a socket, listen() names the error.
  if (err === 0 && uv.deno && out.port === 0) {
    err = h.listen(1);
    if (err === 0) {
      h.close();
      return retry > 0 ? bindTcp(req, ops, retry - 1) : _unbound(req);
    }
  }
  const address = err === 0 ? endpointOf(out) : null;
  if (address === null) {
    h.close();
    throw uvError(err < 0 ? err : -22, "bind", req.address, req.port);
  }
  return new _UvBound(h, address, ops);
}

/**
 * Binds a Pipe handle to a Unix socket path for `net.BoundSocket`; throws
 * the bind's system error (`bind EADDRINUSE`, no path in it, as Node).
 * @param path the socket path (a leading NUL: Linux's abstract namespace)
 * @param ops the adapter's dial and listen steps
 * @returns the bound handle
 * @example
 * ```ts
 * const bound = bindUnix("/tmp/app.sock", ops);
 * ```
 */
export function bindUnix(path: string, ops: BoundOps): BoundHandle {
  const h = new uv.Pipe(uv.pipe.SOCKET) as unknown as _Handle & InstanceType<typeof uv.Pipe>;
  const err = h.bind(path);
  if (err < 0) {
    h.close();
    throw uvError(err, "bind");
  }
  return new _UvBound(h, path, ops);
}

let _descriptorOps: BoundOps | null = null;

/**
 * Lends `descriptorBound` the adapter's dial and listen steps (`mod.ts` does,
 * when it creates the transport).
 * @param ops the adapter's steps
 * @example
 * ```ts
 * lendDescriptorOps(ops);
 * ```
 */
export function lendDescriptorOps(ops: BoundOps): void {
  _descriptorOps = ops;
}

/**
 * A handle opened on a descriptor (`net.Socket({ fd })`), as the bound
 * socket a `connect()` dials from: Node connects that descriptor itself.
 * @param h the opened TCP or Pipe handle, no longer read by anyone
 * @param local its local end: the TCP endpoint, or "" for a Unix socket
 * @returns the bound handle, or `null` before the transport lent its steps
 * @example
 * ```ts
 * const bound = descriptorBound(h, "");
 * ```
 */
export function descriptorBound(h: RawStream, local: AddressInfo | string): BoundHandle | null {
  if (_descriptorOps === null) return null;
  return new _UvBound(h as _Handle, local, _descriptorOps, true);
}

/**
 * Takes over the handle of a BoundSocket of the runtime's own `node:net`
 * (Node 24.21+: one a child process or worker received) through the
 * symbols node:net's own adopters use (see `nativeBound()`).
 * @param bound node:net's BoundSocket
 * @param consume the symbol of its method that hands the handle out
 * @param pathOf the symbol of its getter for a Unix socket's path
 * @param ops the adapter's dial and listen steps
 * @returns the bound handle
 * @throws node:net's `ERR_SOCKET_HANDLE_ADOPTED` when adopted or closed already
 * @example
 * ```ts
 * const handle = adoptNodeBound(received, facts.consume, facts.path, ops);
 * ```
 */
export function adoptNodeBound(
  bound: object,
  consume: symbol,
  pathOf: symbol,
  ops: BoundOps,
): BoundHandle {
  const b = bound as Record<symbol, unknown>;
  const path = b[pathOf] as string | undefined;
  const h = (b[consume] as () => _Handle).call(bound);
  if (path !== undefined) return new _UvBound(h, path, ops);
  const out: Record<string, unknown> = {};
  const err = h.getsockname!(out);
  const address = err === 0 ? endpointOf(out) : null;
  if (address === null) {
    h.close();
    throw uvError(err < 0 ? err : -22, "getsockname");
  }
  return new _UvBound(h, address, ops);
}

// The port was taken and freed again between bind and listen, twice.
function _unbound(req: TcpBindRequest): never {
  throw uvError(-osConstants.errno.EADDRINUSE, "bind", req.address, req.port);
}
