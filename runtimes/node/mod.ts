/**
 * The `node:net` adapter: used on Node, and on Deno and Bun when
 * `OMNINET_TRANSPORT=node` forces it.
 *
 * Inner sockets are created paused (dialled ones are paused before
 * connecting, accepted ones come from a `pauseOnConnect` server) and only
 * flow between `readStart()` and `readStop()`, so a stopped handle leaves
 * bytes in the kernel. Every runtime error is rebuilt with `systemError()`,
 * which also repairs runtimes whose `node:net` gets details wrong (see
 * `errors.ts`). The connected socket lives in `stream.ts`; this file dials,
 * listens and wraps descriptors. What a runtime's `node:net` would silently ignore is marked
 * missing in `features`, and core's feature policy acts on it.
 * @module
 */
import { createServer, type Server, Socket } from "node:net";
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
import { type SystemError, systemError } from "../../core/errors.ts";
import { fdType } from "../../core/features.ts";
import { fixedLocal, ipEndpoint, knownPeer, passOn } from "../_shared.ts";
import { mapError, onBun, onDeno, type Where } from "./errors.ts";
import { lendDescriptorBound, socketFd, wrap, wrapTcp } from "./stream.ts";
import { nodeBinders, type NodeBoundOps } from "./bound.ts";
import { linkClusterLimit } from "../cluster.ts";

/** An outgoing connection attempt on a paused inner socket. */
class _NodeDial implements Dial {
  #sock: Socket;
  #cb: ConnectCallback | null;
  #where: Where;
  #unixPath: string | undefined;
  #remote: AddressInfo | undefined;

  constructor(
    sock: Socket,
    cb: ConnectCallback,
    where: Where,
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
    // 'connect' runs in here: see passOn.
    try {
      cb(null, path === undefined ? wrapTcp(sock, undefined, this.#remote) : wrap(sock, "", path));
    } catch (err) {
      passOn(err);
    }
  };

  #onError = (raw: unknown): void => {
    const cb = this.#cb;
    this.#sock.removeListener("connect", this.#onConnect);
    this.#sock.destroy();
    if (cb === null) return;
    // Bun's node:net fails a Unix dial to a missing or refusing path within connect() and
    // reports it a tick later: the failure goes back from an immediate, as from Node's loop, so
    // that the socket is destroyed and emits its 'error' in one go (see the Bun adapter's
    // failDialSoon). A cancel() meanwhile still drops it.
    if (this.#unixPath !== undefined && onBun) {
      setImmediate(this.#fail, mapError(raw, this.#where));
      return;
    }
    this.#fail(mapError(raw, this.#where));
  };

  #fail = (err: SystemError): void => {
    const cb = this.#cb;
    if (cb === null) return;
    this.#cb = null;
    cb(err);
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
  where: Where,
  unixPath?: string,
  remote?: AddressInfo,
  handle?: unknown,
  bound?: (local?: AddressInfo) => void,
): Dial {
  const sock = new Socket(
    handle === undefined ? _DIAL_SOCKET_OPTS : { ..._DIAL_SOCKET_OPTS, handle } as never,
  );
  if (bound !== undefined) sock.once("connectionAttempt", () => _announceBound(sock, bound));
  return _dialOn(sock, opts, cb, where, unixPath, remote);
}

/**
 * A dial with a local end, told bound when the runtime's socket announces its
 * attempt: Node's does so after its bind (a failed bind is no attempt), with
 * the bound end (Bun's before its one-step bind and connect, with none; Deno's
 * announces nothing, and core announces the attempt when the dial calls back).
 */
function _announceBound(sock: Socket, bound: (local?: AddressInfo) => void): void {
  bound(ipEndpoint(sock.localAddress, sock.localFamily, sock.localPort) ?? undefined);
}

/** Connects `sock` (new, or a descriptor's: node:net connects the socket it holds). */
function _dialOn(
  sock: Socket,
  opts: Record<string, unknown>,
  cb: ConnectCallback,
  where: Where,
  unixPath?: string,
  remote?: AddressInfo,
): Dial {
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
  #released = false;
  /** Every accepted socket's local end, when bound to one address (not a wildcard). */
  readonly #acceptLocal: AddressInfo | undefined;

  constructor(server: Server, events: ListenerEvents, path?: string) {
    this.#server = server;
    this.#events = events;
    this.#path = path;
    this.#acceptLocal = path === undefined ? fixedLocal(this.address() as AddressInfo) : undefined;
    server.on("connection", this.#onConnection);
    server.on("error", this.#onError);
    if (events.closeRequested !== undefined) this.#routeOutsideClose(server, events.closeRequested);
  }

  // A cluster worker's disconnect() closes the servers it knows as its handles' owners: this
  // inner one. As in Node, the server the user holds is the one to close (then this one
  // closes, or its handle left with releaseHandle()).
  #routeOutsideClose(server: Server, closeRequested: (cb: () => void) => void): void {
    const close = server.close;
    const inner = server as unknown as { close(cb?: (err?: Error) => void): unknown };
    inner.close = (cb) => {
      if (this.#closed && !this.#released) return close.call(server, cb);
      closeRequested(() => cb?.());
      return server;
    };
  }

  address(): AddressInfo | string {
    if (this.#address !== undefined) return this.#address;
    if (this.#path !== undefined) return (this.#address = this.#path);
    const a = this.#server.address() as AddressInfo;
    return (this.#address = { address: a.address, family: a.family, port: a.port });
  }

  close(cb: () => void): boolean {
    this.address();
    if (!this.#closed) {
      this.#closed = true;
      // The listening socket is released inside close(); the inner 'close'
      // event would also wait for accepted connections, which stay ours.
      this.#server.close();
    }
    queueMicrotask(cb);
    return true;
  }

  ref(): void {
    this.#server.ref();
  }

  unref(): void {
    this.#server.unref();
  }

  nativeHandle(): unknown {
    if (this.#closed) return undefined;
    return (this.#server as unknown as { _handle?: unknown })._handle ?? undefined;
  }

  releaseHandle(): unknown {
    const address = this.address();
    this.#closed = true;
    this.#server.removeListener("connection", this.#onConnection);
    this.#server.removeListener("error", this.#onError);
    const server = this.#server as unknown as { _handle?: unknown; address(): unknown };
    const handle = server._handle ?? undefined;
    server._handle = null;
    // A cluster worker's code reads the port it tells the primary ('listening') from this
    // server's address() at its 'listening' event, a tick after the handle left: keep answering.
    server.address = () => typeof address === "string" ? address : { ...address };
    this.#released = true;
    return handle;
  }

  #onConnection = (sock: Socket): void => {
    if (this.#closed) return void sock.destroy();
    const path = this.#path;
    // 'connection' runs in here: see passOn.
    try {
      this.#events.onConnection(
        path === undefined ? wrapTcp(sock, this.#acceptLocal) : wrap(sock, path, ""),
      );
    } catch (err) {
      passOn(err);
    }
  };

  #onError = (raw: unknown): void => {
    if (!this.#closed) this.#events.onError(mapError(raw, { syscall: "accept" }));
  };
}

function _listen(
  opts: Record<string, unknown>,
  events: ListenerEvents,
  cb: ListenCallback,
  where: Where,
  path?: string,
  handleBacklog?: number,
): void {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const onError = (raw: unknown) => {
    server.removeListener("listening", onListening);
    cb(mapError(raw, where));
  };
  const onListening = () => {
    server.removeListener("error", onError);
    server.removeListener("listening", onListening);
    linkClusterLimit(server, events);
    cb(null, new _NodeListener(server, events, opts.fd === undefined ? path : _fdPath(server)));
  };
  server.once("error", onError);
  server.once("listening", onListening);
  try {
    // listen(handle, backlog): node:net takes a handle's backlog from the arguments only.
    if (handleBacklog === undefined) server.listen(opts);
    else server.listen(opts, handleBacklog);
  } catch (err) {
    queueMicrotask(() => onError(err));
    return;
  }
  // Without a host (and for paths) node:net binds inside listen(): hand the
  // listener back now, as the contract asks. Its own 'listening' event comes
  // a tick later; a bind error, likewise, only reaches 'error' then.
  if (server.listening) onListening();
}

function _features(): TransportFeatures {
  const f = _baseFeatures();
  // node:net has setTypeOfService from Node 24.21 and in Bun; not in Node 20 or Deno.
  const proto = Socket.prototype as { setTypeOfService?: unknown };
  f.typeOfService = typeof proto.setTypeOfService === "function";
  // Node 24.21+ and 26 pass the probe interval and count on to the handle; Node 20,
  // Deno's and Bun's node:net take only (enable, initialDelay).
  f.keepAliveProbes = !onDeno && !onBun && Socket.prototype.setKeepAlive.length >= 4;
  // node:tls takes over the native handle of the runtime's own net.Socket (stream.ts's startTls).
  f.nativeTls = true;
  // omninet's Socket shows the handle its node:net socket holds (stream.ts; on Bun the Bun
  // socket): the runtime's child_process sends it, and its node:tls, which treats a node:net
  // Socket without a handle as one still connecting and anything else as connected, waits for
  // the 'connect' of a socket given to tls.connect() before connect() was called.
  f.nativeStreamHandles = true;
  return f;
}

function _baseFeatures(): TransportFeatures {
  if (onDeno) {
    // Deno's node:net leaves '::' dual-stack whatever ipv6Only says.
    return {
      reusePort: true,
      ipv6Only: false,
      backlog: true,
      keepAliveDelay: true,
      localBind: true,
    };
  }
  if (onBun) {
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
        undefined,
        req.bound,
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
      if (req.reusePort) opts.reusePort = true;
      if (req.exclusive) opts.exclusive = true;
      _listen(opts, events, cb, { syscall: "listen", address: req.address, port: req.port });
    },
    listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      const opts = { path: req.path, backlog: req.backlog, exclusive: req.exclusive === true };
      _listen(
        opts,
        events,
        cb,
        { syscall: "listen", address: req.path, unixListen: true },
        req.path,
      );
    },
  };
  const binders = nodeBinders(_BOUND_OPS);
  if (binders !== null) {
    features.boundSocket = true;
    transport.bindTcp = binders.bindTcp;
    transport.bindUnix = binders.bindUnix;
    if (binders.adoptBound) transport.adoptBound = binders.adoptBound;
  }
  // Bun's node:net accepts { fd } but never reads or writes through it; it
  // does listen on one (Bun 1.4).
  if (!onBun) transport.openFd = _openFd;
  transport.openHandle = _openHandle;
  transport.listenFd = _listenFd;
  transport.isListenHandle = _isListenHandle;
  transport.listenHandle = (handle, backlog, events, cb) =>
    _listen(
      handle as Record<string, unknown>,
      events,
      cb,
      { syscall: "listen" },
      undefined,
      backlog,
    );
  return transport;
}

/**
 * A listening handle of this runtime's `node:net` (Node's and Deno's TCP or
 * Pipe handle), known without the handle bindings: it has `listen()` and the
 * `onconnection` slot the `node:net` Server that listened on it filled.
 * `node:net`'s own `listen(handle)` then takes it over.
 */
function _isListenHandle(handle: unknown): boolean {
  const h = handle as { listen?: unknown; onconnection?: unknown } | null;
  return typeof h === "object" && h !== null && typeof h.listen === "function" &&
    typeof h.onconnection === "function";
}

const _BOUND_OPS: NodeBoundOps = {
  listen: _listen,
  dialTcp: (req, cb, handle) =>
    _connect(
      { host: req.address, port: req.port, family: req.family },
      cb,
      { syscall: "connect", address: req.address, port: req.port },
      undefined,
      knownPeer(req),
      handle,
    ),
  dialUnix: (path, cb, handle) =>
    _connect({ path }, cb, { syscall: "connect", address: path }, path, undefined, handle),
};

function _listenFd(fd: number, backlog: number, events: ListenerEvents, cb: ListenCallback): void {
  // Node listens on sockets and pipes only, anything else is listen EINVAL;
  // Deno's node:net answers EADDRNOTAVAIL for a file, so a descriptor known to
  // be a file or terminal is refused here (Deno cannot stat inherited ones).
  const type = fdType(fd);
  if (type === "FILE" || type === "TTY") {
    queueMicrotask(() => cb(systemError({ code: "EINVAL", syscall: "listen" })));
    return;
  }
  _listen({ fd, backlog }, events, cb, { syscall: "listen" });
}

/** What a listener on a descriptor is named: its IP endpoint, or "" for a Unix socket. */
function _fdPath(server: Server): string | undefined {
  const a = server.address();
  // Bun's node:net names a Unix one {}: only an endpoint with a port is IP.
  return a !== null && typeof a === "object" && typeof a.port === "number" ? undefined : "";
}

/**
 * The socket of a descriptor (`net.Socket({ fd })`) that a `connect()` dials
 * over: node:net connects the descriptor it already holds, so the local end
 * (a bound path or port) is kept, as on Node.
 */
class _NodeFdBound implements BoundHandle {
  readonly #sock: Socket;
  readonly #address: AddressInfo | string;

  constructor(sock: Socket) {
    this.#sock = sock;
    const a = sock.address() as Partial<AddressInfo>;
    // Only a TCP socket has a port; a Unix one (bound or not) is named "".
    this.#address = typeof a.port === "number"
      ? { address: a.address!, family: a.family!, port: a.port }
      : "";
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  fd(): number {
    return socketFd(this.#sock);
  }

  close(): void {
    this.#sock.destroy();
  }

  listen(backlog: number, events: ListenerEvents, cb: ListenCallback): void {
    _listenFd(this.fd(), backlog, events, cb);
  }

  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
    return _dialOn(
      this.#sock,
      { host: req.address, port: req.port, family: req.family },
      cb,
      { syscall: "connect", address: req.address, port: req.port },
      undefined,
      knownPeer(req),
    );
  }

  connectUnix(path: string, cb: ConnectCallback): Dial {
    return _dialOn(this.#sock, { path }, cb, { syscall: "connect", address: path }, path);
  }
}

lendDescriptorBound((sock) => new _NodeFdBound(sock));

/**
 * Wraps a stream handle in this runtime's `node:net` Socket, which takes any
 * object as `handle` (Node's and Deno's TCP and Pipe handles, Bun's sockets,
 * objects made to look like them) and calls only the methods it has.
 * `manualStart` keeps it from reading before readStart(); `pauseOnCreate`
 * would call the handle's `readStop()`, which a made-up handle may lack. A
 * handle with `setNoDelay` is taken as TCP: the socket options reach it.
 */
function _openHandle(handle: object): StreamHandle {
  const opts = { handle, allowHalfOpen: true, readable: true, writable: true, manualStart: true };
  const sock = new Socket(opts as ConstructorParameters<typeof Socket>[0]);
  sock.pause();
  const tcp = typeof sock.remotePort === "number" ||
    typeof (handle as { setNoDelay?: unknown }).setNoDelay === "function";
  return tcp ? wrap(sock) : wrap(sock, "", "");
}

function _openFd(fd: number): StreamHandle {
  // pauseOnCreate keeps Node from starting a read before readStart().
  const opts = { fd, allowHalfOpen: true, readable: true, writable: true, pauseOnCreate: true };
  const sock = new Socket(opts);
  sock.pause();
  // A TCP descriptor has a peer port; anything else is a pipe or Unix socket.
  return typeof sock.remotePort === "number" ? wrap(sock) : wrap(sock, "", "");
}
