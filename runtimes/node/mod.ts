/**
 * The `node:net` adapter: used on Node, and on Deno and Bun when
 * `OMNINET_TRANSPORT=node` forces it.
 *
 * Inner sockets are created paused (dialled ones are paused before
 * connecting, accepted ones come from a `pauseOnConnect` server) and only
 * flow between `readStart()` and `readStop()`, so a stopped handle leaves
 * bytes in the kernel. Every runtime error is rebuilt with `systemError()`,
 * which also repairs runtimes whose `node:net` gets details wrong (see
 * `_fixup`). Options a runtime's `node:net` would silently ignore throw
 * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` instead.
 * @module
 */
import { createServer, type Server, Socket } from "node:net";
import process from "node:process";
import { errFeatureUnavailable, type SystemError, systemError } from "../../core/errors.ts";
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  Endpoint,
  HandleEvents,
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
import { fixedLocal, ipEndpoint, knownPeer } from "../_shared.ts";

type _Cb = (err?: SystemError | null) => void;

/** Runtime error fields as the inner `node:net` reports them. */
interface _RawError {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
}

/** Where an error happened: the syscall and endpoint the adapter was working on. */
interface _Where {
  syscall: string;
  address?: string;
  port?: number;
  /** The local address a dial binds, if any. */
  localAddress?: string;
  /** A Unix socket path is being listened on. */
  unixListen?: boolean;
}

const _onDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const _onBun = (globalThis as { Bun?: unknown }).Bun !== undefined;

/** Repairs codes and syscalls some runtimes' node:net get wrong. */
function _fixup(code: string, syscall: string, where: _Where): [string, string] {
  // Bun blames EPIPE on `read`; a broken pipe only ever shows on a write.
  if (code === "EPIPE") return [code, "write"];
  // Deno's node:net reports EADDRNOTAVAIL from bind() as EINVAL.
  if (
    _onDeno && code === "EINVAL" && (syscall === "listen" || syscall === "bind") &&
    !where.unixListen && !/^fe80:/i.test(where.localAddress ?? where.address ?? "")
  ) return ["EADDRNOTAVAIL", syscall];
  return [code, syscall];
}

function _mapError(raw: unknown, where: _Where): SystemError {
  const e = (raw ?? {}) as _RawError;
  const [code, syscall] = _fixup(
    typeof e.code === "string" ? e.code : "EIO",
    typeof e.syscall === "string" ? e.syscall : where.syscall,
    where,
  );
  const stream = syscall === "read" || syscall === "write" || syscall === "shutdown";
  return systemError({
    code,
    syscall,
    address: stream ? undefined : where.address,
    port: stream ? undefined : where.port,
    cause: raw,
  });
}

/** A connected `node:net` socket behind the StreamHandle contract. */
class _NodeStream implements StreamHandle {
  protected readonly sock: Socket;
  #events: HandleEvents | null = null;
  #closed = false;
  #released = false;
  #reading = false;
  // Bytes or EOF a runtime emitted while we were not reading (Bun emits
  // 'end' on a paused socket); delivered in order on the next readStart().
  #held: Uint8Array[] | null = null;
  #heldEnd = false;
  #flushQueued = false;
  #error: SystemError | null = null;
  #writeCb: _Cb | null = null;
  #shutdownCb: _Cb | null = null;
  #closeCbs: Array<() => void> | null = null;
  #local: Endpoint | undefined;
  #remote: Endpoint | undefined;
  readonly #unixLocal: string | undefined;
  readonly #unixRemote: string | undefined;
  readonly #tcp: boolean;

  constructor(
    sock: Socket,
    unixLocal?: string,
    unixRemote?: string,
    knownLocal?: AddressInfo,
    knownRemote?: AddressInfo,
  ) {
    this.sock = sock;
    this.#unixLocal = unixLocal;
    this.#unixRemote = unixRemote;
    this.#tcp = unixLocal === undefined && unixRemote === undefined;
    // Ends the caller already knows cost no getsockname/getpeername syscall.
    this.#local = knownLocal;
    this.#remote = knownRemote;
    sock.on("data", this.#onData);
    sock.on("end", this.#onEnd);
    sock.on("drain", this.#onDrain);
    sock.on("finish", this.#onFinish);
    sock.on("error", this.#onError);
    sock.on("close", this.#onClose);
    if (this.#tcp) {
      // Read while connected: once both FINs are exchanged or the peer reset,
      // the kernel no longer names the ends. #release would ask anyway.
      this.localAddress();
      this.remoteAddress();
    }
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed) return;
    this.#reading = true;
    if (this.#held === null && !this.#heldEnd) return void this.sock.resume();
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
    this.sock.pause();
  }

  write(chunk: Uint8Array, cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    if (chunk.length === 0 || this.sock.write(chunk)) cb();
    else this.#writeCb = cb;
  }

  writev(chunks: Uint8Array[], cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    // Corked writes reach the kernel as one writev() on uncork.
    const sock = this.sock;
    let ok = true;
    sock.cork();
    for (let i = 0; i < chunks.length; i++) {
      if (chunks[i].length > 0) ok = sock.write(chunks[i]);
    }
    sock.uncork();
    if (ok) cb();
    else this.#writeCb = cb;
  }

  shutdown(cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    this.#shutdownCb = cb;
    this.sock.end();
  }

  close(cb: () => void): void {
    this.#release(cb);
    if (!this.sock.destroyed) this.sock.destroy();
  }

  setNoDelay(enable: boolean): void {
    if (this.#tcp && !this.#closed) this.sock.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (this.#tcp && !this.#closed) this.sock.setKeepAlive(enable, initialDelayMs);
  }

  setTypeOfService(tos: number): string | null {
    const sock = this.sock as { setTypeOfService?(tos: number): unknown };
    if (this.#tcp && !this.#closed) sock.setTypeOfService?.(tos);
    return null;
  }

  getTypeOfService(): number | string {
    const sock = this.sock as { getTypeOfService?(): number };
    return this.#tcp && !this.#closed ? sock.getTypeOfService?.() ?? 0 : 0;
  }

  ref(): void {
    this.sock.ref();
  }

  unref(): void {
    this.sock.unref();
  }

  localAddress(): Endpoint {
    if (this.#unixLocal !== undefined) return this.#unixLocal;
    if (this.#local === undefined) {
      const a = this.sock.address() as Partial<AddressInfo>;
      this.#local = ipEndpoint(a.address, a.family, a.port);
    }
    return this.#local;
  }

  remoteAddress(): Endpoint {
    if (this.#unixRemote !== undefined) return this.#unixRemote;
    if (this.#remote === undefined) {
      const s = this.sock;
      this.#remote = ipEndpoint(s.remoteAddress, s.remoteFamily, s.remotePort);
    }
    return this.#remote;
  }

  /** Marks the handle closed and queues `cb` for the inner socket's release. */
  protected release(cb: () => void): void {
    this.#release(cb);
  }

  #release(cb: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#writeCb = this.#shutdownCb = null;
      // Addresses stay answerable after close, as Node's do.
      this.localAddress();
      this.remoteAddress();
    }
    if (this.#released) queueMicrotask(cb);
    else (this.#closeCbs ??= []).push(cb);
  }

  #failLater(cb: _Cb): void {
    queueMicrotask(() => {
      if (!this.#closed) cb(this.#error);
    });
  }

  #onData = (chunk: Uint8Array): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#events!.onData(chunk);
    else (this.#held ??= []).push(chunk);
  };

  #onEnd = (): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#events!.onEnd();
    else this.#heldEnd = true;
  };

  #flushHeld = (): void => {
    this.#flushQueued = false;
    const held = this.#held;
    while (held !== null && held.length > 0) {
      if (!this.#reading || this.#closed) return;
      this.#events!.onData(held.shift()!);
    }
    if (!this.#reading || this.#closed) return;
    this.#held = null;
    if (this.#heldEnd) {
      this.#heldEnd = false;
      return this.#events!.onEnd();
    }
    this.sock.resume();
  };

  #onDrain = (): void => {
    const cb = this.#writeCb;
    if (cb === null) return;
    this.#writeCb = null;
    cb();
  };

  #onFinish = (): void => {
    const cb = this.#shutdownCb;
    if (cb === null) return;
    this.#shutdownCb = null;
    cb();
  };

  #onError = (raw: unknown): void => {
    if (this.#closed || this.#error) return;
    const syscall = (raw as _RawError)?.syscall === "write" ? "write" : "read";
    const err = _mapError(raw, { syscall });
    this.#error = err;
    const w = this.#writeCb;
    const s = this.#shutdownCb;
    this.#writeCb = this.#shutdownCb = null;
    w?.(err);
    s?.(err);
    if (!this.#closed) this.#events?.onError(err);
  };

  #onClose = (): void => {
    this.#released = true;
    const cbs = this.#closeCbs;
    this.#closeCbs = null;
    if (cbs) { for (const cb of cbs) cb(); }
  };
}

/** A TCP socket: can also abort with a RST. */
class _NodeTcpStream extends _NodeStream {
  reset(cb: () => void): void {
    const sock = this.sock;
    this.release(cb);
    if (!sock.destroyed) sock.resetAndDestroy();
  }
}

const _canReset = typeof (Socket.prototype as { resetAndDestroy?: unknown }).resetAndDestroy ===
  "function";

function _wrap(sock: Socket, unixLocal?: string, unixRemote?: string): StreamHandle {
  const unix = unixLocal !== undefined || unixRemote !== undefined;
  return unix || !_canReset
    ? new _NodeStream(sock, unixLocal, unixRemote)
    : new _NodeTcpStream(sock);
}

/** Wraps a TCP socket whose local and/or remote end is already known. */
function _wrapTcp(sock: Socket, local?: AddressInfo, remote?: AddressInfo): StreamHandle {
  return _canReset
    ? new _NodeTcpStream(sock, undefined, undefined, local, remote)
    : new _NodeStream(sock, undefined, undefined, local, remote);
}

/** An outgoing connection attempt on a paused inner socket. */
class _NodeDial implements Dial {
  #sock: Socket;
  #cb: ConnectCallback | null;
  #where: _Where;
  #unixPath: string | undefined;
  #remote: AddressInfo | undefined;

  constructor(
    sock: Socket,
    cb: ConnectCallback,
    where: _Where,
    unixPath?: string,
    remote?: AddressInfo,
  ) {
    this.#sock = sock;
    this.#cb = cb;
    this.#where = where;
    this.#unixPath = unixPath;
    this.#remote = remote;
    sock.once("connect", this.#onConnect);
    sock.once("error", this.#onError);
  }

  cancel(): void {
    if (this.#cb === null) return;
    this.#cb = null;
    this.#sock.removeListener("connect", this.#onConnect);
    this.#sock.removeListener("error", this.#onError);
    this.#sock.on("error", _ignore);
    this.#sock.destroy();
  }

  /** Reports an error thrown by the connect call itself, asynchronously. */
  failLater(raw: unknown): void {
    queueMicrotask(() => this.#onError(raw));
  }

  #onConnect = (): void => {
    const cb = this.#cb;
    this.#sock.removeListener("error", this.#onError);
    if (cb === null) return void this.#sock.destroy();
    this.#cb = null;
    const sock = this.#sock;
    const path = this.#unixPath;
    cb(null, path === undefined ? _wrapTcp(sock, undefined, this.#remote) : _wrap(sock, "", path));
  };

  #onError = (raw: unknown): void => {
    const cb = this.#cb;
    this.#sock.removeListener("connect", this.#onConnect);
    this.#sock.destroy();
    if (cb === null) return;
    this.#cb = null;
    cb(_mapError(raw, this.#where));
  };
}

function _ignore(): void {}

// The values node:net's Socket constructor forces anyway, given up front: Node 20
// copies the options and then adds missing keys, which turns the copy into a
// slow dictionary object (~5 µs per socket); with the keys present it stays fast.
const _DIAL_SOCKET_OPTS = {
  allowHalfOpen: true,
  emitClose: false,
  autoDestroy: true,
  decodeStrings: false,
};

function _connect(
  opts: Record<string, unknown>,
  cb: ConnectCallback,
  where: _Where,
  unixPath?: string,
  remote?: AddressInfo,
): Dial {
  const sock = new Socket(_DIAL_SOCKET_OPTS);
  // Paused before connecting: no read starts until readStart().
  sock.pause();
  const dial = new _NodeDial(sock, cb, where, unixPath, remote);
  try {
    sock.connect(opts as { port: number });
  } catch (err) {
    dial.failLater(err);
  }
  return dial;
}

/** A listening `node:net` server behind the ListenerHandle contract. */
class _NodeListener implements ListenerHandle {
  #server: Server;
  #events: ListenerEvents;
  #path: string | undefined;
  #address: AddressInfo | string | undefined;
  #closed = false;
  /** Every accepted socket's local end, when bound to one address (not a wildcard). */
  readonly #acceptLocal: AddressInfo | undefined;

  constructor(server: Server, events: ListenerEvents, path?: string) {
    this.#server = server;
    this.#events = events;
    this.#path = path;
    this.#acceptLocal = path === undefined ? fixedLocal(this.address() as AddressInfo) : undefined;
    server.on("connection", this.#onConnection);
    server.on("error", this.#onError);
  }

  address(): AddressInfo | string {
    if (this.#address !== undefined) return this.#address;
    if (this.#path !== undefined) return (this.#address = this.#path);
    const a = this.#server.address() as AddressInfo;
    return (this.#address = { address: a.address, family: a.family, port: a.port });
  }

  close(cb: () => void): void {
    this.address();
    if (!this.#closed) {
      this.#closed = true;
      // The listening socket is released inside close(); the inner 'close'
      // event would also wait for accepted connections, which stay ours.
      this.#server.close();
    }
    queueMicrotask(cb);
  }

  ref(): void {
    this.#server.ref();
  }

  unref(): void {
    this.#server.unref();
  }

  #onConnection = (sock: Socket): void => {
    if (this.#closed) return void sock.destroy();
    const path = this.#path;
    this.#events.onConnection(
      path === undefined ? _wrapTcp(sock, this.#acceptLocal) : _wrap(sock, path, ""),
    );
  };

  #onError = (raw: unknown): void => {
    if (!this.#closed) this.#events.onError(_mapError(raw, { syscall: "accept" }));
  };
}

function _listen(
  opts: Record<string, unknown>,
  events: ListenerEvents,
  cb: ListenCallback,
  where: _Where,
  path?: string,
): void {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const onError = (raw: unknown) => {
    server.removeListener("listening", onListening);
    cb(_mapError(raw, where));
  };
  const onListening = () => {
    server.removeListener("error", onError);
    server.removeListener("listening", onListening);
    cb(null, new _NodeListener(server, events, path));
  };
  server.once("error", onError);
  server.once("listening", onListening);
  try {
    server.listen(opts);
  } catch (err) {
    queueMicrotask(() => onError(err));
    return;
  }
  // Without a host (and for paths) node:net binds inside listen(): hand the
  // listener back now, as the contract asks. Its own 'listening' event comes
  // a tick later; a bind error, likewise, only reaches 'error' then.
  if (server.listening) onListening();
}

function _runtimeName(): string {
  if (_onDeno) return "Deno's node:net";
  if (_onBun) return "Bun's node:net";
  return `Node.js ${process.version}`;
}

function _features(): TransportFeatures {
  const f = _baseFeatures();
  // node:net has setTypeOfService from Node 24.21 and in Bun; not in Node 20 or Deno.
  const proto = Socket.prototype as { setTypeOfService?: unknown };
  f.typeOfService = typeof proto.setTypeOfService === "function";
  return f;
}

function _baseFeatures(): TransportFeatures {
  if (_onDeno) {
    // Deno's node:net leaves '::' dual-stack whatever ipv6Only says.
    return {
      reusePort: true,
      ipv6Only: false,
      backlog: true,
      keepAliveDelay: true,
      localBind: true,
    };
  }
  if (_onBun) {
    // Bun's node:net listens with its own fixed backlog.
    return {
      reusePort: true,
      ipv6Only: true,
      backlog: false,
      keepAliveDelay: true,
      localBind: true,
    };
  }
  const [major, minor] = process.versions.node.split(".").map(Number);
  // reusePort arrived in Node 23.1 and 22.12; older versions ignore it.
  const reusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return { reusePort, ipv6Only: true, backlog: true, keepAliveDelay: true, localBind: true };
}

/**
 * Creates the `node:net` transport.
 * @returns a Transport backed by `node:net`
 * @example
 * ```ts
 * import { setTransport } from "../mod.ts";
 * setTransport(createNodeTransport());
 * ```
 */
export function createNodeTransport(): Transport {
  const features = _features();
  const transport: Transport = {
    name: "node",
    features,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      const opts: Record<string, unknown> = {
        host: req.address,
        port: req.port,
        family: req.family,
      };
      if (req.localAddress !== undefined) opts.localAddress = req.localAddress;
      if (req.localPort !== undefined) opts.localPort = req.localPort;
      return _connect(
        opts,
        cb,
        {
          syscall: "connect",
          address: req.address,
          port: req.port,
          localAddress: req.localAddress,
        },
        undefined,
        knownPeer(req),
      );
    },
    connectUnix(path: string, cb: ConnectCallback): Dial {
      return _connect({ path }, cb, { syscall: "connect", address: path }, path);
    },
    listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      const opts: Record<string, unknown> = {
        port: req.port,
        backlog: req.backlog,
        ipv6Only: req.ipv6Only,
      };
      // A host always costs node:net a lookup tick, even for an IP literal; the
      // IPv6 wildcard is what it binds without one, synchronously (falling
      // back to 0.0.0.0 on its own where IPv6 is missing). Node 20 drops
      // ipv6Only on that host-less path, so ipv6Only keeps the host.
      if (req.address !== "::" || req.ipv6Only) opts.host = req.address;
      if (req.reusePort) {
        if (!features.reusePort) throw errFeatureUnavailable("reusePort", _runtimeName());
        opts.reusePort = true;
      }
      // Only the IPv6 wildcard is dual-stack, so only there does ipv6Only matter.
      if (req.ipv6Only && req.address === "::" && !features.ipv6Only) {
        throw errFeatureUnavailable("ipv6Only", _runtimeName());
      }
      _listen(opts, events, cb, { syscall: "listen", address: req.address, port: req.port });
    },
    listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      const opts = { path: req.path, backlog: req.backlog };
      _listen(
        opts,
        events,
        cb,
        { syscall: "listen", address: req.path, unixListen: true },
        req.path,
      );
    },
  };
  // Bun's node:net accepts { fd } but never reads or writes through it.
  if (!_onBun) transport.openFd = _openFd;
  return transport;
}

function _openFd(fd: number): StreamHandle {
  // pauseOnCreate keeps Node from starting a read before readStart().
  const opts = { fd, allowHalfOpen: true, readable: true, writable: true, pauseOnCreate: true };
  const sock = new Socket(opts);
  sock.pause();
  // A TCP descriptor has a peer port; anything else is a pipe or Unix socket.
  return typeof sock.remotePort === "number" ? _wrap(sock) : _wrap(sock, "", "");
}
